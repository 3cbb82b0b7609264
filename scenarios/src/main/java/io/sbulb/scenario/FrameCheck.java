package io.sbulb.scenario;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.IcmpErrorFrame;
import io.sbulb.api.frame.UdpFrame;

/**
 * Checks one frame's result against its expectation. For TX the expected output is built from
 * scratch with {@link UdpFrame} (the independent oracle: input fields with the expected rewrite,
 * TTL - 1, MACs swapped, checksums recomputed in full, a zero UDP checksum kept zero), for an
 * ICMP error by fields with {@link IcmpErrorFrame#forwarded} (the quoted datagram rebuilt whole
 * with the real server as its source, then cut), and compared byte for byte; otherwise the
 * output must be the input, untouched.
 */
final class FrameCheck {

    private FrameCheck() {
    }

    /** Null if {@code r} meets {@code e}, else what is wrong (several lines). {@code fields}: the input's, or null (hex). */
    static String check(Frame input, FrameSpec fields, Result r, Expect e) {
        if (r.verdict() != e.expectedVerdict() || r.reason() != e.reason()) {
            return "expected " + e.expectedVerdict() + " " + e.reason() + ", got " + r.verdict() + " " + r.reason()
                    + "\n  input:  " + input.toHex() + "\n  output: " + r.output().toHex();
        }
        if (r.verdict() != Verdict.TX) {
            if (!r.output().equals(input)) {
                return "a " + r.verdict() + " frame must leave the data path unchanged, but it differs"
                        + difference(r.output(), input) + "\n  input:  " + input.toHex() + "\n  output: " + r.output().toHex();
            }
            return null;
        }
        Frame expected;
        boolean icmp = fields != null && fields.icmp() != null;
        try {
            expected = icmp ? expectedIcmpOutput(fields, e) : expectedTxOutput(input, e.src(), e.dst());
        } catch (IllegalArgumentException x) {
            return "cannot build the expected TX output from the input: " + x.getMessage();
        }
        if (!expected.equals(r.output())) {
            return "TX output differs from the independently built expected frame" + difference(r.output(), expected)
                    + "\n  input:    " + input.toHex() + "\n  expected: " + expected.toHex()
                    + "\n  actual:   " + r.output().toHex() + "\n  actual parsed: " + parsedOrWhy(r.output());
        }
        if (e.ttl() != null) {
            int ttl = r.output().byteAt(r.output().byteAt(12) == 0x08 ? UdpFrame.ETH_HLEN + 8 : UdpFrame.ETH_HLEN + 7) & 0xff;
            if (ttl != e.ttl()) {
                return "expected TTL / hop limit " + e.ttl() + " in the output, got " + ttl;
            }
        }
        if (checksumsValid(input) && !checksumsValid(r.output())) {
            return "the input's checksums were valid but the output's are not\n  output: " + r.output().toHex();
        }
        return null;
    }

    /** The frame a TX of {@code input} must give: rewritten endpoints, TTL - 1, MACs swapped, full checksums. */
    static Frame expectedTxOutput(Frame input, Endpoint src, Endpoint dst) {
        UdpFrame in = UdpFrame.parse(input);
        return in.forwarded(src != null ? src : in.source(), dst != null ? dst : in.destination()).toFrame();
    }

    /**
     * The frame a forwarded ICMP error must be: the error of {@code fields}, to the real server
     * {@code e.dst()} names (its address; its port is the quoted source port, kept), quoted source
     * rewritten the same, TTL - 1, MACs swapped, every checksum in full.
     */
    static Frame expectedIcmpOutput(FrameSpec fields, Expect e) {
        if (e.dst() == null || e.src() != null) {
            throw new IllegalArgumentException("an ICMP error forwarded names its real server as 'dst' (like"
                    + " \"198.18.1.1:5683\": the quoted source it becomes), and no 'src'");
        }
        Frame full = fields.toIcmpErrorFrame().forwarded(e.dst()).toFrame();
        return fields.truncateTo() == null ? full : Frame.of(java.util.Arrays.copyOf(full.bytes(), fields.truncateTo()));
    }

    static boolean checksumsValid(Frame f) {
        try {
            return UdpFrame.checksumsValid(f);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String parsedOrWhy(Frame f) {
        try {
            return UdpFrame.parse(f).toString();
        } catch (IllegalArgumentException e) {
            return "(not a UDP frame: " + e.getMessage() + ")";
        }
    }

    /** ": fields a, b, c; first at byte N (field) ...", or a length difference. */
    static String difference(Frame actual, Frame expected) {
        int n = Math.min(actual.length(), expected.length());
        java.util.Set<String> fields = new java.util.LinkedHashSet<>();
        int first = -1;
        for (int i = 0; i < n; i++) {
            if (actual.byteAt(i) != expected.byteAt(i)) {
                fields.add(field(expected, i));
                first = first < 0 ? i : first;
            }
        }
        String length = actual.length() == expected.length() ? ""
                : " in length: expected " + expected.length() + " bytes, got " + actual.length();
        if (first < 0) {
            return length;
        }
        return String.format(" in %s; first at byte %d (%s): expected 0x%02x, got 0x%02x%s", String.join(", ", fields),
                first, field(expected, first), expected.byteAt(first), actual.byteAt(first), length);
    }

    /** Which header field byte {@code i} of an Ethernet/IP/UDP (or ICMP error) frame belongs to, for messages. */
    static String field(Frame f, int i) {
        if (i < 6) {
            return "destination MAC";
        }
        if (i < 12) {
            return "source MAC";
        }
        if (i < 14 || f.length() < 15) {
            return "EtherType";
        }
        boolean v4 = f.byteAt(12) == 0x08 && f.byteAt(13) == 0x00;
        int ip = i - 14;
        int ipLen = v4 ? (f.byteAt(14) & 0xf) * 4 : 40;
        if (ip < ipLen) {
            String[] v4f = {"version/IHL", "TOS", "total length", "total length", "id", "id", "flags/fragment",
                "flags/fragment", "TTL", "protocol", "IPv4 header checksum", "IPv4 header checksum"};
            if (v4) {
                return ip < 12 ? v4f[ip] : ip < 16 ? "source address" : ip < 20 ? "destination address" : "IPv4 options";
            }
            return ip < 4 ? "version/class/flow label" : ip < 6 ? "payload length" : ip == 6 ? "next header"
                    : ip == 7 ? "hop limit" : ip < 24 ? "source address" : "destination address";
        }
        int udp = ip - ipLen;
        int proto = f.byteAt(v4 ? 14 + 9 : 14 + 6) & 0xff;
        if (proto == 1 || proto == 58) { // an ICMP error: its header, then the quoted datagram
            if (udp < 8) {
                return udp < 2 ? "ICMP type/code" : udp < 4 ? "ICMP checksum" : "ICMP MTU/unused";
            }
            int q = udp - 8;
            int qLen = v4 ? (f.length() > 14 + ipLen + 8 ? (f.byteAt(14 + ipLen + 8) & 0xf) * 4 : 20) : 40;
            return q < qLen ? "quoted IP header (byte " + q + ")" : q < qLen + 8 ? "quoted UDP header (byte " + (q - qLen) + ")"
                    : "quoted payload";
        }
        return udp < 2 ? "UDP source port" : udp < 4 ? "UDP destination port" : udp < 6 ? "UDP length"
                : udp < 8 ? "UDP checksum" : "payload";
    }
}
