package io.sbulb.xdp;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One record of the data path's event log (struct sbulb_event): why a frame was handled as it
 * was, its addresses as received, and the address written by a NAT.
 *
 * @param reason      the reason code
 * @param family      4 or 6, or 0 when the frame had no IP header
 * @param source      source address and port as received; null without IP header (port 0 without UDP header)
 * @param destination destination as received, likewise
 * @param nat         the real server (ingress) or VIP (egress) written, or null
 * @param srcMac      source MAC as received (zero for a frame shorter than an Ethernet header)
 * @param dstMac      destination MAC as received
 */
public record SbulbEvent(Reason reason, int family, Endpoint source, Endpoint destination, IpAddress nat,
                         byte[] srcMac, byte[] dstMac) {

    /** Decodes a struct sbulb_event (layout: src/main/bpf/sbulb_abi.h). */
    public static SbulbEvent decode(byte[] b) {
        if (b.length != SbulbAbi.EVENT_SIZE) {
            throw new IllegalArgumentException("an sbulb event has " + SbulbAbi.EVENT_SIZE + " bytes, got " + b.length);
        }
        ByteBuffer buf = SbulbAbi.wrap(b);
        Reason reason = Reason.ofCode(buf.getInt(0));
        int family = b[4];
        Endpoint src = null;
        Endpoint dst = null;
        IpAddress nat = null;
        if (family == 4 || family == 6) {
            src = new Endpoint(IpAddress.read(b, 12, family), port(b, 6));
            dst = new Endpoint(IpAddress.read(b, 28, family), port(b, 8));
            byte[] natBytes = Arrays.copyOfRange(b, 44, 60);
            if (!Arrays.equals(natBytes, new byte[16])) {
                nat = IpAddress.read(b, 44, family);
            }
        }
        return new SbulbEvent(reason, family, src, dst, nat, Arrays.copyOfRange(b, 60, 66), Arrays.copyOfRange(b, 66, 72));
    }

    private static int port(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff); // network byte order
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
        return o instanceof SbulbEvent e && reason == e.reason && family == e.family
                && java.util.Objects.equals(source, e.source) && java.util.Objects.equals(destination, e.destination)
                && java.util.Objects.equals(nat, e.nat) && Arrays.equals(srcMac, e.srcMac) && Arrays.equals(dstMac, e.dstMac);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(reason, family, source, destination, nat, Arrays.hashCode(srcMac), Arrays.hashCode(dstMac));
    }
}
