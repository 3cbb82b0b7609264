package io.sbulb.pcap;

import io.sbulb.api.IpAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Cuts an Ethernet frame into named header fields, named as Scapy names them ({@code Ether.dst},
 * {@code IP.ttl}, {@code IPv6.hlim}, {@code UDP.chksum}, {@code Raw.load}), so that a difference
 * between two frames can be reported as the field that differs, not as a byte offset.
 *
 * <p>The fields cover the whole frame, in order: what is not a header sbulb parses (Ethernet,
 * IPv4 with options, IPv6, UDP) is one trailing {@code Raw.load} field.
 */
final class FrameFields {

    /** How a field's bytes are shown to a user. */
    enum Format { MAC, DECIMAL, HEX, IPV4, IPV6, BYTES }

    /** One field: {@code length} bytes from {@code offset}. */
    record Field(String name, int offset, int length, Format format) {

        /** The field's value in {@code frame}, or null when the frame ends before the field does. */
        String render(byte[] frame) {
            if (offset + length > frame.length) {
                return null;
            }
            return switch (format) {
                case MAC -> HexFormat.ofDelimiter(":").formatHex(frame, offset, offset + length);
                case DECIMAL -> Long.toString(unsigned(frame, offset, length));
                case HEX -> "0x" + HexFormat.of().formatHex(frame, offset, offset + length);
                case IPV4 -> IpAddress.read(frame, offset, 4).toString();
                case IPV6 -> IpAddress.read(frame, offset, 6).toString();
                case BYTES -> bytes(frame, offset, length);
            };
        }

        boolean sameIn(byte[] a, byte[] b) {
            if (offset + length > a.length || offset + length > b.length) {
                return false;
            }
            for (int i = offset; i < offset + length; i++) {
                if (a[i] != b[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final int ETH_HLEN = 14;
    private static final int IPV4_MIN = 20;
    private static final int IPV6_HLEN = 40;
    private static final int UDP_HLEN = 8;
    private static final int PROTO_UDP = 17;

    private FrameFields() {
    }

    /** The fields of {@code frame}, covering every byte of it. */
    static List<Field> of(byte[] frame) {
        List<Field> fields = new ArrayList<>();
        int end = frame.length;
        if (end < ETH_HLEN) {
            add(fields, "Raw.load", 0, end, Format.BYTES);
            return fields;
        }
        add(fields, "Ether.dst", 0, 6, Format.MAC);
        add(fields, "Ether.src", 6, 6, Format.MAC);
        add(fields, "Ether.type", 12, 2, Format.HEX);
        int type = (int) unsigned(frame, 12, 2);
        int at = ETH_HLEN;
        int proto = -1;
        if (type == 0x0800 && end >= at + IPV4_MIN && (frame[at] & 0xf0) == 0x40) {
            int hlen = (frame[at] & 0x0f) * 4;
            add(fields, "IP.version/ihl", at, 1, Format.HEX);
            add(fields, "IP.tos", at + 1, 1, Format.HEX);
            add(fields, "IP.len", at + 2, 2, Format.DECIMAL);
            add(fields, "IP.id", at + 4, 2, Format.DECIMAL);
            add(fields, "IP.flags/frag", at + 6, 2, Format.HEX);
            add(fields, "IP.ttl", at + 8, 1, Format.DECIMAL);
            add(fields, "IP.proto", at + 9, 1, Format.DECIMAL);
            add(fields, "IP.chksum", at + 10, 2, Format.HEX);
            add(fields, "IP.src", at + 12, 4, Format.IPV4);
            add(fields, "IP.dst", at + 16, 4, Format.IPV4);
            if (hlen > IPV4_MIN && end >= at + hlen) {
                add(fields, "IP.options", at + IPV4_MIN, hlen - IPV4_MIN, Format.BYTES);
            }
            if (hlen >= IPV4_MIN && end >= at + hlen) {
                proto = frame[at + 9] & 0xff;
                at += hlen;
            } else {
                at += IPV4_MIN;
            }
        } else if (type == 0x86DD && end >= at + IPV6_HLEN && (frame[at] & 0xf0) == 0x60) {
            add(fields, "IPv6.version/tc/fl", at, 4, Format.HEX);
            add(fields, "IPv6.plen", at + 4, 2, Format.DECIMAL);
            add(fields, "IPv6.nh", at + 6, 1, Format.DECIMAL);
            add(fields, "IPv6.hlim", at + 7, 1, Format.DECIMAL);
            add(fields, "IPv6.src", at + 8, 16, Format.IPV6);
            add(fields, "IPv6.dst", at + 24, 16, Format.IPV6);
            proto = frame[at + 6] & 0xff;
            at += IPV6_HLEN;
        }
        if (proto == PROTO_UDP && end >= at + UDP_HLEN) {
            add(fields, "UDP.sport", at, 2, Format.DECIMAL);
            add(fields, "UDP.dport", at + 2, 2, Format.DECIMAL);
            add(fields, "UDP.len", at + 4, 2, Format.DECIMAL);
            add(fields, "UDP.chksum", at + 6, 2, Format.HEX);
            at += UDP_HLEN;
        }
        if (at < end) {
            add(fields, "Raw.load", at, end - at, Format.BYTES);
        }
        return fields;
    }

    private static void add(List<Field> fields, String name, int offset, int length, Format format) {
        fields.add(new Field(name, offset, length, format));
    }

    private static long unsigned(byte[] b, int offset, int length) {
        long v = 0;
        for (int i = offset; i < offset + length; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private static String bytes(byte[] b, int offset, int length) {
        int shown = Math.min(length, 32);
        String hex = HexFormat.of().formatHex(b, offset, offset + shown);
        return length > shown ? hex + "... (" + length + " bytes)" : hex + " (" + length + " bytes)";
    }
}
