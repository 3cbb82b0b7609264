package io.sbulb.scenario;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Frame;
import io.sbulb.api.Result;
import io.sbulb.api.testing.ForwardingControl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A dataplane that records what a runner does with it across restarts: every instance of its
 * lineage (the first, and one per restart), how many frames each ran, and whether it was closed.
 * A closed instance refuses frames. Its restart is the inner dataplane's, or what a test makes it.
 */
final class TrackedDataplane extends ForwardingControl implements Dataplane {

    private final Dataplane inner;
    private final UnaryOperator<Dataplane> restarter;
    private final List<TrackedDataplane> lineage;
    private int frames;
    private boolean closed;

    private TrackedDataplane(Dataplane inner, UnaryOperator<Dataplane> restarter, List<TrackedDataplane> lineage) {
        this.inner = inner;
        this.restarter = restarter;
        this.lineage = lineage;
        lineage.add(this);
    }

    /** Tracks {@code inner}, restarting it with its own {@link Dataplane#restart()}. */
    static TrackedDataplane of(Dataplane inner) {
        return of(inner, Dataplane::restart);
    }

    /** Tracks {@code inner}, restarting with {@code restarter} (which gets the inner instance). */
    static TrackedDataplane of(Dataplane inner, UnaryOperator<Dataplane> restarter) {
        return new TrackedDataplane(inner, restarter, new ArrayList<>());
    }

    @Override
    protected Dataplane delegate() {
        return inner;
    }

    @Override
    public Result process(Frame frame) {
        if (closed) {
            throw new IllegalStateException("instance " + lineage.indexOf(this) + " is closed");
        }
        frames++;
        return inner.process(frame);
    }

    @Override
    public Dataplane restart() {
        Dataplane next = restarter.apply(inner);
        closed = true;
        return new TrackedDataplane(next, restarter, lineage);
    }

    @Override
    public void close() {
        closed = true;
        inner.close();
    }

    /** This instance and those its restarts made, oldest first. */
    List<TrackedDataplane> lineage() {
        return List.copyOf(lineage);
    }

    int frames() {
        return frames;
    }

    boolean closed() {
        return closed;
    }
}
