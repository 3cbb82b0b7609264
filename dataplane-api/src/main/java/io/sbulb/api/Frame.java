package io.sbulb.api;

import java.util.Arrays;
import java.util.HexFormat;

/** An Ethernet frame: immutable bytes, starting at the destination MAC, without FCS. */
public final class Frame {

    private final byte[] bytes;

    private Frame(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Frame of(byte[] bytes) {
        return new Frame(bytes.clone());
    }

    public static Frame ofHex(String hex) {
        String clean = hex.replaceAll("[\\s:]", "");
        try {
            return new Frame(HexFormat.of().parseHex(clean));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + hex + "' is not an even-length hex string", e);
        }
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    public int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && Arrays.equals(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Frame[" + bytes.length + " bytes " + toHex() + "]";
    }
}
