package io.sbulb.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.frame.UdpFrame;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameDiffTest {

    private static byte[] v4(String dst, int ttl, String payload) {
        return UdpFrame.builder().source("198.18.2.1", 40000).destination(dst, 5683).ttl(ttl)
                .payload(payload.getBytes()).build().toFrame().bytes();
    }

    private static byte[] v6(String dst) {
        return UdpFrame.builder().source("fd00:2::1", 40000).destination(dst, 5683).payload("x".getBytes())
                .build().toFrame().bytes();
    }

    @Test
    void equalFramesHaveNoDifference() {
        assertThat(FrameDiff.firstDifference(v4("198.18.1.1", 63, "a"), v4("198.18.1.1", 63, "a"))).isEmpty();
    }

    @Test
    void theDifferingFieldIsNamedWithBothValuesAndChecksumsComeLast() {
        // the TTL differs, and so does the IP checksum that covers it
        assertThat(FrameDiff.firstDifference(v4("198.18.1.1", 63, "a"), v4("198.18.1.1", 64, "a")))
                .contains("IP.ttl: expected 63, got 64 (also differ: IP.chksum)");
        // the checksums come before the address in the frame, but the address is the news
        assertThat(FrameDiff.firstDifference(v4("198.18.1.2", 63, "a"), v4("198.18.1.1", 63, "a")))
                .contains("IP.dst: expected 198.18.1.2, got 198.18.1.1 (also differ: IP.chksum, UDP.chksum)");
        byte[] expected = v4("198.18.1.2", 63, "a");
        byte[] actual = expected.clone();
        actual[14 + 19] = 1; // the destination's last byte alone, checksums left as they were
        assertThat(FrameDiff.firstDifference(expected, actual)).contains("IP.dst: expected 198.18.1.2, got 198.18.1.1");
        byte[] badSum = expected.clone();
        badSum[14 + 10] ^= 0x10;
        assertThat(FrameDiff.firstDifference(expected, badSum)).hasValueSatisfying(d -> assertThat(d).startsWith("IP.chksum: expected 0x"));
    }

    @Test
    void ipv6AddressesAreShownInTheirTextForm() {
        assertThat(FrameDiff.firstDifference(v6("fd00:1::2"), v6("fd00:1::1")))
                .contains("IPv6.dst: expected fd00:1::2, got fd00:1::1 (also differ: UDP.chksum)");
    }

    @Test
    void macsUdpFieldsAndPayloadAreNamed() {
        UdpFrame base = UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 5683)
                .payload("hello".getBytes()).build();
        byte[] a = base.toFrame().bytes();
        byte[] swappedMacs = base.toBuilder().srcMac(base.dstMac()).dstMac(base.srcMac()).build().toFrame().bytes();
        assertThat(FrameDiff.firstDifference(a, swappedMacs)).hasValueSatisfying(d -> assertThat(d).startsWith("Ether.dst"));
        byte[] otherPort = base.toBuilder().source(new Endpoint(IpAddress.parse("198.18.2.1"), 40001)).build().toFrame().bytes();
        assertThat(FrameDiff.firstDifference(a, otherPort)).contains("UDP.sport: expected 40000, got 40001 (also differ: UDP.chksum)");
        byte[] otherPayload = a.clone(); // checksum left as it was
        otherPayload[otherPayload.length - 1] = 'X';
        assertThat(FrameDiff.firstDifference(a, otherPayload))
                .contains("Raw.load: expected 68656c6c6f (5 bytes), got 68656c6c58 (5 bytes)");
    }

    @Test
    void shorterAndLongerFramesSayWhereTheyEnd() {
        byte[] a = v4("198.18.1.1", 63, "abc");
        assertThat(FrameDiff.firstDifference(a, Arrays.copyOf(a, 30)))
                .hasValueSatisfying(d -> assertThat(d).startsWith("IP.dst: expected 198.18.1.1, got nothing: the frame ends at byte 30"));
        assertThat(FrameDiff.firstDifference(a, Arrays.copyOf(a, a.length + 2)))
                .contains("length: expected " + a.length + " bytes, got " + (a.length + 2) + " (the same bytes followed by 2 more)");
    }

    @Test
    void framesSbulbDoesNotParseAreComparedAsBytes() {
        byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        byte[] other = arp.clone();
        other[41] = 1;
        assertThat(FrameDiff.firstDifference(arp, other)).hasValueSatisfying(d -> assertThat(d).startsWith("Raw.load: "));
        assertThat(FrameDiff.firstDifference(new byte[] {1, 2}, new byte[] {1, 3}))
                .contains("Raw.load: expected 0102 (2 bytes), got 0103 (2 bytes)");
    }
}
