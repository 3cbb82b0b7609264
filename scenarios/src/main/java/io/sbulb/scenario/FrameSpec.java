package io.sbulb.scenario;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.frame.IcmpErrorFrame;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.frame.UdpFrame.ChecksumMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A UDP frame described by its fields, as written in a scenario. Fields left null take
 * {@link UdpFrame.Builder}'s defaults (TTL 64, locally administered MACs, DF set, computed checksum).
 *
 * @param src               source endpoint
 * @param dst               destination endpoint
 * @param ttl               TTL / hop limit, or null
 * @param payload           payload as UTF-8 text, or null
 * @param payloadHex        payload as hex (normalised lower case), or null; not both
 * @param srcMac            source MAC as {@code 02:00:00:00:00:01}, or null
 * @param dstMac            destination MAC, or null
 * @param ipv4Options       IPv4 options as hex, or null
 * @param ipv4FlagsFragment the IPv4 flags + fragment offset field, or null
 * @param udpChecksum       ZERO or COMPUTED, or null (computed)
 * @param truncateTo        keep only the first n bytes of the built frame, or null
 * @param icmp              null for a UDP frame; else the frame is this ICMP error about the UDP
 *                          datagram the other fields describe ({@link IcmpSpec}: ttl and MACs are
 *                          then the error's)
 */
public record FrameSpec(Endpoint src, Endpoint dst, Integer ttl, String payload, String payloadHex,
                        String srcMac, String dstMac, String ipv4Options, Integer ipv4FlagsFragment,
                        ChecksumMode udpChecksum, Integer truncateTo, IcmpSpec icmp) {

    public FrameSpec {
        if (src == null || dst == null) {
            throw new IllegalArgumentException("a frame needs src and dst");
        }
        if (payload != null && payloadHex != null) {
            throw new IllegalArgumentException("give payload or payloadHex, not both");
        }
        payloadHex = payloadHex == null ? null : normaliseHex(payloadHex);
        ipv4Options = ipv4Options == null ? null : normaliseHex(ipv4Options);
        srcMac = srcMac == null ? null : normaliseMac(srcMac);
        dstMac = dstMac == null ? null : normaliseMac(dstMac);
        if (truncateTo != null && truncateTo < 0) {
            throw new IllegalArgumentException("truncateTo " + truncateTo + " is negative");
        }
    }

    /** A UDP frame (no {@code icmp}). */
    public FrameSpec(Endpoint src, Endpoint dst, Integer ttl, String payload, String payloadHex, String srcMac,
                     String dstMac, String ipv4Options, Integer ipv4FlagsFragment, ChecksumMode udpChecksum,
                     Integer truncateTo) {
        this(src, dst, ttl, payload, payloadHex, srcMac, dstMac, ipv4Options, ipv4FlagsFragment, udpChecksum, truncateTo,
                null);
    }

    /** A frame from {@code src} to {@code dst} with everything else default. */
    public static FrameSpec of(Endpoint src, Endpoint dst) {
        return new FrameSpec(src, dst, null, null, null, null, null, null, null, null, null);
    }

    public FrameSpec withSrc(Endpoint newSrc) {
        return new FrameSpec(newSrc, dst, ttl, payload, payloadHex, srcMac, dstMac, ipv4Options, ipv4FlagsFragment,
                udpChecksum, truncateTo, icmp);
    }

    /**
     * The ICMP error these fields describe (before any truncation): the quoted datagram is the
     * UDP frame of the fields, as its sender sent it (TTL 64); the error's TTL and MACs are the
     * fields'. Only for {@code icmp != null}.
     */
    public IcmpErrorFrame toIcmpErrorFrame() {
        UdpFrame datagram = udpBuilder().build();
        IcmpErrorFrame.Builder b = IcmpErrorFrame.builder().from(icmp.from()).type(icmp.type()).code(icmp.code())
                .rest(icmp.mtu()).quoted(datagram).quoteBytes(icmp.quoteBytes() == null ? -1 : icmp.quoteBytes());
        if (ttl != null) {
            b.ttl(ttl);
        }
        if (srcMac != null) {
            b.srcMac(HexFormat.ofDelimiter(":").parseHex(srcMac));
        }
        if (dstMac != null) {
            b.dstMac(HexFormat.ofDelimiter(":").parseHex(dstMac));
        }
        return b.build();
    }

    /** The fields as a {@link UdpFrame} (before any truncation); for an ICMP error, the datagram it quotes. */
    public UdpFrame toUdpFrame() {
        if (icmp != null) {
            return toIcmpErrorFrame().quoted();
        }
        UdpFrame.Builder b = udpBuilder();
        if (ttl != null) {
            b.ttl(ttl);
        }
        if (srcMac != null) {
            b.srcMac(HexFormat.ofDelimiter(":").parseHex(srcMac));
        }
        if (dstMac != null) {
            b.dstMac(HexFormat.ofDelimiter(":").parseHex(dstMac));
        }
        return b.build();
    }

    /** The UDP datagram's own fields: addresses, ports, payload, IPv4 options and flags, checksum. */
    private UdpFrame.Builder udpBuilder() {
        UdpFrame.Builder b = UdpFrame.builder().source(src).destination(dst);
        if (payload != null) {
            b.payload(payload.getBytes(StandardCharsets.UTF_8));
        } else if (payloadHex != null) {
            b.payload(HexFormat.of().parseHex(payloadHex));
        }
        if (ipv4Options != null) {
            b.ipv4Options(HexFormat.of().parseHex(ipv4Options));
        }
        if (ipv4FlagsFragment != null) {
            b.ipv4FlagsFragment(ipv4FlagsFragment);
        }
        if (udpChecksum != null) {
            b.checksum(udpChecksum);
        }
        return b;
    }

    /** The bytes to send. */
    public Frame toFrame() {
        Frame full = icmp != null ? toIcmpErrorFrame().toFrame() : toUdpFrame().toFrame();
        if (truncateTo == null) {
            return full;
        }
        if (truncateTo > full.length()) {
            throw new IllegalArgumentException("truncateTo " + truncateTo + " is longer than the frame ("
                    + full.length() + " bytes)");
        }
        return Frame.of(Arrays.copyOf(full.bytes(), truncateTo));
    }

    static String normaliseHex(String hex) {
        String clean = hex.replaceAll("[\\s:]", "").toLowerCase(java.util.Locale.ROOT);
        HexFormat.of().parseHex(clean); // throws IllegalArgumentException on bad hex
        return clean;
    }

    static String normaliseMac(String mac) {
        byte[] b;
        try {
            b = HexFormat.ofDelimiter(":").parseHex(mac.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + mac + "' is not a MAC address like 02:00:00:00:00:01");
        }
        if (b.length != 6) {
            throw new IllegalArgumentException("'" + mac + "' is not a MAC address like 02:00:00:00:00:01");
        }
        return HexFormat.ofDelimiter(":").formatHex(b);
    }

    @Override
    public String toString() {
        return (icmp != null ? icmp + " about " : "") + src + " -> " + dst + (ttl != null ? " ttl " + ttl : "")
                + (truncateTo != null ? " truncated to " + truncateTo : "");
    }
}
