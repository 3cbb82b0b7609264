package io.sbulb.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * Why the data path decided what it did with a frame: the original sbulb's event set
 * (docs/design.md §1). Each frame gets exactly one reason; counters and the event log are
 * keyed by it.
 *
 * <p>The numeric codes are the XDP program's {@code enum sbulb_reason} in {@code sbulb_abi.h};
 * a test compiles that header's values out of the object's BTF and compares them with these.
 */
public enum Reason {
    INVALID_ETH_SIZE(1, Verdict.DROP, LogLevel.WARNING, "frame shorter than an Ethernet header"),
    NOT_IP(2, Verdict.PASS, LogLevel.TRACE, "neither IPv4 nor IPv6"),
    INVALID_IP_SIZE(3, Verdict.DROP, LogLevel.WARNING, "IP header truncated"),
    TOO_SMALL_IP_HEADER(4, Verdict.DROP, LogLevel.WARNING, "IPv4 header length (IHL) below 5"),
    NOT_UDP(5, Verdict.PASS, LogLevel.TRACE, "not UDP"),
    FRAGMENTED_IP_PACKET(6, Verdict.PASS, LogLevel.INFO, "IP fragment"),
    INVALID_UDP_SIZE(7, Verdict.DROP, LogLevel.WARNING, "UDP header truncated"),
    LIFETIME_EXPIRED(8, Verdict.DROP, LogLevel.WARNING, "TTL or hop limit is 0"),
    NO_VIRTUAL_SERVER(9, Verdict.PASS, LogLevel.ERROR, "no virtual server configured"),
    UNHANDLED_TRAFFIC(10, Verdict.PASS, LogLevel.TRACE, "neither to the virtual server nor from a real server"),
    INGRESS_UNHANDLED_PORT(11, Verdict.PASS, LogLevel.TRACE, "to the virtual server on a port not balanced"),
    INGRESS_NEW_NAT(12, Verdict.TX, LogLevel.DEBUG, "to the virtual server: new association, destination NAT"),
    INGRESS_REUSED_NAT(13, Verdict.TX, LogLevel.TRACE, "to the virtual server: existing association, destination NAT"),
    INGRESS_NO_REAL_SERVER(14, Verdict.DROP, LogLevel.ERROR, "to the virtual server, but no real server configured"),
    INGRESS_CANNOT_CREATE_ASSO(15, Verdict.DROP, LogLevel.ERROR, "to the virtual server: association table refused the entry"),
    EGRESS_UNHANDLED_PORT(16, Verdict.PASS, LogLevel.TRACE, "from a real server on a port not balanced"),
    EGRESS_NEW_NAT(17, Verdict.TX, LogLevel.DEBUG, "from a real server: it claims the client, source NAT"),
    EGRESS_REUSED_NAT(18, Verdict.TX, LogLevel.TRACE, "from a real server: its own client, source NAT"),
    EGRESS_NOT_AUTHORIZED(19, Verdict.DROP, LogLevel.INFO, "from a real server to a client another real server owns"),
    EGRESS_CANNOT_CREATE_ASSO(20, Verdict.DROP, LogLevel.ERROR, "from a real server: association table refused the entry"),
    INVALID_IP_VERSION(21, Verdict.DROP, LogLevel.WARNING, "IP version field disagrees with the EtherType"),
    INVALID_IP_LENGTH(22, Verdict.DROP, LogLevel.WARNING, "IPv4 total length or IPv6 payload length disagrees with the frame"),
    INVALID_UDP_LENGTH(23, Verdict.DROP, LogLevel.WARNING, "UDP length disagrees with the IP length"),
    IPV6_ZERO_UDP_CHECKSUM(24, Verdict.DROP, LogLevel.WARNING, "IPv6 UDP checksum 0 (RFC 8200: discarded)"),
    LIFETIME_WOULD_EXPIRE(25, Verdict.DROP, LogLevel.INFO, "TTL or hop limit 1: it would leave at 0 (RFC 1812: not forwarded)"),
    INGRESS_MARTIAN_SOURCE(26, Verdict.DROP, LogLevel.WARNING,
            "to the virtual server from a martian source (unspecified, loopback, link-local, multicast or broadcast address, or port 0)"),
    INGRESS_FROM_BALANCER(27, Verdict.DROP, LogLevel.WARNING,
            "to the virtual server from the virtual server, a real server or the balancer host itself (loop guard)"),
    EGRESS_MARTIAN_DESTINATION(28, Verdict.DROP, LogLevel.WARNING,
            "from a real server to a martian destination (unspecified, loopback, link-local, multicast or broadcast address, or port 0)"),
    EGRESS_TO_BALANCER(29, Verdict.DROP, LogLevel.WARNING, "from a real server to a real server: never forwarded"),
    EGRESS_REMOVED_REAL_SERVER(30, Verdict.DROP, LogLevel.INFO,
            "from a real server that was removed: a late reply, dropped rather than leaked with the server's address"),
    TO_BALANCER_HOST(31, Verdict.PASS, LogLevel.TRACE,
            "to one of the balancer host's own addresses (a health probe's reply): never translated"),
    INGRESS_CID_ROUTED(32, Verdict.TX, LogLevel.TRACE,
            "to the virtual server: a DTLS record with a connection id, sent to the real server of its node id"),
    INGRESS_CID_UNKNOWN_NODE(33, Verdict.TX, LogLevel.DEBUG,
            "to the virtual server: a DTLS connection id naming no live real server, balanced by the association or round robin"),
    ICMP_ERROR_TO_REAL_SERVER(34, Verdict.TX, LogLevel.TRACE,
            "an ICMP error about a datagram the virtual server sent to a client, forwarded to the client's real server"),
    ICMP_ERROR_NO_ASSOCIATION(35, Verdict.DROP, LogLevel.INFO,
            "an ICMP error to the virtual server quoting no datagram of a client with a valid association"),
    FRAGMENT_TO_VIP(36, Verdict.DROP, LogLevel.INFO, "an IP fragment to the virtual server: not balanced"),
    FRAGMENT_FROM_REAL_SERVER(37, Verdict.DROP, LogLevel.INFO,
            "an IP fragment from a real server or the virtual server: dropped rather than leaked with the server's address");


