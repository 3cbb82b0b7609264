package io.sbulb.api;

/**
 * A service's DTLS 1.2 Connection ID routing (RFC 9146, issue 20): its real servers issue
 * connection ids of {@code length} bytes with their node id in them, {@code nodeIdSize} bytes
 * at {@code nodeIdOffset} (big-endian), as Californium/Scandium's
 * {@code MultiNodeConnectionIdGenerator} does (one byte at offset 0: the low byte of
 * {@code DtlsConfig.DTLS_CONNECTION_ID_NODE_ID}). A record of content type {@code tls12_cid}
 * to the service goes to the live real server of that node id, wherever the client's address
 * and port come from (docs/design.md §1, step 6).
 *
 * @param length       the connection id's length in bytes, 1..{@value #MAX_LENGTH} (RFC 9146's maximum)
 * @param nodeIdOffset where the node id starts in the connection id, 0..{@code length - nodeIdSize}
 * @param nodeIdSize   its size in bytes, 1..{@value #MAX_NODE_ID_SIZE}
 */
public record DtlsCid(int length, int nodeIdOffset, int nodeIdSize) {

    public static final int MAX_LENGTH = 255;
    public static final int MAX_NODE_ID_SIZE = 4;
    public static final int DEFAULT_NODE_ID_OFFSET = 0;
    public static final int DEFAULT_NODE_ID_SIZE = 1;

    public DtlsCid {
        if (length < 1 || length > MAX_LENGTH) {
            throw new ConfigException("dtls-cid length " + length + " is outside 1.." + MAX_LENGTH);
        }
        if (nodeIdSize < 1 || nodeIdSize > MAX_NODE_ID_SIZE) {
            throw new ConfigException("dtls-cid node-id-size " + nodeIdSize + " is outside 1.." + MAX_NODE_ID_SIZE);
        }
        if (nodeIdOffset < 0 || nodeIdOffset > length - nodeIdSize) {
            throw new ConfigException("dtls-cid node-id-offset " + nodeIdOffset + " is outside 0.." + (length - nodeIdSize)
                    + " (a node id of " + nodeIdSize + " byte" + (nodeIdSize == 1 ? "" : "s") + " in a connection id of "
                    + length + ")");
        }
    }

    /** Connection ids of {@code length} bytes, the node id in the first byte (Californium's layout). */
    public static DtlsCid ofLength(int length) {
        return new DtlsCid(length, DEFAULT_NODE_ID_OFFSET, DEFAULT_NODE_ID_SIZE);
    }

    /** The largest node id {@link #nodeIdSize()} bytes hold. */
    public long maxNodeId() {
        return (1L << (8 * nodeIdSize)) - 1;
    }

    /** {@code length 6, node id at byte 0 (1 byte)}. */
    @Override
    public String toString() {
        return "length " + length + ", node id at byte " + nodeIdOffset + " (" + nodeIdSize + " byte"
                + (nodeIdSize == 1 ? "" : "s") + ")";
    }
}
