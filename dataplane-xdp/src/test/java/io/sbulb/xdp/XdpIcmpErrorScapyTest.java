package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.IcmpErrorFrame;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.api.testing.Scapy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICMP errors through the real XDP program (BPF_PROG_TEST_RUN), with Scapy as the oracle of both
 * sides: Scapy builds each error as a router sends it and, from the rewritten fields alone (the
 * real server as outer destination and quoted source, TTL - 1, MACs swapped), the frame the
 * server must get, every checksum its own full computation (outer IPv4 header, ICMP, ICMPv6 over
 * its pseudo-header, the quoted IPv4 header, the quoted UDP checksum over the whole datagram
 * before the quote is cut). The program's output must be Scapy's byte for byte.
 */
class XdpIcmpErrorScapyTest {

    private static final int CLIENTS = 8;

    /** Fixed rows: each kind of error, whole and cut quotes, quoted options, a zero IPv4 UDP checksum. */
    private static List<IcmpErrorFrame> rows(Net n) {
        List<IcmpErrorFrame> rows = new ArrayList<>();
        UdpFrame reply = UdpFrame.builder().source(n.vip, Net.PORT).destination(n.client(1))
                .payload("2.05 Content: a reply the path could not carry".getBytes()).build();
        IcmpErrorFrame.Builder e = IcmpErrorFrame.builder().from(n.stranger()).quoted(reply).ttl(57);
        if (n == Net.V4) {
            rows.add(e.type(3).code(4).rest(1400).build());
            rows.add(e.type(3).code(4).rest(576).quoteBytes(28).build());
            rows.add(e.type(3).code(3).rest(0).quoteBytes(33).from(n.client(1).address()).build());
            rows.add(e.type(11).code(0).quoteBytes(-1).from(n.stranger()).quoted(reply.toBuilder()
                    .ipv4Options(new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}).checksum(UdpFrame.ChecksumMode.ZERO).build())
                    .build());
        } else {
            rows.add(e.type(2).code(0).rest(1280).quoted(reply.toBuilder().payload(new byte[1200]).build()).build());
            rows.add(e.type(2).code(0).rest(1280).quoteBytes(48).build());
            rows.add(e.type(1).code(4).rest(0).quoteBytes(-1).quoted(reply).from(n.client(1).address()).build());
            rows.add(e.type(3).code(0).quoteBytes(56).from(n.stranger()).build());
        }
        return rows;
    }

    /** Random errors about random clients' datagrams: payloads and ports that move every checksum around. */
    private static List<IcmpErrorFrame> random(Net n, Random rnd) {
        List<IcmpErrorFrame> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] payload = new byte[rnd.nextInt(64)];
            rnd.nextBytes(payload);
            UdpFrame q = UdpFrame.builder().source(n.vip, Net.PORT).destination(n.client(rnd.nextInt(CLIENTS)))
                    .payload(payload).ipv4Id(rnd.nextInt(65536)).build();
            int[] kind = n == Net.V4 ? new int[][] {{3, 4}, {3, 3}, {11, 0}}[rnd.nextInt(3)]
                    : new int[][] {{2, 0}, {1, 4}, {3, 0}}[rnd.nextInt(3)];
            int ipHeader = n == Net.V4 ? 20 : 40;
            out.add(IcmpErrorFrame.builder().from(n.stranger()).quoted(q).type(kind[0]).code(kind[1])
                    .rest(kind[0] == (n == Net.V4 ? 3 : 2) && kind[1] == (n == Net.V4 ? 4 : 0) ? 1280 + rnd.nextInt(200) : 0)
                    .ttl(2 + rnd.nextInt(254)).quoteBytes(rnd.nextBoolean() ? -1 : ipHeader + 8 + rnd.nextInt(payload.length + 1))
                    .build());
        }
        return out;
    }

    @Test
    @Timeout(120)
    void forwardedErrorsAreByteForByteWhatScapyBuildsFromTheRewrittenFields() throws Exception {
        Privileges.requireBpf();
        long seed = System.nanoTime();
        System.out.println("XdpIcmpErrorScapyTest seed " + seed);
        Random rnd = new Random(seed);
        for (Net n : Net.values()) {
            List<IcmpErrorFrame> errors = new ArrayList<>(rows(n));
            errors.addAll(random(n, rnd));
            List<String> scapy = new ArrayList<>();
            List<IpAddress> servers = new ArrayList<>();
            try (XdpDataplane dp = XdpDataplane.create(new Limits(4, 8, 64))) {
                dp.configure(n.config(3));
                for (int c = 0; c < CLIENTS; c++) {
                    Result r = dp.process(n.toVip(n.client(c)).toFrame());
                    assertThat(r.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
                }
                for (IcmpErrorFrame e : errors) {
                    IpAddress server = dp.associations().stream().filter(a -> a.client().equals(e.quoted().destination()))
                            .findFirst().orElseThrow().realServer();
                    servers.add(server);
                    scapy.add(Scapy.icmpError(e));
                    scapy.add(Scapy.icmpError(e.forwarded(new Endpoint(server, Net.PORT))));
                }
                List<String> bytes = Scapy.hex(scapy);
                for (int i = 0; i < errors.size(); i++) {
                    Frame in = Frame.ofHex(bytes.get(2 * i));
                    Result r = dp.process(in);
                    assertThat(r.reason()).as("%s (seed %d)", errors.get(i), seed).isEqualTo(Reason.ICMP_ERROR_TO_REAL_SERVER);
                    assertThat(r.verdict()).isEqualTo(Verdict.TX);
                    assertThat(r.output().toHex()).as("%s to %s (seed %d)", errors.get(i), servers.get(i), seed)
                            .isEqualTo(bytes.get(2 * i + 1));
                }
            }
        }
    }
}
