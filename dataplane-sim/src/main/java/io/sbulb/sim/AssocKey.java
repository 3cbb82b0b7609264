package io.sbulb.sim;

import io.sbulb.api.Association;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Placement;

/**
 * Key of the association tables, mirroring {@code struct sbulb_assoc4_key} (8 bytes) and
 * {@code struct sbulb_assoc6_key} (20 bytes): a foreign peer of one service. Which table holds
 * it is the address's family. The kernel's LRU hash evicts by its lists alone, whatever the
 * key's size and hash (docs/kernel-lru.md §2: only keys are observable, the hash seed never
 * decides an eviction), so one key type serves both tables.
 *
 * @param address peer address
 * @param port    peer UDP port (0..65535)
 * @param service the service's id ({@code __u16})
 */
record AssocKey(IpAddress address, int port, int service) {

    /** The association of this peer with {@code value}'s slot, as the dataplane reports it. */
    Association with(AssocValue value, Placement placement) {
        return new Association(placement.serviceName(service), new Endpoint(address, port),
                placement.serverOf(value.slot, value.epoch), value.slot, value.epoch);
    }
}
