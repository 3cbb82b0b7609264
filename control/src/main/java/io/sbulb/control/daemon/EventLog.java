package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Reason;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints the data path's events: both endpoints, the direction and the decision, at the level
 * of the event's reason ({@link Reason#level()}, docs/design.md §1). The kernel has already
 * dropped the events below the load-time level, so every event that arrives is printed.
 *
 * <pre>
 * 203.0.113.7:40000 ──> 198.18.0.10:5683 new association → 198.18.2.11
 * 203.0.113.7:40000 &lt;── 198.18.2.11:5683 reused association, sent from 198.18.0.10
 * 198.18.1.9:1234 &lt;─> 198.18.1.1:53 passed: neither to the virtual server nor from a real server
 * </pre>
 */
public final class EventLog {

    /** The logger events go to; {@code -l} sets its level with the others. */
    public static final String LOGGER = "sbulb.events";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private EventLog() {
    }

    /** Logs {@code e} at its reason's level. */
    public static void log(DataplaneEvent e) {
        String line = format(e);
        switch (e.reason().level()) {
            case TRACE -> LOG.trace(line);
            case DEBUG -> LOG.debug(line);
            case INFO -> LOG.info(line);
            case WARNING -> LOG.warn(line);
            case ERROR, CRITICAL -> LOG.error(line);
        }
    }

    /** The event as one line. */
    public static String format(DataplaneEvent e) {
        Reason r = e.reason();
        if (e.source() == null) { // no IP header: the MACs are all there is
            HexFormat mac = HexFormat.ofDelimiter(":");
            return mac.formatHex(e.srcMac()) + " <─> " + mac.formatHex(e.dstMac()) + " " + decision(r);
        }
        String src = endpoint(e.source());
        String dst = endpoint(e.destination());
        String nat = e.nat() == null ? "?" : e.nat().toString();
        return switch (r) {
            case INGRESS_NEW_NAT -> src + " ──> " + dst + " new association → " + nat;
            case INGRESS_REUSED_NAT -> src + " ──> " + dst + " → " + nat;
            // an ICMP error (no ports): from the router that sent it, to the VIP, on to the client's server
            case ICMP_ERROR_TO_REAL_SERVER -> src + " ──> " + dst + " ICMP error about a client → " + nat;
            case INGRESS_CID_ROUTED -> src + " ──> " + dst + " → " + nat + " (its DTLS connection id's node)";
            case INGRESS_CID_UNKNOWN_NODE -> src + " ──> " + dst + " → " + nat
                    + " (its DTLS connection id names no live server: balanced as any datagram)";
            case INGRESS_UNHANDLED_PORT, INGRESS_NO_REAL_SERVER, INGRESS_CANNOT_CREATE_ASSO ->
                    src + " ──> " + dst + " " + decision(r);
            // egress: the client first, as on ingress; the real server on the right
            case EGRESS_NEW_NAT -> dst + " <── " + src + " new association started by the real server, sent from " + nat;
            case EGRESS_REUSED_NAT -> dst + " <── " + src + " sent from " + nat;
            case EGRESS_UNHANDLED_PORT, EGRESS_NOT_AUTHORIZED, EGRESS_CANNOT_CREATE_ASSO ->
                    dst + " <── " + src + " " + decision(r);
            default -> src + " <─> " + dst + " " + decision(r);
        };
    }

    /** "dropped: UDP header truncated", "passed: not UDP". */
    private static String decision(Reason r) {
        String verdict = switch (r.verdict()) {
            case DROP -> "dropped";
            case PASS -> "passed";
            case TX -> "sent";
            default -> r.verdict().name().toLowerCase(java.util.Locale.ROOT);
        };
        return verdict + ": " + r.description();
    }

    /** An endpoint; the address alone when the frame had no UDP header (port 0). */
    private static String endpoint(Endpoint e) {
        return e.port() == 0 ? e.address().toString() : e.toString();
    }
}
