package io.sbulb.sim;

/**
 * Value of both association tables, mirroring {@code struct sbulb_assoc}: the real-server slot
 * the peer is bound to and the slot's epoch then. Mutable: the C program re-points an invalid
 * entry in place, through the pointer a lookup returns, and so does the model through the object
 * {@code KernelLruMap.programLookup} returns. Equal when both fields are (snapshots compare
 * tables by value).
 */
final class AssocValue {
    /** The slot in {@code sbulb_reals} ({@code __u32}). */
    int slot;
    /** The slot's incarnation when the entry was written ({@code __u32}); 0 is never valid. */
    int epoch;

    AssocValue(int slot, int epoch) {
        this.slot = slot;
        this.epoch = epoch;
    }

    /** A copy that later writes to this value do not change. */
    AssocValue copy() {
        return new AssocValue(slot, epoch);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AssocValue v && slot == v.slot && epoch == v.epoch;
    }

    @Override
    public int hashCode() {
        return 31 * slot + epoch;
    }

    @Override
    public String toString() {
        return "slot " + Integer.toUnsignedString(slot) + " epoch " + Integer.toUnsignedString(epoch);
    }
}
