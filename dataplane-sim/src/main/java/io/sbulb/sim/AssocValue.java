package io.sbulb.sim;

import io.sbulb.api.IpAddress;

/**
 * Value of the association table, mirroring {@code struct sbulb_assoc}. Mutable: the C program
 * writes it in place through the pointer a lookup returns ({@code rs_index} when the server
 * moved, the whole value when the peer is re-bound), and so does the model through the object
 * {@code KernelLruMap.programLookup} returns.
 */
final class AssocValue {
    /** The real server address. */
    IpAddress rs;
    /** The position in the real-server list where {@link #rs} was last found ({@code __u32}). */
    int rsIndex;

    AssocValue(IpAddress rs, int rsIndex) {
        this.rs = rs;
        this.rsIndex = rsIndex;
    }

    @Override
    public String toString() {
        return rs + " @" + rsIndex;
    }
}
