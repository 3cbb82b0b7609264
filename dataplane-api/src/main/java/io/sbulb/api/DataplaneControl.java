package io.sbulb.api;

import java.util.List;
import java.util.Map;

/**
 * What a live data path offers its control plane (docs/design.md §2): its limits, a
 * configuration applied whole, the association table, the counters and the event log. The XDP
 * program attached to an interface implements it (io.sbulb.xdp.XdpLiveDataplane), and so does
 * every {@link Dataplane}, the reference model included, so that the daemon's logic is tested
 * against the model without root.
 *
 * <p>Limits are fixed at creation; so is the event mask (which reasons are logged). A data path
 * starts with {@link DataplaneConfig#empty()}. Implementations are not required to be
 * thread-safe: one control loop drives them.
 */
public interface DataplaneControl extends AutoCloseable {

    /** A short name for reports ("xdp", "sim"). */
    String name();

    /** The limits this data path was created with. */
    Limits limits();

    /**
     * Replaces the configuration. Validates first ({@link DataplaneConfig#validate(Limits)}):
     * on a {@link ConfigException} the running configuration is unchanged, and no frame ever
     * sees a half-applied one. Real-server list changes keep the original's position semantics;
     * a real server that stays in the list keeps its associations, wherever it moves.
     */
    void configure(DataplaneConfig config);

    /** The configuration in force. */
    DataplaneConfig configuration();

    /** The association table, sorted by client. */
    List<Association> associations();

    /** Counters per reason; reasons never seen are absent or zero. */
    Map<Reason, Counter> counters();

    /**
     * Frames forwarded (TX) to or from each real server since it got its slot, both ways, by
     * {@code (service name, address)}: every server with a slot, live or retired (a removed
     * server is remembered a while), 0 for one that forwarded nothing (issue 16: a draining
     * server is drained when its count stops moving). Empty for a data path that does not count.
     */
    default Map<ServerRef, Long> serverFrames() {
        return Map.of();
    }

    /**
     * Clients moved away from each real server since it got its slot, keyed as
     * {@link #serverFrames()}: clients whose association named the server while it still held its
     * slot and that the data path bound to another one (the server was down or removed when they
     * sent). Empty for a data path that does not count.
     */
    default Map<ServerRef, Long> serverMoves() {
        return Map.of();
    }

    /**
     * At most {@code max} of the events logged since the last call, oldest first: those whose
     * reason is in the event mask given at creation. When the log is full
     * ({@link DataplaneEvent#CAPACITY}), new events are lost, never frames.
     */
    List<DataplaneEvent> drainEvents(int max);

    /** All the events waiting, oldest first. */
    default List<DataplaneEvent> drainEvents() {
        return drainEvents(Integer.MAX_VALUE);
    }

    /**
     * Checks that the data path still runs where it was put (a live one: its program still
     * attached, its interface still there). Nothing to check for a data path that runs frames
     * only when asked.
     *
     * @throws DataplaneFailure when it no longer does its job
     */
    default void checkRunning() {
    }

    /**
     * Whether {@link #close()} stops the data path (true) or leaves it running without its
     * control plane (a live XDP program whose state is pinned, told to stay).
     */
    default boolean detachesOnClose() {
        return true;
    }

    /** Releases what the data path holds (for the XDP one: detaches, unloads). Idempotent. */
    @Override
    void close();
}
