package io.sbulb.sim;

import io.sbulb.api.IpAddress;
import java.util.Objects;

/**
 * Value of the association table, mirroring {@code struct sbulb_assoc}. Mutable: the C program
 * writes it in place through the pointer a lookup returns ({@code rs_index} when the server
 * moved, the whole value when the peer is re-bound), and so does the model through the object
 * {@code KernelLruMap.programLookup} returns. Equal when both fields are (snapshots compare
 * tables by value).
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

    /** A copy that later writes to this value do not change. */
    AssocValue copy() {
        return new AssocValue(rs, rsIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AssocValue v && rs.equals(v.rs) && rsIndex == v.rsIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rs, rsIndex);
    }

    @Override
    public String toString() {
        return rs + " @" + rsIndex;
    }
}
