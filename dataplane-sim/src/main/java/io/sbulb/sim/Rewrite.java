package io.sbulb.sim;

import io.sbulb.api.IpAddress;

/** Mirrors {@code rewrite()} and {@code rewrite_icmp_error()} of sbulb.bpf.c: the NAT of one frame, in place. */
final class Rewrite {

    private Rewrite() {
    }

    /**
     * Rewrites one address (destination on ingress, source on egress) to {@code to}, decrements
     * the TTL / hop limit, updates the checksums incrementally, swaps the MACs. The caller has
     * checked (parse) that the frame holds Ethernet, one IP header and a UDP header, and that
     * the TTL / hop limit is at least 1.
     */
    static void rewrite(Packet p, boolean dst, IpAddress to) {
        long delta = rewriteIp(p, dst, to);
        // The address is in the UDP pseudo-header; the TTL is not. A zero checksum stays zero.
        int check = p.udp + 6;
        p.put16(check, Csum.updateUdp(p.u16(check), delta));
        swapMacs(p);
    }

    /**
     * Mirrors {@code rewrite_ip}: writes {@code to} into one address of the IP header, decrements
     * the TTL / hop limit, updates the IPv4 header checksum; returns the address change as a
     * checksum delta (every pseudo-header holding the address changes by it).
     */
    private static long rewriteIp(Packet p, boolean dst, IpAddress to) {
        byte[] words = to.toPadded16(); // struct sbulb_addr: IPv4 in the first word, the rest 0
        long delta = 0;

        if (p.ip4 >= 0) {
            int ip = p.ip4;
            int field = dst ? ip + 16 : ip + 12;
            int ttlWord = ip + 8; // TTL and protocol: one checksummed word
            int oldTtlWord = p.u16(ttlWord);
            int newAddr = word(words, 0);

            delta = Csum.delta32(p.u32(field), newAddr);
            p.put32(field, newAddr);
            p.data[ttlWord] = (byte) (p.u8(ttlWord) - 1);
            p.put16(ip + 10, Csum.update(p.u16(ip + 10), delta + Csum.delta16(oldTtlWord, p.u16(ttlWord))));
        } else if (p.ip6 >= 0) {
            int ip6 = p.ip6;
            int field = dst ? ip6 + 24 : ip6 + 8;
            for (int i = 0; i < 4; i++) {
                int newWord = word(words, i);
                delta += Csum.delta32(p.u32(field + 4 * i), newWord);
                p.put32(field + 4 * i, newWord);
            }
            p.data[ip6 + 7] = (byte) (p.u8(ip6 + 7) - 1); // hop limit: not checksummed in IPv6
        }
        return delta;
    }

    /**
     * Mirrors {@code rewrite_icmp_error}: an ICMP error (header at {@code icmp}) about a datagram
     * the VIP sent ({@code q}) goes to the real server {@code to}: the outer destination and the
     * quoted source become {@code to}, TTL / hop limit - 1, MACs swapped; the outer IPv4 header
     * checksum, the quoted IPv4 header checksum, the quoted UDP checksum (a zero stays zero) and
     * the ICMP checksum (the quoted bytes changed; for ICMPv6 the pseudo-header's destination
     * too) are updated incrementally. The caller has checked that the outer destination is the
     * quoted source.
     */
    static void rewriteIcmpError(Packet p, int icmp, Parser.Quote q, IpAddress to) {
        long delta = rewriteIp(p, true, to);
        long quoted = delta;
        int old;
        if (p.ip4 >= 0) {
            System.arraycopy(to.bytes(), 0, p.data, q.ip() + 12, 4);
            old = p.u16(q.ip() + 10);
            p.put16(q.ip() + 10, Csum.update(old, delta));
            quoted += Csum.delta16(old, p.u16(q.ip() + 10));
        } else {
            System.arraycopy(to.bytes(), 0, p.data, q.ip() + 8, 16);
            quoted += delta; // the ICMPv6 pseudo-header's destination
        }
        old = p.u16(q.udp() + 6);
        p.put16(q.udp() + 6, Csum.updateUdp(old, delta));
        quoted += Csum.delta16(old, p.u16(q.udp() + 6));
        p.put16(icmp + 2, Csum.update(p.u16(icmp + 2), quoted));
        swapMacs(p);
    }

    /** Mirrors {@code swap_macs}: the frame goes back to the gateway it came from. */
    private static void swapMacs(Packet p) {
        byte[] mac = new byte[6];
        System.arraycopy(p.data, p.eth, mac, 0, 6);
        System.arraycopy(p.data, p.eth + 6, p.data, p.eth, 6);
        System.arraycopy(mac, 0, p.data, p.eth + 6, 6);
    }

    /** {@code to->words[i]}, as a big-endian int. */
    private static int word(byte[] addr, int i) {
        return ((addr[4 * i] & 0xff) << 24) | ((addr[4 * i + 1] & 0xff) << 16)
                | ((addr[4 * i + 2] & 0xff) << 8) | (addr[4 * i + 3] & 0xff);
    }
}
