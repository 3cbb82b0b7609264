package io.sbulb.api;

import io.sbulb.api.frame.IcmpErrorFrame;
import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fixture rows (Katran style): a frame that stops before any NAT, the verdict and reason it
 * must get. One row per reason code of docs/design.md §1 that a single frame can provoke, in
 * each family where it applies. The data path must leave every one of them unmodified.
 */
public final class FrameCases {

    /** One row: description, frame, expected verdict and reason. */
    public record Case(String name, Frame frame, Verdict verdict, Reason reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    private FrameCases() {
    }

    private static final int ETH = UdpFrame.ETH_HLEN;

    /** Rows that need a configuration with the VIP, port 5683 and two real servers. */
    public static List<Case> withBalancerConfigured(Net n) {
        List<Case> cases = new ArrayList<>();
        String f = n.name() + " ";
        UdpFrame good = n.toVip(n.client(0));
        byte[] g = good.toFrame().bytes();
        int ipLen = n == Net.V4 ? 20 : 40;

        cases.add(new Case("empty frame", Frame.of(new byte[0]), Verdict.DROP, Reason.INVALID_ETH_SIZE));
        cases.add(new Case("13-byte frame: truncated Ethernet header", Frame.of(Arrays.copyOf(g, 13)),
                Verdict.DROP, Reason.INVALID_ETH_SIZE));
        cases.add(new Case("ARP frame: not IP", arp(), Verdict.PASS, Reason.NOT_IP));
        cases.add(new Case("Ethernet header only: not IP", Frame.of(Arrays.copyOf(withEtherType(g, 0x88B5), ETH)),
                Verdict.PASS, Reason.NOT_IP));
        cases.add(new Case(f + "IP header truncated by one byte", Frame.of(Arrays.copyOf(g, ETH + ipLen - 1)),
                Verdict.DROP, Reason.INVALID_IP_SIZE));
        cases.add(new Case(f + "UDP header truncated by one byte", Frame.of(Arrays.copyOf(g, ETH + ipLen + 7)),
                Verdict.DROP, Reason.INVALID_UDP_SIZE));
        cases.add(new Case(f + "IP version field disagrees with the EtherType",
                Frame.of(withIpVersion(g, n == Net.V4 ? 6 : 4)), Verdict.DROP, Reason.INVALID_IP_VERSION));
        cases.add(new Case(f + "TTL / hop limit 0", n.toVip(n.client(0)).toBuilder().ttl(0).build().toFrame(),
                Verdict.DROP, Reason.LIFETIME_EXPIRED));
        cases.add(new Case(f + "to the VIP on a port not balanced",
                good.toBuilder().destination(n.vip, Net.OTHER_PORT).build().toFrame(),
                Verdict.PASS, Reason.INGRESS_UNHANDLED_PORT));
        cases.add(new Case(f + "from a real server on a port not balanced",
                n.fromServer(n.rs(0), n.client(0)).toBuilder().source(n.rs(0), Net.OTHER_PORT).build().toFrame(),
                Verdict.PASS, Reason.EGRESS_UNHANDLED_PORT));
        cases.add(new Case(f + "between two other hosts on a balanced port",
                UdpFrame.builder().source(n.stranger(), Net.PORT).destination(n.client(0)).build().toFrame(),
                Verdict.PASS, Reason.UNHANDLED_TRAFFIC));
        cases.add(new Case(f + "between two other hosts on another port",
                UdpFrame.builder().source(n.stranger(), 9).destination(n.client(1)).build().toFrame(),
                Verdict.PASS, Reason.UNHANDLED_TRAFFIC));
        // lengths that disagree with the frame (the IP length field: IPv4 offset 2, IPv6 offset 4),
        // in a frame longer than Ethernet's 60-byte minimum, so that no byte can be padding
        byte[] big = good.toBuilder().payload(new byte[40]).build().toFrame().bytes();
        int lenField = ETH + (n == Net.V4 ? 2 : 4);
        int ipLenValue = ((big[lenField] & 0xff) << 8) | (big[lenField + 1] & 0xff);
        cases.add(new Case(f + "IP length one byte longer than the frame", Frame.of(withU16(big, lenField, ipLenValue + 1)),
                Verdict.DROP, Reason.INVALID_IP_LENGTH));
        cases.add(new Case(f + "IP length one byte shorter than the frame", Frame.of(withU16(big, lenField, ipLenValue - 1)),
                Verdict.DROP, Reason.INVALID_IP_LENGTH));
        cases.add(new Case(f + "frame cut one byte short of its IP length", Frame.of(Arrays.copyOf(big, big.length - 1)),
                Verdict.DROP, Reason.INVALID_IP_LENGTH));
        cases.add(new Case(f + "frame with one byte past its IP length (not Ethernet padding)",
                Frame.of(Arrays.copyOf(big, big.length + 1)), Verdict.DROP, Reason.INVALID_IP_LENGTH));
        int udpLen = ETH + ipLen + 4;
        int udpLenValue = ((big[udpLen] & 0xff) << 8) | (big[udpLen + 1] & 0xff);
        cases.add(new Case(f + "UDP length one byte longer than the IP length says", Frame.of(withU16(big, udpLen, udpLenValue + 1)),
                Verdict.DROP, Reason.INVALID_UDP_LENGTH));
        cases.add(new Case(f + "UDP length 7: below its own header", Frame.of(withU16(big, udpLen, 7)),
                Verdict.DROP, Reason.INVALID_UDP_LENGTH));
        // sources that cannot be clients, and the balancer's own addresses
        for (String martian : n == Net.V4
                ? List.of("0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.9", "169.254.1.1", "224.0.0.1", "239.255.255.250",
                        "255.255.255.255")
                : List.of("::", "::1", "fe80::1", "febf::1", "ff02::1", "ff0e::1")) {
            cases.add(new Case(f + "to the VIP from martian " + martian,
                    n.toVip(new Endpoint(IpAddress.parse(martian), Net.CLIENT_PORT)).toFrame(), Verdict.DROP,
                    Reason.INGRESS_MARTIAN_SOURCE));
        }
        cases.add(new Case(f + "to the VIP from source port 0", n.toVip(n.client(0, 0)).toFrame(), Verdict.DROP,
                Reason.INGRESS_MARTIAN_SOURCE));
        cases.add(new Case(f + "to the VIP from the VIP itself", n.toVip(new Endpoint(n.vip, Net.PORT)).toFrame(),
                Verdict.DROP, Reason.INGRESS_FROM_BALANCER));
        cases.add(new Case(f + "to the VIP from a real server", n.toVip(new Endpoint(n.rs(1), Net.PORT)).toFrame(),
                Verdict.DROP, Reason.INGRESS_FROM_BALANCER));
        cases.add(new Case(f + "from a real server to another real server",
                n.fromServer(n.rs(0), new Endpoint(n.rs(1), Net.PORT)).toFrame(), Verdict.DROP, Reason.EGRESS_TO_BALANCER));
        cases.add(new Case(f + "from a real server to port 0", n.fromServer(n.rs(0), n.client(0, 0)).toFrame(),
                Verdict.DROP, Reason.EGRESS_MARTIAN_DESTINATION));
        cases.add(new Case(f + "from a real server to a multicast group",
                n.fromServer(n.rs(0), new Endpoint(IpAddress.parse(n == Net.V4 ? "224.0.1.187" : "ff05::fd"), 5683)).toFrame(),
                Verdict.DROP, Reason.EGRESS_MARTIAN_DESTINATION));
        cases.add(new Case(f + "to the VIP with TTL / hop limit 1", n.toVip(n.client(0)).toBuilder().ttl(1).build().toFrame(),
                Verdict.DROP, Reason.LIFETIME_WOULD_EXPIRE));
        cases.add(new Case(f + "from a real server with TTL / hop limit 1",
                n.fromServer(n.rs(0), n.client(0)).toBuilder().ttl(1).build().toFrame(), Verdict.DROP,
                Reason.LIFETIME_WOULD_EXPIRE));
        cases.add(new Case(f + "fragment to the VIP", Frame.of(fragment(good)), Verdict.DROP, Reason.FRAGMENT_TO_VIP));
        cases.add(new Case(f + "fragment from a real server", Frame.of(fragment(n.fromServer(n.rs(0), n.client(0)))),
                Verdict.DROP, Reason.FRAGMENT_FROM_REAL_SERVER));
        cases.add(new Case(f + "fragment from the VIP", Frame.of(fragment(n.fromServer(n.vip, n.client(0)))),
                Verdict.DROP, Reason.FRAGMENT_FROM_REAL_SERVER));
        cases.add(new Case(f + "fragment between two other hosts",
                Frame.of(fragment(UdpFrame.builder().source(n.stranger(), Net.PORT).destination(n.client(0)).build())),
                Verdict.PASS, Reason.FRAGMENTED_IP_PACKET));
        cases.add(new Case(f + "ICMP error to the VIP quoting a client without association",
                IcmpErrorFrame.builder().from(n.stranger()).type(n == Net.V4 ? 3 : 1).code(n == Net.V4 ? 3 : 4)
                        .quoted(n.fromServer(n.vip, n.client(0))).build().toFrame(), Verdict.DROP,
                Reason.ICMP_ERROR_NO_ASSOCIATION));
        cases.add(new Case(f + "ICMP echo request to the VIP: not UDP", icmpEcho(n, n.vip), Verdict.PASS, Reason.NOT_UDP));
        cases.add(new Case(f + "ICMP error quoting a datagram the VIP sent, not to the VIP: not UDP",
                IcmpErrorFrame.builder().from(n.stranger()).to(n.client(1).address()).type(n == Net.V4 ? 3 : 1).code(4)
                        .quoted(n.fromServer(n.vip, n.client(0))).build().toFrame(), Verdict.PASS, Reason.NOT_UDP));
        Net o = n.other();
        cases.add(new Case(f + "frame of the other family to its VIP-like address",
                o.toVip(o.client(0)).toFrame(), Verdict.PASS, Reason.UNHANDLED_TRAFFIC));
        if (n == Net.V4) {
            cases.add(new Case("V4 IHL 4: header too small", Frame.of(withIhl(g, 4)), Verdict.DROP,
                    Reason.TOO_SMALL_IP_HEADER));
            cases.add(new Case("V4 IHL 0: header too small", Frame.of(withIhl(g, 0)), Verdict.DROP,
                    Reason.TOO_SMALL_IP_HEADER));
            cases.add(new Case("V4 IHL 15 but only 28 bytes of IP: options truncated", Frame.of(withIhl(g, 15)),
                    Verdict.DROP, Reason.INVALID_IP_SIZE));
            cases.add(new Case("V4 TCP: not UDP", Frame.of(withByte(g, ETH + 9, 6)), Verdict.PASS, Reason.NOT_UDP));
            cases.add(new Case("V4 ICMP: not UDP", Frame.of(withByte(g, ETH + 9, 1)), Verdict.PASS, Reason.NOT_UDP));
            cases.add(new Case("V4 first fragment (MF set) to the VIP", good.toBuilder().ipv4FlagsFragment(0x2000).build().toFrame(),
                    Verdict.DROP, Reason.FRAGMENT_TO_VIP));
            cases.add(new Case("V4 last fragment (offset 185) to the VIP", good.toBuilder().ipv4FlagsFragment(185).build().toFrame(),
                    Verdict.DROP, Reason.FRAGMENT_TO_VIP));
            byte[] small = n.toVip(n.client(0)).toBuilder().payload(new byte[0]).build().toFrame().bytes(); // 42 bytes
            cases.add(new Case("V4 short frame padded to 60 bytes, padding past a wrong IP length",
                    Frame.of(Arrays.copyOf(withU16(small, ETH + 2, 27), 60)), Verdict.DROP, Reason.INVALID_IP_LENGTH));
            cases.add(new Case("V4 IP length 27: too short for its UDP header",
                    Frame.of(withU16(small, ETH + 2, 27)), Verdict.DROP, Reason.INVALID_IP_LENGTH));
            cases.add(new Case("V4 TCP fragment to the VIP: a fragment first, of any protocol",
                    Frame.of(withByte(good.toBuilder().ipv4FlagsFragment(0x2000).build().toFrame().bytes(), ETH + 9, 6)),
                    Verdict.DROP, Reason.FRAGMENT_TO_VIP));
            cases.add(new Case("V4 TCP fragment between two other hosts",
                    Frame.of(withByte(fragment(UdpFrame.builder().source(n.stranger(), 80).destination(n.client(0)).build()),
                            ETH + 9, 6)), Verdict.PASS, Reason.FRAGMENTED_IP_PACKET));
        } else {
            cases.add(new Case("V6 TCP: not UDP", Frame.of(withByte(g, ETH + 6, 6)), Verdict.PASS, Reason.NOT_UDP));
            cases.add(new Case("V6 hop-by-hop options header first: not UDP", Frame.of(withByte(g, ETH + 6, 0)),
                    Verdict.PASS, Reason.NOT_UDP));
            cases.add(new Case("V6 fragment header to the VIP", Frame.of(withByte(g, ETH + 6, 44)), Verdict.DROP,
                    Reason.FRAGMENT_TO_VIP));
            cases.add(new Case("V6 UDP checksum 0", good.toBuilder().checksum(UdpFrame.ChecksumMode.ZERO).build().toFrame(),
                    Verdict.DROP, Reason.IPV6_ZERO_UDP_CHECKSUM));
            cases.add(new Case("V6 payload length 0 (a jumbogram without its option)", Frame.of(withU16(g, ETH + 4, 0)),
                    Verdict.DROP, Reason.INVALID_IP_LENGTH));
        }
        return cases;
    }

    /**
     * The first fragment of {@code f} (IPv4: more fragments set; IPv6: a fragment header with M set
     * in front of the UDP header, the payload length grown by its 8 bytes).
     */
    public static byte[] fragment(UdpFrame f) {
        if (f.family() == 4) {
            return f.toBuilder().ipv4FlagsFragment(0x2000).build().toFrame().bytes();
        }
        byte[] b = f.toFrame().bytes();
        byte[] c = new byte[b.length + 8];
        System.arraycopy(b, 0, c, 0, ETH + 40);
        System.arraycopy(b, ETH + 40, c, ETH + 48, b.length - ETH - 40);
        c[ETH + 6] = 44; // next header: fragment
        c[ETH + 40] = 17; // the fragment header's next header: UDP
        c[ETH + 43] = 1; // offset 0, M set
        c[ETH + 47] = 7; // identification
        int payload = ((c[ETH + 4] & 0xff) << 8 | (c[ETH + 5] & 0xff)) + 8;
        c[ETH + 4] = (byte) (payload >>> 8);
        c[ETH + 5] = (byte) payload;
        return c;
    }

    /** An ICMP (ICMPv6) echo request from a client to {@code to}: not an error, passed as not UDP. */
    static Frame icmpEcho(Net n, IpAddress to) {
        UdpFrame carrier = UdpFrame.builder().source(n.client(0)).destination(to, 7).build(); // 8 bytes after the IP header
        byte[] b = carrier.toFrame().bytes();
        int ip = ETH;
        int l4 = ip + (n == Net.V4 ? 20 : 40);
        if (n == Net.V4) {
            b[ip + 9] = 1;
            b = withU16(b, ip + 10, 0);
            b = withU16(b, ip + 10, io.sbulb.api.frame.Checksums.ipv4Header(b, ip, 20));
        } else {
            b[ip + 6] = 58;
        }
        b[l4] = (byte) (n == Net.V4 ? 8 : 128); // echo request, code 0, checksum left as the carrier's bytes
        b[l4 + 1] = 0;
        return Frame.of(b);
    }

    static Frame arp() {
        byte[] b = new byte[ETH + 28];
        Arrays.fill(b, 0, 6, (byte) 0xff);
        b[6] = 0x02;
        b[11] = 0x01;
        b[12] = 0x08;
        b[13] = 0x06;
        b[ETH + 1] = 1; // hardware type Ethernet
        b[ETH + 2] = 0x08; // protocol IPv4
        b[ETH + 4] = 6;
        b[ETH + 5] = 4;
        b[ETH + 7] = 1; // request
        return Frame.of(b);
    }

    static byte[] withByte(byte[] b, int offset, int value) {
        byte[] c = b.clone();
        c[offset] = (byte) value;
        return c;
    }

    static byte[] withU16(byte[] b, int offset, int value) {
        byte[] c = withByte(b, offset, value >>> 8);
        c[offset + 1] = (byte) value;
        return c;
    }

    static byte[] withEtherType(byte[] b, int type) {
        byte[] c = withByte(b, 12, type >>> 8);
        c[13] = (byte) type;
        return c;
    }

    static byte[] withIhl(byte[] b, int ihl) {
        return withByte(b, ETH, (b[ETH] & 0xf0) | ihl);
    }

    static byte[] withIpVersion(byte[] b, int version) {
        return withByte(b, ETH, (version << 4) | (b[ETH] & 0x0f));
    }
}
