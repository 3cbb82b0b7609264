package io.sbulb.api.frame;

/**
 * Internet checksums (RFC 1071) computed in full over the bytes, never incrementally: the
 * independent oracle that the data path's incremental updates are checked against.
 */
public final class Checksums {

    private Checksums() {
    }

    /** One's complement sum of 16-bit big-endian words of {@code b[off..off+len)}, folded to 16 bits. */
    public static int sum(byte[] b, int off, int len, int initial) {
        long sum = initial;
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8; // odd length: pad with a zero byte
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The IPv4 header checksum of {@code len} header bytes at {@code off}, checksum field taken as zero. */
    public static int ipv4Header(byte[] b, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        copy[10] = 0;
        copy[11] = 0;
        return ~sum(copy, 0, len, 0) & 0xffff;
    }

    /**
     * The UDP checksum over the pseudo-header (RFC 768 / RFC 8200 §8.1) and the UDP header and
     * payload at {@code udpOff} of length {@code udpLen}, checksum field taken as zero. A computed
     * 0 is returned as 0xFFFF, as it is transmitted.
     */
    public static int udp(byte[] src, byte[] dst, byte[] b, int udpOff, int udpLen) {
        byte[] seg = new byte[udpLen];
        System.arraycopy(b, udpOff, seg, 0, udpLen);
        seg[6] = 0;
        seg[7] = 0;
        int s = sum(seg, 0, seg.length, pseudoHeader(src, dst, udpLen, 17));
        int c = ~s & 0xffff;
        return c == 0 ? 0xffff : c;
    }

    /**
     * The running sum of the pseudo-header of an upper-layer checksum: IPv4's (RFC 768: addresses,
     * zero, protocol, 16-bit length) or IPv6's (RFC 8200 §8.1: addresses, 32-bit length, three
     * zeros, next header), for the UDP checksum and ICMPv6's.
     */
    static int pseudoHeader(byte[] src, byte[] dst, int length, int protocol) {
        byte[] pseudo = new byte[src.length + dst.length + (src.length == 4 ? 4 : 8)];
        System.arraycopy(src, 0, pseudo, 0, src.length);
        System.arraycopy(dst, 0, pseudo, src.length, dst.length);
        int p = src.length + dst.length;
        if (src.length == 4) {
            pseudo[p + 1] = (byte) protocol;
            pseudo[p + 2] = (byte) (length >>> 8);
            pseudo[p + 3] = (byte) length;
        } else {
            pseudo[p] = (byte) (length >>> 24);
            pseudo[p + 1] = (byte) (length >>> 16);
            pseudo[p + 2] = (byte) (length >>> 8);
            pseudo[p + 3] = (byte) length;
            pseudo[p + 7] = (byte) protocol;
        }
        return sum(pseudo, 0, pseudo.length, 0);
    }
}
