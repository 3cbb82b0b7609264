package io.sbulb.sim;

import io.sbulb.api.Reason;

/**
 * The header parsers of {@code parse.h}, same checks in the same order. Each checks its header
 * against the end of the frame, records the header's offset in the {@link Packet}, and returns
 * {@code null} ({@code SBULB_R_NONE}) or the reason the frame goes no further.
 */
final class Parser {
    static final int ETH_HLEN = 14;
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_IPV6 = 0x86DD;
    static final int IPPROTO_UDP = 17;
    static final int IPPROTO_ICMP = 1;
    static final int NEXTHDR_FRAGMENT = 44;
    static final int NEXTHDR_ICMPV6 = 58;
    /** {@code IPV4_OFFSET}: the fragment offset's bits, host byte order. */
    static final int IPV4_OFFSET = 0x1fff;
    /** {@code IPV4_MF | IPV4_OFFSET}, host byte order. */
    static final int IPV4_MF_OR_OFFSET = 0x2000 | 0x1fff;
    static final int IPV4_HLEN = 20;
    static final int IPV6_HLEN = 40;
    static final int UDP_HLEN = 8;
    /** {@code ICMP_HLEN}: type, code, checksum, 4 bytes; the same in ICMPv6. */
    static final int ICMP_HLEN = 8;
    /** The shortest Ethernet frame (no FCS): shorter ones arrive padded to it. */
    static final int ETH_ZLEN_NO_FCS = 60;

    private Parser() {
    }

    /** Mirrors {@code parse_frame}: Ethernet, then IPv4 or IPv6, then UDP. */
    static Reason parseFrame(Packet p) {
        if (ETH_HLEN > p.data.length) {
            return Reason.INVALID_ETH_SIZE;
        }
        p.eth = 0;
        int proto = p.u16(12);
        if (proto == ETH_P_IP) {
            return parseIpv4(p, ETH_HLEN);
        }
        if (proto == ETH_P_IPV6) {
            return parseIpv6(p, ETH_HLEN);
        }
        return Reason.NOT_IP;
    }

    /** Mirrors {@code parse_ipv4}. The bitfields: {@code ihl} is the low nibble of byte 0, {@code version} the high one. */
    static Reason parseIpv4(Packet p, int l3) {
        if (l3 + IPV4_HLEN > p.data.length) {
            return Reason.INVALID_IP_SIZE;
        }
        p.ip4 = l3;
        p.family = Packet.FAMILY_IPV4;
        if (p.u8(l3) >>> 4 != 4) {
            return Reason.INVALID_IP_VERSION;
        }
        int ihl = p.u8(l3) & 0xf;
        if (ihl < 5) {
            return Reason.TOO_SMALL_IP_HEADER;
        }
        int l4 = l3 + ihl * 4; // options allowed: at most 60 bytes of header
        if (l4 > p.data.length) {
            return Reason.INVALID_IP_SIZE;
        }
        // a fragment of any protocol, as IPv6's fragment header is found before the protocol
        if ((p.u16(l3 + 6) & IPV4_MF_OR_OFFSET) != 0) {
            return Reason.FRAGMENTED_IP_PACKET;
        }
        if (p.u8(l3 + 9) != IPPROTO_UDP) {
            return Reason.NOT_UDP;
        }
        if (p.u8(l3 + 8) == 0) {
            return Reason.LIFETIME_EXPIRED;
        }
        Reason r = parseUdp(p, l4);
        if (r != null) {
            return r;
        }
        return checkLengths(p, l3, p.u16(l3 + 2), ihl * 4);
    }

    /** Mirrors {@code parse_ipv6}: only UDP right after the fixed header is balanced. */
    static Reason parseIpv6(Packet p, int l3) {
        if (l3 + IPV6_HLEN > p.data.length) {
            return Reason.INVALID_IP_SIZE;
        }
        p.ip6 = l3;
        p.family = Packet.FAMILY_IPV6;
        if (p.u8(l3) >>> 4 != 6) {
            return Reason.INVALID_IP_VERSION;
        }
        int nexthdr = p.u8(l3 + 6);
        if (nexthdr == NEXTHDR_FRAGMENT) {
            return Reason.FRAGMENTED_IP_PACKET;
        }
        if (nexthdr != IPPROTO_UDP) {
            return Reason.NOT_UDP;
        }
        if (p.u8(l3 + 7) == 0) {
            return Reason.LIFETIME_EXPIRED;
        }
        Reason r = parseUdp(p, l3 + IPV6_HLEN);
        if (r != null) {
            return r;
        }
        r = checkLengths(p, l3, IPV6_HLEN + p.u16(l3 + 4), IPV6_HLEN);
        if (r != null) {
            return r;
        }
        // RFC 8200 section 8.1: IPv6 receivers must discard UDP datagrams with a zero checksum
        if (p.u16(p.udp + 6) == 0) {
            return Reason.IPV6_ZERO_UDP_CHECKSUM;
        }
        return null;
    }

