package io.sbulb.sim.snapshot;

/**
 * A snapshot that cannot be restored: not a snapshot, of another format version, truncated,
 * altered (its checksum disagrees), or intact but describing a state the model can never be in.
 * The message names what is wrong and where. Nothing is restored from such a snapshot.
 */
public final class SnapshotException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
