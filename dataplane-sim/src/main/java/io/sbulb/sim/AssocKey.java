package io.sbulb.sim;

import io.sbulb.api.Association;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;

/**
 * Key of the association table, mirroring {@code struct sbulb_assoc_key}: a foreign peer.
 * The family of the C key is the address's family here ({@link IpAddress#family()}).
 *
 * @param address peer address
 * @param port    peer UDP port (0..65535)
 */
record AssocKey(IpAddress address, int port) {

    /** The association of this peer with {@code value}'s real server, as the dataplane reports it. */
    Association with(AssocValue value) {
        return new Association(new Endpoint(address, port), value.rs, value.rsIndex);
    }
}
