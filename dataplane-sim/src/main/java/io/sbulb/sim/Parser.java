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
    static final int NEXTHDR_FRAGMENT = 44;
    /** {@code IPV4_MF | IPV4_OFFSET}, host byte order. */
    static final int IPV4_MF_OR_OFFSET = 0x2000 | 0x1fff;
    static final int IPV4_HLEN = 20;
    static final int IPV6_HLEN = 40;
    static final int UDP_HLEN = 8;
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
        if (p.u8(l3 + 9) != IPPROTO_UDP) {
            return Reason.NOT_UDP;
        }
        if ((p.u16(l3 + 6) & IPV4_MF_OR_OFFSET) != 0) {
            return Reason.FRAGMENTED_IP_PACKET;
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
     * Mirrors {@code check_lengths}: the IP packet ({@code ipLen} bytes, header {@code hdrLen})
     * must fill the frame but for padding up to 60 bytes, and the UDP length must be what the IP
     * length leaves for it.
     */
    static Reason checkLengths(Packet p, int l3, int ipLen, int hdrLen) {
        int avail = p.data.length - l3;
        if (ipLen > avail || ipLen < hdrLen + UDP_HLEN || (ipLen < avail && p.data.length > ETH_ZLEN_NO_FCS)) {
            return Reason.INVALID_IP_LENGTH;
        }
        if (p.u16(p.udp + 4) != ipLen - hdrLen) {
            return Reason.INVALID_UDP_LENGTH;
        }
        return null;
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
