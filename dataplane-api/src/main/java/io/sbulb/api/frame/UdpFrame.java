package io.sbulb.api.frame;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A well-formed Ethernet / IPv4-or-IPv6 / UDP frame described by its fields, and the reverse:
 * reading those fields back from a frame. Checksums are always computed in full
 * ({@link Checksums}); the IPv4 header may carry options and fragment fields.
 *
 * <p>Used to build test input, and as the independent oracle for expected output: the expected
 * rewrite of a frame is a new {@code UdpFrame} with the rewritten fields, built from scratch.
 */
public final class UdpFrame {

    public static final int ETH_HLEN = 14;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;

    /** UDP checksum handling when building. */
    public enum ChecksumMode {
        /** Computed over pseudo-header and segment (0 sent as 0xFFFF). */
        COMPUTED,
        /** Left 0: "no checksum" (valid for IPv4 only, RFC 768). */
        ZERO
    }

    private final byte[] srcMac;
    private final byte[] dstMac;
    private final Endpoint src;
    private final Endpoint dst;
    private final int ttl;
    private final byte[] payload;
    private final byte[] ipv4Options;
    private final int ipv4Id;
    private final int ipv4FlagsFragment; // the 16-bit flags + fragment offset field
    private final int tos;
    private final int flowLabel;
    private final ChecksumMode checksumMode;

    private UdpFrame(Builder b) {
        this.srcMac = b.srcMac.clone();
        this.dstMac = b.dstMac.clone();
        this.src = Objects.requireNonNull(b.src, "source endpoint");
        this.dst = Objects.requireNonNull(b.dst, "destination endpoint");
        if (src.address().family() != dst.address().family()) {
            throw new IllegalArgumentException("source " + src + " and destination " + dst + " differ in family");
        }
        if (b.ttl < 0 || b.ttl > 255) {
            throw new IllegalArgumentException("TTL " + b.ttl + " is outside 0..255");
        }
        if (b.ipv4Options.length % 4 != 0 || b.ipv4Options.length > 40) {
            throw new IllegalArgumentException("IPv4 options must be a multiple of 4 bytes, at most 40; got "
                    + b.ipv4Options.length);
        }
        this.ttl = b.ttl;
        this.payload = b.payload.clone();
        this.ipv4Options = b.ipv4Options.clone();
        this.ipv4Id = b.ipv4Id;
        this.ipv4FlagsFragment = b.ipv4FlagsFragment;
        this.tos = b.tos;
        this.flowLabel = b.flowLabel;
        this.checksumMode = b.checksumMode;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this frame, to change a few and build a new one. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.srcMac = srcMac.clone();
        b.dstMac = dstMac.clone();
        b.src = src;
        b.dst = dst;
        b.ttl = ttl;
        b.payload = payload.clone();
        b.ipv4Options = ipv4Options.clone();
        b.ipv4Id = ipv4Id;
        b.ipv4FlagsFragment = ipv4FlagsFragment;
        b.tos = tos;
        b.flowLabel = flowLabel;
        b.checksumMode = checksumMode;
        return b;
    }

    /**
     * This frame as the load balancer forwards it with new endpoints: TTL / hop limit minus 1,
     * MACs swapped, checksums computed in full (a zero UDP checksum stays zero). The expected
     * output of a NAT, built without the data path's incremental checksum code.
     */
    public UdpFrame forwarded(Endpoint newSource, Endpoint newDestination) {
        return toBuilder().source(newSource).destination(newDestination).ttl(ttl - 1)
                .srcMac(dstMac).dstMac(srcMac).build();
    }

    public Endpoint source() {
        return src;
    }

    public Endpoint destination() {
        return dst;
    }

    public int ttl() {
        return ttl;
    }

    public byte[] srcMac() {
        return srcMac.clone();
    }

    public byte[] dstMac() {
        return dstMac.clone();
    }

    public byte[] payload() {
        return payload.clone();
    }

    public int family() {
        return src.address().family();
    }

