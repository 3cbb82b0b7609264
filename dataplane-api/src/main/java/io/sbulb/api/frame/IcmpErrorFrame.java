package io.sbulb.api.frame;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An Ethernet / IPv4-or-IPv6 / ICMP-or-ICMPv6 error frame described by its fields: a router (or
 * the client's host) reports a problem with a UDP datagram it quotes (RFC 792: the datagram's IP
 * header and at least its first 8 bytes after it; RFC 4443 §2.4: as much as fits). Every checksum
 * is computed in full ({@link Checksums}): the outer IPv4 header's, the ICMP one (ICMPv6: with its
 * pseudo-header), and those of the quoted datagram, which is built whole before it is cut.
 *
 * <p>Used to build test input, and as the independent oracle for the balancer's output: the
 * expected forwarding of an error is {@link #forwarded(Endpoint)}, built from scratch.
 */
public final class IcmpErrorFrame {

    /** ICMP (IPv4) destination unreachable; code 4: fragmentation needed, the MTU in {@code rest}'s low 16 bits. */
    public static final int V4_DEST_UNREACHABLE = 3;
    public static final int V4_TIME_EXCEEDED = 11;
    public static final int V4_ECHO_REQUEST = 8;
    public static final int V6_DEST_UNREACHABLE = 1;
    /** ICMPv6 packet too big: the MTU in {@code rest}. */
    public static final int V6_PACKET_TOO_BIG = 2;
    public static final int V6_TIME_EXCEEDED = 3;
    public static final int V6_ECHO_REQUEST = 128;

    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_ICMPV6 = 58;

    private final byte[] srcMac;
    private final byte[] dstMac;
    private final IpAddress from;
    private final IpAddress to;
    private final int ttl;
    private final int type;
    private final int code;
    private final long rest;
    private final UdpFrame quoted;
    private final int quoteBytes;

    private IcmpErrorFrame(Builder b) {
        this.srcMac = b.srcMac.clone();
        this.dstMac = b.dstMac.clone();
        this.from = Objects.requireNonNull(b.from, "the reporting address (from)");
        this.quoted = Objects.requireNonNull(b.quoted, "the quoted datagram");
        this.to = b.to != null ? b.to : quoted.source().address();
        if (from.family() != to.family() || from.family() != quoted.family()) {
            throw new IllegalArgumentException("the error from " + from + " to " + to + " and the datagram it quotes ("
                    + quoted.source() + " -> " + quoted.destination() + ") differ in family");
        }
        if (b.ttl < 0 || b.ttl > 255 || b.type < 0 || b.type > 255 || b.code < 0 || b.code > 255) {
            throw new IllegalArgumentException("TTL " + b.ttl + ", type " + b.type + ", code " + b.code
                    + ": each must be within 0..255");
        }
        if (b.quoteBytes < -1) {
            throw new IllegalArgumentException("quoteBytes " + b.quoteBytes + " is negative");
        }
        this.ttl = b.ttl;
        this.type = b.type;
        this.code = b.code;
        this.rest = b.rest & 0xffffffffL;
        this.quoteBytes = b.quoteBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this frame. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.srcMac = srcMac.clone();
        b.dstMac = dstMac.clone();
        b.from = from;
        b.to = to.equals(quoted.source().address()) ? null : to;
        b.ttl = ttl;
        b.type = type;
        b.code = code;
        b.rest = rest;
        b.quoted = quoted;
        b.quoteBytes = quoteBytes;
        return b;
    }

    /**
     * This error as the load balancer forwards it to the real server of the quoted client: the
     * outer destination and the quoted source become {@code server} (its address; its port must
     * be the quoted source port, which the balancer keeps), TTL / hop limit minus 1, MACs swapped,
     * every checksum computed in full.
     */
    public IcmpErrorFrame forwarded(Endpoint server) {
        Builder b = toBuilder().ttl(ttl - 1).srcMac(dstMac).dstMac(srcMac);
        b.to = null;
        return b.quoted(quoted.toBuilder().source(server).build()).build();
    }

    public IpAddress from() {
        return from;
    }

    /** The outer destination: the quoted datagram's source unless set otherwise. */
    public IpAddress to() {
        return to;
    }

    public UdpFrame quoted() {
        return quoted;
    }

    public int ttl() {
        return ttl;
    }

    public int type() {
        return type;
    }

    public int code() {
        return code;
    }

    /** The ICMP header's last 4 bytes (unused, or the MTU of a "too big" error). */
    public long rest() {
        return rest;
    }

    /** Bytes of the quoted IP packet kept, or -1: all of it. */
    public int quoteBytes() {
        return quoteBytes;
    }

    public byte[] srcMac() {
        return srcMac.clone();
    }

    public byte[] dstMac() {
        return dstMac.clone();
    }

    public int family() {
        return from.family();
    }

    /** The quoted IP packet as it is carried: built whole (its checksums in full), then cut to {@link #quoteBytes}. */
    public byte[] quote() {
        byte[] q = quoted.toFrame().bytes();
        byte[] ip = Arrays.copyOfRange(q, UdpFrame.ETH_HLEN, q.length);
        return quoteBytes < 0 || quoteBytes >= ip.length ? ip : Arrays.copyOf(ip, quoteBytes);
    }

    /** Serialises the frame, computing lengths and checksums in full. */
    public Frame toFrame() {
        boolean v4 = from.isIpv4();
        byte[] quote = quote();
        int icmpLen = 8 + quote.length;
        int ipHeaderLen = v4 ? 20 : 40;
        byte[] b = new byte[UdpFrame.ETH_HLEN + ipHeaderLen + icmpLen];
        UdpFrame.writeEthernet(b, srcMac, dstMac, v4);
        int ip = UdpFrame.ETH_HLEN;
        byte[] s = from.bytes();
        byte[] d = to.bytes();
        if (v4) {
            b[ip] = 0x45;
            put16(b, ip + 2, ipHeaderLen + icmpLen);
            b[ip + 8] = (byte) ttl;
            b[ip + 9] = IPPROTO_ICMP;
            System.arraycopy(s, 0, b, ip + 12, 4);
            System.arraycopy(d, 0, b, ip + 16, 4);
            put16(b, ip + 10, Checksums.ipv4Header(b, ip, ipHeaderLen));
        } else {
            b[ip] = 0x60;
            put16(b, ip + 4, icmpLen);
            b[ip + 6] = IPPROTO_ICMPV6;
            b[ip + 7] = (byte) ttl;
            System.arraycopy(s, 0, b, ip + 8, 16);
            System.arraycopy(d, 0, b, ip + 24, 16);
        }
        int icmp = ip + ipHeaderLen;
        b[icmp] = (byte) type;
        b[icmp + 1] = (byte) code;
        put16(b, icmp + 4, (int) (rest >>> 16));
        put16(b, icmp + 6, (int) rest);
        System.arraycopy(quote, 0, b, icmp + 8, quote.length);
        // ICMPv6's covers the pseudo-header (RFC 4443 §2.3); ICMP's does not
        int sum = v4 ? 0 : Checksums.pseudoHeader(s, d, icmpLen, IPPROTO_ICMPV6);
        put16(b, icmp + 2, ~Checksums.sum(b, icmp, icmpLen, sum) & 0xffff);
        return Frame.of(b);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    @Override
    public String toString() {
        return "ICMP" + (from.isIpv4() ? "" : "v6") + " type " + type + " code " + code + " " + from + " -> " + to
                + " ttl " + ttl + " quoting " + quoted.source() + " -> " + quoted.destination()
                + (quoteBytes < 0 ? "" : " (" + quoteBytes + " bytes)") + UdpFrame.macs(srcMac, dstMac);
    }

    /** Fields of an {@link IcmpErrorFrame}; defaults: TTL 64, rest 0, the whole datagram quoted, UdpFrame's MACs. */
    public static final class Builder {
        private byte[] srcMac = {0x02, 0, 0, 0, 0, 0x01};
        private byte[] dstMac = {0x02, 0, 0, 0, 0, 0x02};
        private IpAddress from;
        private IpAddress to;
        private int ttl = 64;
        private int type;
        private int code;
        private long rest;
        private UdpFrame quoted;
        private int quoteBytes = -1;

        private Builder() {
        }

        public Builder srcMac(byte[] mac) {
            this.srcMac = UdpFrame.checkMac(mac);
            return this;
        }

        public Builder dstMac(byte[] mac) {
            this.dstMac = UdpFrame.checkMac(mac);
            return this;
        }

        /** The address reporting the error (a router, the client's host). */
        public Builder from(IpAddress address) {
            this.from = address;
            return this;
        }

        /** The outer destination; by default the quoted datagram's source, where errors go. */
        public Builder to(IpAddress address) {
            this.to = address;
            return this;
        }

        public Builder ttl(int ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder type(int type) {
            this.type = type;
            return this;
        }

        public Builder code(int code) {
            this.code = code;
            return this;
        }

        /** The ICMP header's last 4 bytes: e.g. the MTU of a fragmentation-needed or packet-too-big error. */
        public Builder rest(long rest) {
            this.rest = rest;
            return this;
        }

        /** The datagram the error is about, whole, as its sender sent it. */
        public Builder quoted(UdpFrame datagram) {
            this.quoted = datagram;
            return this;
        }

        /** How many bytes of the quoted IP packet the error carries; -1 (default): all. */
        public Builder quoteBytes(int n) {
            this.quoteBytes = n;
            return this;
        }

        public IcmpErrorFrame build() {
            return new IcmpErrorFrame(this);
        }
    }
}