    /**
     * Mirrors {@code check_ip_length}: the IP packet ({@code ipLen} bytes, at least
     * {@code minLen}) must fill the frame but for padding up to 60 bytes.
     */
    static Reason checkIpLength(Packet p, int l3, int ipLen, int minLen) {
        int avail = p.data.length - l3;
        if (ipLen > avail || ipLen < minLen || (ipLen < avail && p.data.length > ETH_ZLEN_NO_FCS)) {
            return Reason.INVALID_IP_LENGTH;
        }
        return null;
    }

    /**
     * Mirrors {@code check_lengths}: the IP length against the frame ({@code hdrLen}: the IP
     * header's own), and the UDP length must be what the IP length leaves for it.
     */
    static Reason checkLengths(Packet p, int l3, int ipLen, int hdrLen) {
        Reason r = checkIpLength(p, l3, ipLen, hdrLen + UDP_HLEN);
        if (r != null) {
            return r;
        }
        if (p.u16(p.udp + 4) != ipLen - hdrLen) {
            return Reason.INVALID_UDP_LENGTH;
        }
        return null;
    }

    /**
     * Mirrors {@code parse_icmp_error}, after {@link #parseFrame} said {@code NOT_UDP}: the offset
     * of the ICMP header of an error whose quote may be forwarded (IPv4 destination unreachable 3
     * or time exceeded 11; ICMPv6 destination unreachable 1, packet too big 2, time exceeded 3),
     * in bounds; -1 for anything else.
     */
    static int icmpError(Packet p) {
        int icmp;
        if (p.ip4 >= 0) {
            if (p.u8(p.ip4 + 9) != IPPROTO_ICMP) {
                return -1;
            }
            icmp = p.ip4 + (p.u8(p.ip4) & 0xf) * 4;
            if (icmp + ICMP_HLEN > p.data.length) {
                return -1;
            }
            int type = p.u8(icmp);
            return type == 3 || type == 11 ? icmp : -1;
        }
        if (p.ip6 < 0 || p.u8(p.ip6 + 6) != NEXTHDR_ICMPV6) {
            return -1;
        }
        icmp = p.ip6 + IPV6_HLEN;
        if (icmp + ICMP_HLEN > p.data.length) {
            return -1;
        }
        int type = p.u8(icmp);
        return type == 1 || type == 2 || type == 3 ? icmp : -1;
    }

    /**
     * The datagram an ICMP error quotes (mirrors {@code struct sbulb_quote}): the offsets of its
     * IP header (of the outer header's family) and of its UDP header's 8 bytes.
     */
    record Quote(int ip, int udp) {
    }

    /**
     * Mirrors {@code parse_quote}: the datagram after the ICMP header at {@code icmp}, UDP right
     * after its IP header (IPv4 options skipped by IHL; a non-first fragment refused), its UDP
     * header in bounds; null if it is not such a datagram.
     */
    static Quote quote(Packet p, int icmp) {
        int l3 = icmp + ICMP_HLEN;
        int udp;
        if (p.ip4 >= 0) {
            if (l3 + IPV4_HLEN > p.data.length || p.u8(l3) >>> 4 != 4 || (p.u8(l3) & 0xf) < 5
                    || p.u8(l3 + 9) != IPPROTO_UDP || (p.u16(l3 + 6) & IPV4_OFFSET) != 0) {
                return null;
            }
            udp = l3 + (p.u8(l3) & 0xf) * 4;
        } else {
            if (l3 + IPV6_HLEN > p.data.length || p.u8(l3) >>> 4 != 6 || p.u8(l3 + 6) != IPPROTO_UDP) {
                return null;
            }
            udp = l3 + IPV6_HLEN;
        }
        return udp + UDP_HLEN > p.data.length ? null : new Quote(l3, udp);
    }

    /** Mirrors {@code parse_udp}: the UDP header at {@code l4}; its length is checked by {@link #checkLengths}. */
    static Reason parseUdp(Packet p, int l4) {
        if (l4 + UDP_HLEN > p.data.length) {
            return Reason.INVALID_UDP_SIZE;
        }
        p.udp = l4;
        return null;
    }
}