    /** Serialises the frame, computing lengths and checksums in full. */
    public Frame toFrame() {
        boolean v4 = src.address().isIpv4();
        int ipHeaderLen = v4 ? 20 + ipv4Options.length : 40;
        int udpLen = 8 + payload.length;
        byte[] b = new byte[ETH_HLEN + ipHeaderLen + udpLen];
        writeEthernet(b, srcMac, dstMac, v4);
        int ip = ETH_HLEN;
        byte[] s = src.address().bytes();
        byte[] d = dst.address().bytes();
        if (v4) {
            int totalLen = ipHeaderLen + udpLen;
            b[ip] = (byte) (0x40 | (ipHeaderLen / 4));
            b[ip + 1] = (byte) tos;
            b[ip + 2] = (byte) (totalLen >>> 8);
            b[ip + 3] = (byte) totalLen;
            b[ip + 4] = (byte) (ipv4Id >>> 8);
            b[ip + 5] = (byte) ipv4Id;
            b[ip + 6] = (byte) (ipv4FlagsFragment >>> 8);
            b[ip + 7] = (byte) ipv4FlagsFragment;
            b[ip + 8] = (byte) ttl;
            b[ip + 9] = 17;
            System.arraycopy(s, 0, b, ip + 12, 4);
            System.arraycopy(d, 0, b, ip + 16, 4);
            System.arraycopy(ipv4Options, 0, b, ip + 20, ipv4Options.length);
            int hc = Checksums.ipv4Header(b, ip, ipHeaderLen);
            b[ip + 10] = (byte) (hc >>> 8);
            b[ip + 11] = (byte) hc;
        } else {
            b[ip] = (byte) (0x60 | (tos >>> 4));
            b[ip + 1] = (byte) (((tos & 0xf) << 4) | ((flowLabel >>> 16) & 0xf));
            b[ip + 2] = (byte) (flowLabel >>> 8);
            b[ip + 3] = (byte) flowLabel;
            b[ip + 4] = (byte) (udpLen >>> 8);
            b[ip + 5] = (byte) udpLen;
            b[ip + 6] = 17;
            b[ip + 7] = (byte) ttl;
            System.arraycopy(s, 0, b, ip + 8, 16);
            System.arraycopy(d, 0, b, ip + 24, 16);
        }
        int udp = ip + ipHeaderLen;
        b[udp] = (byte) (src.port() >>> 8);
        b[udp + 1] = (byte) src.port();
        b[udp + 2] = (byte) (dst.port() >>> 8);
        b[udp + 3] = (byte) dst.port();
        b[udp + 4] = (byte) (udpLen >>> 8);
        b[udp + 5] = (byte) udpLen;
        System.arraycopy(payload, 0, b, udp + 8, payload.length);
        if (checksumMode == ChecksumMode.COMPUTED) {
            int uc = Checksums.udp(s, d, b, udp, udpLen);
            b[udp + 6] = (byte) (uc >>> 8);
            b[udp + 7] = (byte) uc;
        }
        return Frame.of(b);
    }

    /**
     * Reads a frame built the way {@link #toFrame()} builds one (IPv4 with any options, or IPv6
     * with UDP as the next header). Checksums are not verified here; see {@link #checksumsValid(Frame)}.
     *
     * @throws IllegalArgumentException if the frame is not such a UDP frame
     */
    public static UdpFrame parse(Frame frame) {
        byte[] b = frame.bytes();
        if (b.length < ETH_HLEN) {
            throw new IllegalArgumentException("frame of " + b.length + " bytes has no Ethernet header");
        }
        Builder r = builder();
        r.dstMac = Arrays.copyOfRange(b, 0, 6);
        r.srcMac = Arrays.copyOfRange(b, 6, 12);
        int ethertype = u16(b, 12);
        int ip = ETH_HLEN;
        int udp;
        IpAddress s;
        IpAddress d;
        if (ethertype == ETHERTYPE_IPV4) {
            need(b, ip + 20, "IPv4 header");
            int hl = (b[ip] & 0xf) * 4;
            need(b, ip + hl, "IPv4 header with options");
            if (b[ip + 9] != 17) {
                throw new IllegalArgumentException("IPv4 protocol " + (b[ip + 9] & 0xff) + " is not UDP");
            }
            r.tos = b[ip + 1] & 0xff;
            r.ipv4Id = u16(b, ip + 4);
            r.ipv4FlagsFragment = u16(b, ip + 6);
            r.ttl = b[ip + 8] & 0xff;
            s = IpAddress.read(b, ip + 12, 4);
            d = IpAddress.read(b, ip + 16, 4);
            r.ipv4Options = Arrays.copyOfRange(b, ip + 20, ip + hl);
            udp = ip + hl;
        } else if (ethertype == ETHERTYPE_IPV6) {
            need(b, ip + 40, "IPv6 header");
            if (b[ip + 6] != 17) {
                throw new IllegalArgumentException("IPv6 next header " + (b[ip + 6] & 0xff) + " is not UDP");
            }
            r.tos = ((b[ip] & 0xf) << 4) | ((b[ip + 1] & 0xff) >>> 4);
            r.flowLabel = ((b[ip + 1] & 0xf) << 16) | u16(b, ip + 2);
            r.ttl = b[ip + 7] & 0xff;
            s = IpAddress.read(b, ip + 8, 16);
            d = IpAddress.read(b, ip + 24, 16);
            udp = ip + 40;
        } else {
            throw new IllegalArgumentException(String.format("EtherType 0x%04x is neither IPv4 nor IPv6", ethertype));
        }
        need(b, udp + 8, "UDP header");
        r.src = new Endpoint(s, u16(b, udp));
        r.dst = new Endpoint(d, u16(b, udp + 2));
        int udpLen = Math.min(u16(b, udp + 4), b.length - udp);
        r.payload = Arrays.copyOfRange(b, udp + 8, udp + Math.max(8, udpLen));
        r.checksumMode = u16(b, udp + 6) == 0 ? ChecksumMode.ZERO : ChecksumMode.COMPUTED;
        return r.build();
    }

