package io.sbulb.api.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.testing.Scapy;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The oracle itself is checked against an independent one: Scapy builds the same frames, and
 * the bytes (checksums included) must be identical.
 */
class UdpFrameTest {

    private static UdpFrame.Builder v4() {
        return UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 5683);
    }

    private static UdpFrame.Builder v6() {
        return UdpFrame.builder().source("fd00:2::1", 40000).destination("fd00::1", 5683);
    }

    private static List<UdpFrame> cases() {
        return List.of(
                v4().build(),
                v4().payload("hello".getBytes()).ttl(1).build(),
                v4().payload(new byte[] {(byte) 0xff, (byte) 0xff, 0, 1, 2, 3}).ipv4Id(0xbeef).tos(0xb8).build(),
                v4().ipv4Options(new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}).payload("opt".getBytes()).build(),
                v4().checksum(UdpFrame.ChecksumMode.ZERO).payload("zero".getBytes()).build(),
                v4().ipv4FlagsFragment(0x2000).payload("frag".getBytes()).build(),
                v6().build(),
                v6().payload("odd".getBytes()).ttl(255).build(),
                v6().tos(0x2e).flowLabel(0x12345).payload(new byte[1300]).build());
    }

    @Test
    @Timeout(60)
    void framesAreByteForByteWhatScapyBuilds() throws IOException, InterruptedException {
        List<UdpFrame> cases = cases();
        List<String> lines = Scapy.hex(cases.stream().map(Scapy::udp).toList());
        for (int i = 0; i < cases.size(); i++) {
            assertThat(cases.get(i).toFrame().toHex()).as("frame %s", cases.get(i)).isEqualTo(lines.get(i));
        }
    }

    @Test
    void parseReadsBackEveryField() {
        for (UdpFrame f : cases()) {
            UdpFrame back = UdpFrame.parse(f.toFrame());
            assertThat(back.toFrame()).as("%s", f).isEqualTo(f.toFrame());
            assertThat(UdpFrame.checksumsValid(f.toFrame())).isTrue();
        }
    }

    /** RFC 1071 §3's worked example: the words 0001 f203 f4f5 f6f7 sum to ddf2. */
    @Test
    void checksumSumMatchesRfc1071Example() {
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(Checksums.sum(data, 0, data.length, 0)).isEqualTo(0xddf2);
    }

    @Test
    void aDamagedFrameFailsTheChecksumCheck() {
        byte[] b = v4().payload("hello".getBytes()).build().toFrame().bytes();
        b[b.length - 1] ^= 1;
        assertThat(UdpFrame.checksumsValid(Frame.of(b))).isFalse();
    }

    @Test
    void framesThatAreNotUdpAreRefusedClearly() {
        assertThatThrownBy(() -> UdpFrame.parse(Frame.of(new byte[5]))).hasMessageContaining("5 bytes");
        assertThatThrownBy(() -> UdpFrame.builder().source(Endpoint.of("198.18.0.1", 1))
                .destination(Endpoint.of("fd00::1", 1)).build()).hasMessageContaining("differ in family");
    }
}
