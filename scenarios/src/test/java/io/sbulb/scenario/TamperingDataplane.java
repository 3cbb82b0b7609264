package io.sbulb.scenario;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Frame;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.testing.ForwardingControl;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/** A dataplane that gives what another one gives, except where a test makes it lie. */
final class TamperingDataplane extends ForwardingControl implements Dataplane {

    private final Dataplane inner;
    private final String name;
    private BiFunction<Integer, Result, Result> results = (n, r) -> r;
    private UnaryOperator<List<Association>> tables = t -> t;
    private UnaryOperator<Map<Reason, Counter>> counterMap = c -> c;
    private UnaryOperator<List<DataplaneEvent>> eventMap = e -> e;
    private UnaryOperator<Map<io.sbulb.api.ServerRef, Long>> serverFrameMap = f -> f;
    private UnaryOperator<Map<io.sbulb.api.ServerRef, Long>> serverMoveMap = f -> f;
    private int frames;

    @Override
    protected Dataplane delegate() {
        return inner;
    }

    TamperingDataplane(Dataplane inner, String name) {
        this.inner = inner;
        this.name = name;
    }

    /** Flips the bits of output byte {@code offset} of the {@code nth} frame (1-based). */
    TamperingDataplane flipOutputByte(int nth, int offset) {
        results = (n, r) -> {
            if (n != nth) {
                return r;
            }
            byte[] b = r.output().bytes();
            b[offset] ^= (byte) 0xff;
            return new Result(r.verdict(), Frame.of(b), r.reason());
        };
        return this;
    }

    TamperingDataplane tamperResults(BiFunction<Integer, Result, Result> f) {
        results = f;
        return this;
    }

    TamperingDataplane tamperTable(UnaryOperator<List<Association>> f) {
        tables = f;
        return this;
    }

    TamperingDataplane tamperEvents(UnaryOperator<List<DataplaneEvent>> f) {
        eventMap = f;
        return this;
    }

    TamperingDataplane tamperServerFrames(UnaryOperator<Map<io.sbulb.api.ServerRef, Long>> f) {
        serverFrameMap = f;
        return this;
    }

    @Override
    public Map<io.sbulb.api.ServerRef, Long> serverFrames() {
        return serverFrameMap.apply(inner.serverFrames());
    }

    TamperingDataplane tamperServerMoves(UnaryOperator<Map<io.sbulb.api.ServerRef, Long>> f) {
        serverMoveMap = f;
        return this;
    }

    @Override
    public Map<io.sbulb.api.ServerRef, Long> serverMoves() {
        return serverMoveMap.apply(inner.serverMoves());
    }

    TamperingDataplane tamperCounters(UnaryOperator<Map<Reason, Counter>> f) {
        counterMap = f;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Result process(Frame frame) {
        frames++;
        return results.apply(frames, inner.process(frame));
    }

    @Override
    public List<Association> associations() {
        return tables.apply(inner.associations());
    }

    @Override
    public Map<Reason, Counter> counters() {
        return counterMap.apply(inner.counters());
    }

    @Override
    public List<DataplaneEvent> drainEvents(int max) {
        return eventMap.apply(inner.drainEvents(max));
    }

}