    /** True when the IPv4 header checksum (if any) and the UDP checksum (unless 0 on IPv4) are right. */
    public static boolean checksumsValid(Frame frame) {
        byte[] b = frame.bytes();
        UdpFrame f = parse(frame);
        int ip = ETH_HLEN;
        int udp;
        if (f.family() == 4) {
            int hl = (b[ip] & 0xf) * 4;
            if (Checksums.ipv4Header(b, ip, hl) != u16(b, ip + 10)) {
                return false;
            }
            udp = ip + hl;
        } else {
            udp = ip + 40;
        }
        int stored = u16(b, udp + 6);
        if (stored == 0 && f.family() == 4) {
            return true;
        }
        int udpLen = u16(b, udp + 4);
        return Checksums.udp(f.src.address().bytes(), f.dst.address().bytes(), b, udp, udpLen) == stored;
    }

    /** The Ethernet header of a frame of this package: MACs and the family's EtherType. */
    static void writeEthernet(byte[] b, byte[] srcMac, byte[] dstMac, boolean v4) {
        System.arraycopy(dstMac, 0, b, 0, 6);
        System.arraycopy(srcMac, 0, b, 6, 6);
        int ethertype = v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
        b[12] = (byte) (ethertype >>> 8);
        b[13] = (byte) ethertype;
    }

    /** " mac SRC -> DST", for toString. */
    static String macs(byte[] srcMac, byte[] dstMac) {
        return " mac " + HexFormat.ofDelimiter(":").formatHex(srcMac) + " -> " + HexFormat.ofDelimiter(":").formatHex(dstMac);
    }

    static byte[] checkMac(byte[] mac) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + mac.length);
        }
        return mac.clone();
    }

    private static void need(byte[] b, int len, String what) {
        if (b.length < len) {
            throw new IllegalArgumentException("frame of " + b.length + " bytes is too short for the " + what);
        }
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    @Override
    public String toString() {
        return src + " -> " + dst + " ttl " + ttl + " payload " + payload.length + "B" + macs(srcMac, dstMac);
    }

    /** Fields of a {@link UdpFrame}; defaults: locally administered MACs, TTL 64, empty payload. */
    public static final class Builder {
        private byte[] srcMac = {0x02, 0, 0, 0, 0, 0x01};
        private byte[] dstMac = {0x02, 0, 0, 0, 0, 0x02};
        private Endpoint src;
        private Endpoint dst;
        private int ttl = 64;
        private byte[] payload = new byte[0];
        private byte[] ipv4Options = new byte[0];
        private int ipv4Id = 1;
        private int ipv4FlagsFragment = 0x4000; // DF
        private int tos = 0;
        private int flowLabel = 0;
        private ChecksumMode checksumMode = ChecksumMode.COMPUTED;

        private Builder() {
        }

        public Builder srcMac(byte[] mac) {
            this.srcMac = checkMac(mac);
            return this;
        }

        public Builder dstMac(byte[] mac) {
            this.dstMac = checkMac(mac);
            return this;
        }

        public Builder source(Endpoint e) {
            this.src = e;
            return this;
        }

        public Builder source(String address, int port) {
            return source(Endpoint.of(address, port));
        }

        public Builder source(IpAddress address, int port) {
            return source(new Endpoint(address, port));
        }

        public Builder destination(Endpoint e) {
            this.dst = e;
            return this;
        }

        public Builder destination(String address, int port) {
            return destination(Endpoint.of(address, port));
        }

        public Builder destination(IpAddress address, int port) {
            return destination(new Endpoint(address, port));
        }

        public Builder ttl(int ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder payload(byte[] payload) {
            this.payload = payload.clone();
            return this;
        }

        public Builder ipv4Options(byte[] options) {
            this.ipv4Options = options.clone();
            return this;
        }

        public Builder ipv4Id(int id) {
            this.ipv4Id = id & 0xffff;
            return this;
        }

        /** The IPv4 flags and fragment offset field (e.g. 0x2000 = more fragments, offset 0). */
        public Builder ipv4FlagsFragment(int field) {
            this.ipv4FlagsFragment = field & 0xffff;
            return this;
        }

        /** IPv4 TOS byte or IPv6 traffic class. */
        public Builder tos(int tos) {
            this.tos = tos & 0xff;
            return this;
        }

        public Builder flowLabel(int label) {
            this.flowLabel = label & 0xfffff;
            return this;
        }

        public Builder checksum(ChecksumMode mode) {
            this.checksumMode = mode;
            return this;
        }

        public UdpFrame build() {
            return new UdpFrame(this);
        }
    }
}
