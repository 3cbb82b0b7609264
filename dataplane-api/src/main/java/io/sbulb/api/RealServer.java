package io.sbulb.api;

/**
 * A real server of a service: its address and its weight in the service's smooth weighted round
 * robin (docs/design.md, "Services"). Weight 0 drains it: no new clients, its associations kept.
 *
 * @param address the server's address, of its service's VIP's family
 * @param weight  0..{@link #MAX_WEIGHT}; 1 when not given
 * @param nodeId  the node id it writes in the DTLS connection ids it issues ({@link DtlsCid}),
 *                0..{@value #MAX_NODE_ID}, or {@link #NO_NODE_ID}; its service checks it (unique in
 *                the service by its last byte, within the node-id size)
 */
public record RealServer(IpAddress address, int weight, long nodeId) implements Comparable<RealServer> {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 255;
    public static final long NO_NODE_ID = -1;
    /** The largest node id: {@link DtlsCid#MAX_NODE_ID_SIZE} bytes. */
    public static final long MAX_NODE_ID = 0xffffffffL;

    /** A real server without a node id. */
    public RealServer(IpAddress address, int weight) {
        this(address, weight, NO_NODE_ID);
    }

    public RealServer {
        if (address == null) {
            throw new ConfigException("a real server address is missing (null)");
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new ConfigException("real server " + address + " has weight " + weight + ", must be between 0 and "
                    + MAX_WEIGHT);
        }
        if (nodeId != NO_NODE_ID && (nodeId < 0 || nodeId > MAX_NODE_ID)) {
            throw new ConfigException("real server " + address + " has node-id " + nodeId + ", must be between 0 and "
                    + MAX_NODE_ID);
        }
    }

    public static RealServer of(IpAddress address) {
        return new RealServer(address, DEFAULT_WEIGHT);
    }

    public static RealServer of(String address, int weight) {
        return new RealServer(IpAddress.parse(address), weight);
    }

    /** Whether it has a node id. */
    public boolean hasNodeId() {
        return nodeId != NO_NODE_ID;
    }

    /** This server with another weight (its node id kept). */
    public RealServer withWeight(int w) {
        return new RealServer(address, w, nodeId);
    }

    /** This server with a node id ({@link #NO_NODE_ID}: none). */
    public RealServer withNodeId(long id) {
        return new RealServer(address, weight, id);
    }

    @Override
    public int compareTo(RealServer o) {
        int c = address.compareTo(o.address);
        c = c != 0 ? c : Integer.compare(weight, o.weight);
        return c != 0 ? c : Long.compare(nodeId, o.nodeId);
    }

    /**
     * {@code 198.18.2.11} for weight 1, {@code 198.18.2.11*3} otherwise; a node id follows an
     * {@code @}: {@code 198.18.2.11@5}, {@code 198.18.2.11*3@5}.
     */
    @Override
    public String toString() {
        String s = weight == DEFAULT_WEIGHT ? address.toString() : address + "*" + weight;
        return hasNodeId() ? s + "@" + nodeId : s;
    }
}