    /** Number of codes the data path knows, including the unused code 0. */
    public static final int CODE_COUNT = 38;

    private static final Reason[] BY_CODE = new Reason[CODE_COUNT];

    static {
        for (Reason r : values()) {
            if (BY_CODE[r.code] != null) {
                throw new ExceptionInInitializerError("duplicate reason code " + r.code);
            }
            BY_CODE[r.code] = r;
        }
    }

    private final int code;
    private final Verdict verdict;
    private final LogLevel level;
    private final String description;

    Reason(int code, Verdict verdict, LogLevel level, String description) {
        this.code = code;
        this.verdict = verdict;
        this.level = level;
        this.description = description;
    }

    /** The code in the data path's {@code enum sbulb_reason}. */
    public int code() {
        return code;
    }

    /** The verdict that always goes with this reason. */
    public Verdict verdict() {
        return verdict;
    }

    /** The level the event log reports this reason at. */
    public LogLevel level() {
        return level;
    }

    public String description() {
        return description;
    }

    public static Reason ofCode(int code) {
        if (code <= 0 || code >= CODE_COUNT || BY_CODE[code] == null) {
            throw new IllegalArgumentException("unknown reason code " + code + " (known: 1.." + (CODE_COUNT - 1) + ")");
        }
        return BY_CODE[code];
    }

    /** The reasons an event log at {@code level} reports. */
    public static Set<Reason> admittedBy(LogLevel level) {
        Set<Reason> set = EnumSet.noneOf(Reason.class);
        for (Reason r : values()) {
            if (level.admits(r.level)) {
                set.add(r);
            }
        }
        return set;
    }

    /** The data path's event mask for a set of reasons: bit {@code code} set for each. */
    public static long eventMask(Set<Reason> reasons) {
        long mask = 0;
        for (Reason r : reasons) {
            mask |= 1L << r.code;
        }
        return mask;
    }
}
