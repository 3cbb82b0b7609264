package io.sbulb.sim.snapshot;

/**
 * How one kind of value (a map's key or value) is written into a snapshot body and read back.
 *
 * @param <T> the value's type
 */
public interface ElementFormat<T> {

    /** Appends {@code value}. */
    void write(SnapshotOutput out, T value);

    /**
     * Reads a value written by {@link #write}; {@code what} names it in errors.
     *
     * @throws SnapshotException when the bytes do not hold such a value
     */
    T read(SnapshotInput in, String what);
}
