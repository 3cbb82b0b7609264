package io.sbulb.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address as bytes in network byte order, parsed strictly from a literal.
 *
 * <p>Not {@link InetAddress}: that class resolves host names, accepts {@code 1.2.3} as an IPv4
 * address and turns IPv4-mapped IPv6 addresses into IPv4 ones, none of which a load balancer's
 * configuration or a frame's header should ever do.
 */
public final class IpAddress implements Comparable<IpAddress> {

    private static final Pattern IPV4 =
            Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");

    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** An address from its 4 (IPv4) or 16 (IPv6) bytes in network byte order. */
    public static IpAddress of(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, got " + bytes.length);
        }
        return new IpAddress(bytes.clone());
    }

    /**
     * Parses a dotted-quad IPv4 literal or an IPv6 literal (RFC 4291 text forms, without zone).
     * Never touches DNS.
     *
     * @throws IllegalArgumentException naming the text when it is not an address literal
     */
    public static IpAddress parse(String text) {
        String s = text == null ? "" : text.trim();
        if (IPV4.matcher(s).matches()) {
            String[] parts = s.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) Integer.parseInt(parts[i]);
            }
            return new IpAddress(b);
        }
        if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
            try {
                // A string holding ':' is only ever parsed as an IPv6 literal: no name lookup.
                InetAddress a = InetAddress.getByName(s);
                if (a.getAddress().length == 16) {
                    return new IpAddress(a.getAddress());
                }
                throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped IPv6 address; "
                        + "write the IPv4 address instead");
            } catch (UnknownHostException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address literal");
    }

    /** 4 for IPv4, 6 for IPv6. */
    public int family() {
        return bytes.length == 4 ? 4 : 6;
    }

    public boolean isIpv4() {
        return bytes.length == 4;
    }

    /** A copy of the address bytes, network byte order. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The address in 16 bytes: an IPv4 address in the first 4, the rest zero (the data path's layout). */
    public byte[] toPadded16() {
        return Arrays.copyOf(bytes, 16);
    }

    /** Reads {@code family == 4 ? 4 : 16} bytes at {@code offset}. */
    public static IpAddress read(byte[] src, int offset, int family) {
        int len = family == 4 ? 4 : 16;
        return new IpAddress(Arrays.copyOfRange(src, offset, offset + len));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** IPv4 before IPv6, then by bytes (unsigned). */
    @Override
    public int compareTo(IpAddress o) {
        int c = Integer.compare(bytes.length, o.bytes.length);
        return c != 0 ? c : Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** Dotted quad, or the RFC 5952 canonical IPv6 text (longest run of zero groups as "::"). */
    @Override
    public String toString() {
        if (isIpv4()) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
