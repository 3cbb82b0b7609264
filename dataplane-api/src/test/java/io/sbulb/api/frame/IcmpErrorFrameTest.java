package io.sbulb.api.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.testing.Scapy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ICMP error builder, the scenarios' oracle for forwarded errors, is checked against Scapy byte for byte. */
class IcmpErrorFrameTest {

    static final UdpFrame V4_REPLY = UdpFrame.builder().source("198.18.0.1", 5683).destination("198.18.2.1", 40000)
            .payload("a reply too big for the path".getBytes()).build();
    static final UdpFrame V6_REPLY = UdpFrame.builder().source("fd00::1", 5683).destination("fd00:2::1", 40000)
            .payload(new byte[1200]).build();

    private static List<IcmpErrorFrame> cases() {
        IcmpErrorFrame.Builder v4 = IcmpErrorFrame.builder().from(IpAddress.parse("198.18.9.1")).quoted(V4_REPLY);
        IcmpErrorFrame.Builder v6 = IcmpErrorFrame.builder().from(IpAddress.parse("fd00:9::1")).quoted(V6_REPLY);
        return List.of(
                v4.type(3).code(4).rest(1400).quoteBytes(28).build(),
                v4.type(3).code(3).rest(0).quoteBytes(-1).build(),
                v4.type(11).code(0).ttl(250).quoted(V4_REPLY.toBuilder().ipv4Options(new byte[] {1, 1, 1, 0})
                        .checksum(UdpFrame.ChecksumMode.ZERO).build()).build(),
                v6.type(2).code(0).rest(1280).quoteBytes(1232).build(),
                v6.type(1).code(4).rest(0).quoteBytes(48).build(),
                v6.type(3).code(0).quoteBytes(-1).quoted(V6_REPLY.toBuilder().payload("odd".getBytes()).build()).build());
    }

    @Test
    @Timeout(60)
    void framesAndTheirForwardingAreByteForByteWhatScapyBuilds() throws IOException, InterruptedException {
        List<IcmpErrorFrame> frames = new ArrayList<>();
        for (IcmpErrorFrame f : cases()) {
            frames.add(f);
            frames.add(f.forwarded(Endpoint.of(f.family() == 4 ? "198.18.1.1" : "fd00::1:1", 5683)));
        }
        List<String> lines = Scapy.hex(frames.stream().map(Scapy::icmpError).toList());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i).toFrame().toHex()).as("frame %s", frames.get(i)).isEqualTo(lines.get(i));
        }
    }

    @Test
    void forwardingRewritesTheOuterDestinationAndTheQuotedSourceOnly() {
        IcmpErrorFrame f = cases().get(0);
        IcmpErrorFrame g = f.forwarded(Endpoint.of("198.18.1.1", 5683));
        assertThat(g.to()).isEqualTo(IpAddress.parse("198.18.1.1"));
        assertThat(g.quoted().source()).isEqualTo(Endpoint.of("198.18.1.1", 5683));
        assertThat(g.quoted().destination()).isEqualTo(f.quoted().destination());
        assertThat(g.from()).isEqualTo(f.from());
        assertThat(g.ttl()).isEqualTo(f.ttl() - 1);
        assertThat(g.srcMac()).isEqualTo(f.dstMac());
        assertThat(g.toFrame().length()).isEqualTo(f.toFrame().length()).isEqualTo(14 + 20 + 8 + 28);
    }

    @Test
    void theErrorAndItsQuoteMustBeOfOneFamily() {
        assertThatThrownBy(() -> IcmpErrorFrame.builder().from(IpAddress.parse("fd00:9::1")).quoted(V4_REPLY).build())
                .hasMessageContaining("differ in family");
    }
}
