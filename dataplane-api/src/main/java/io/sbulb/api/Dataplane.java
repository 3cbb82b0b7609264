package io.sbulb.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The seam between the load balancer's behaviour and what implements it (docs/design.md §2):
 * the XDP program in the kernel, and the pure-Java reference model. Both take the same
 * configuration and frames and must give the same verdict, output bytes, reason, association
 * table and events, frame for frame.
 *
 * <p>A {@link DataplaneControl} that also runs frames on request. Limits are fixed at creation.
 * A dataplane starts with {@link DataplaneConfig#empty()}. Implementations are not required to
 * be thread-safe.
 */
public interface Dataplane extends DataplaneControl {

    /** Runs one Ethernet frame through the data path. */
    Result process(Frame frame);

    /**
     * Runs frames in order, exactly as {@link #process} on each would; a dataplane may do it in
     * one go (the XDP one runs the batch in one hand-over to its BPF thread).
     *
     * @throws FrameRunException naming the first frame that could not be run; the frames before it were run
     */
    default List<Result> processAll(List<Frame> frames) {
        List<Result> results = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            try {
                results.add(process(frames.get(i)));
            } catch (RuntimeException e) {
                throw new FrameRunException(i, e);
            }
        }
        return results;
    }

    /**
     * Closes this instance and returns a new one over the state it leaves, as a daemon
     * restarted over pinned state finds it (docs/design.md, "State that outlives the process"):
     * the association table with its LRU order, the round-robin cursor, the counters, the
     * configuration in force and the retired real servers. Events not yet drained are lost
     * (the new instance has a new event log); limits and event mask are those of this one.
     * The new instance is the caller's to close.
     *
     * @throws UnsupportedOperationException when this dataplane keeps no state beyond itself
     */
    default Dataplane restart() {
        throw new UnsupportedOperationException("the " + name() + " dataplane cannot restart over its state");
    }
}
