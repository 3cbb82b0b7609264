package io.sbulb.sim;

import io.sbulb.api.IpAddress;

/**
 * A frame being processed, mirroring {@code struct sbulb_pkt}: the bytes (edited in place, as
 * the XDP program edits the packet) and the offset of each header once it is known to be in
 * bounds, or -1. {@code data_end} is {@code data.length}.
 */
final class Packet {
    static final int FAMILY_NONE = 0;
    static final int FAMILY_IPV4 = 4;
    static final int FAMILY_IPV6 = 6;

    /** The frame, from the destination MAC; rewritten in place. */
    final byte[] data;
    int eth = -1;
    /** At most one of {@code ip4} / {@code ip6} is set. */
    int ip4 = -1;
    int ip6 = -1;
    int udp = -1;
    /** {@code SBULB_FAMILY_*} of the IP header found. */
    int family = FAMILY_NONE;

    Packet(byte[] data) {
        this.data = data;
    }

    /** Mirrors {@code load_addrs}: the source address as it sits in the IP header. */
    IpAddress saddr() {
        return ip4 >= 0 ? IpAddress.read(data, ip4 + 12, 4) : IpAddress.read(data, ip6 + 8, 16);
    }

    /** Mirrors {@code load_addrs}: the destination address as it sits in the IP header. */
    IpAddress daddr() {
        return ip4 >= 0 ? IpAddress.read(data, ip4 + 16, 4) : IpAddress.read(data, ip6 + 24, 16);
    }

    /** {@code bpf_ntohs(udp->source)}. */
    int udpSource() {
        return u16(udp);
    }

    /** {@code bpf_ntohs(udp->dest)}. */
    int udpDest() {
        return u16(udp + 2);
    }

    /** The byte at {@code off}, unsigned. */
    int u8(int off) {
        return data[off] & 0xff;
    }

    /** The big-endian 16-bit word at {@code off}. */
    int u16(int off) {
        return ((data[off] & 0xff) << 8) | (data[off + 1] & 0xff);
    }

    /** The big-endian 32-bit word at {@code off}. */
    int u32(int off) {
        return (u16(off) << 16) | u16(off + 2);
    }

    void put16(int off, int v) {
        data[off] = (byte) (v >>> 8);
        data[off + 1] = (byte) v;
    }

    void put32(int off, int v) {
        put16(off, v >>> 16);
        put16(off + 2, v);
    }
}
