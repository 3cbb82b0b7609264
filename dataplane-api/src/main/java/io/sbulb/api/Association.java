package io.sbulb.api;

import java.util.Comparator;

/**
 * One entry of an association table: a foreign peer of a service and the real-server slot it is
 * bound to (docs/design.md, "Services").
 *
 * @param service    the service's name, or {@code #id} for the id of a service no longer configured
 * @param client     the foreign peer (client address and UDP port)
 * @param realServer the real server the slot holds, or {@code null} when the entry is stale: its
 *                   slot was freed or given to another server since (the next frame rebinds it)
 * @param slot       the real-server slot the entry names
 * @param epoch      the slot's incarnation the entry was made with; the entry is valid while the
 *                   slot still has that epoch and is live
 */
public record Association(String service, Endpoint client, IpAddress realServer, int slot, int epoch)
        implements Comparable<Association> {

    private static final Comparator<Association> ORDER =
            Comparator.comparing(Association::client).thenComparing(Association::service);

    /** The name reported for the id of a service the configuration no longer has. */
    public static String unknownService(int id) {
        return "#" + id;
    }

    @Override
    public int compareTo(Association o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return service + " " + client + " -> " + (realServer == null ? "stale" : realServer.toString()) + " @" + slot
                + "/" + epoch;
    }
}
