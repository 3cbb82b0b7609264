package io.sbulb.api;

/**
 * One entry of the association table: a foreign peer and the real server it is bound to.
 *
 * @param client          the foreign peer (client address and UDP port)
 * @param realServer      the real server the peer is bound to
 * @param realServerIndex the position in the real-server list where the data path last found
 *                        that server; an association is valid while that position, or the
 *                        server's current position, holds that address
 */
public record Association(Endpoint client, IpAddress realServer, int realServerIndex) implements Comparable<Association> {

    @Override
    public int compareTo(Association o) {
        return client.compareTo(o.client);
    }

    @Override
    public String toString() {
        return client + " -> " + realServer + " @" + realServerIndex;
    }
}
