package io.sbulb.sim;

import io.sbulb.api.IpAddress;

/**
 * Key of the association table, mirroring {@code struct sbulb_assoc_key}: a foreign peer.
 * The family of the C key is the address's family here ({@link IpAddress#family()}).
 *
 * @param address peer address
 * @param port    peer UDP port (0..65535)
 */
record AssocKey(IpAddress address, int port) {
}
