package io.sbulb.api;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One record of the data path's event log: why a frame was handled as it was, its addresses as
 * received, and the address written by a NAT. The XDP program writes it to a ring buffer
 * (struct sbulb_event), the reference model to a queue of the same capacity; both report the
 * reasons of the event mask given when they were created ({@link Reason#eventMask}).
 *
 * @param reason      the reason code
 * @param family      4 or 6, or 0 when the frame had no IP header
 * @param source      source address and port as received; null without IP header (port 0 without UDP header)
 * @param destination destination as received, likewise
 * @param nat         the real server (ingress) or VIP (egress) written, or null
 * @param srcMac      source MAC as received (zero for a frame shorter than an Ethernet header)
 * @param dstMac      destination MAC as received
 */
public record DataplaneEvent(Reason reason, int family, Endpoint source, Endpoint destination, IpAddress nat,
                             byte[] srcMac, byte[] dstMac) {

    /**
     * Events the log holds before the next are lost (never frames): the XDP ring buffer's
     * 256 KiB (SBULB_EVENTS_BYTES) over 80 bytes per record (an 8-byte header and the 72-byte
     * event). The reference model holds as many.
     */
    public static final int CAPACITY = 256 * 1024 / 80;

    public DataplaneEvent {
        Objects.requireNonNull(reason, "reason");
        srcMac = srcMac.clone();
        dstMac = dstMac.clone();
    }

    @Override
    public byte[] srcMac() {
        return srcMac.clone();
    }

    @Override
    public byte[] dstMac() {
        return dstMac.clone();
    }

    @Override
    public String toString() {
        String mac = HexFormat.ofDelimiter(":").formatHex(srcMac) + " -> " + HexFormat.ofDelimiter(":").formatHex(dstMac);
        if (source == null) {
            return reason + " (" + mac + ")";
        }
        return reason + " " + source + " -> " + destination + (nat == null ? "" : " NAT " + nat) + " (" + mac + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataplaneEvent e && reason == e.reason && family == e.family
                && Objects.equals(source, e.source) && Objects.equals(destination, e.destination)
                && Objects.equals(nat, e.nat) && Arrays.equals(srcMac, e.srcMac) && Arrays.equals(dstMac, e.dstMac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, family, source, destination, nat, Arrays.hashCode(srcMac), Arrays.hashCode(dstMac));
    }
}
