package io.sbulb.scenario;

import io.sbulb.api.IpAddress;

/**
 * A frame step's {@code icmp: {...}}: the frame is an ICMP (ICMPv6) error that {@code from}
 * sends about the UDP datagram the frame's other fields describe (its {@code src}, {@code dst},
 * payload, IPv4 options, UDP checksum), to that datagram's source; the frame's {@code ttl} and
 * MACs are the error's own.
 *
 * @param from       the address reporting the error (a router, the client's host)
 * @param type       the ICMP or ICMPv6 type (IPv4: 3 destination unreachable, 11 time exceeded;
 *                   IPv6: 1 destination unreachable, 2 packet too big, 3 time exceeded; others are
 *                   allowed, to show they pass)
 * @param code       the code
 * @param mtu        the ICMP header's last 4 bytes: the MTU of fragmentation needed (3/4) or packet too big
 * @param quoteBytes bytes of the quoted IP packet carried, or null: all of it
 */
public record IcmpSpec(IpAddress from, int type, int code, long mtu, Integer quoteBytes) {

    public IcmpSpec {
        if (from == null) {
            throw new IllegalArgumentException("an ICMP error needs 'from': the address reporting it");
        }
        if (type < 0 || type > 255 || code < 0 || code > 255) {
            throw new IllegalArgumentException("ICMP type " + type + " and code " + code + " must be within 0..255");
        }
        if (mtu < 0 || mtu > 0xffffffffL) {
            throw new IllegalArgumentException("mtu " + mtu + " is outside 0..4294967295");
        }
        if (quoteBytes != null && quoteBytes < 0) {
            throw new IllegalArgumentException("quoteBytes " + quoteBytes + " is negative");
        }
    }

    @Override
    public String toString() {
        return "ICMP type " + type + " code " + code + " from " + from + (quoteBytes != null ? " quoting " + quoteBytes + " bytes" : "");
    }
}
