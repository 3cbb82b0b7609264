package io.sbulb.sim;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Frame;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Placement;
import io.sbulb.api.Reason;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Result;
import io.sbulb.sim.lru.KernelLruMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pure-Java reference model of the sbulb XDP program (docs/design.md §1): the same
 * parsing, decisions, map accesses, counters and in-place rewrites as
 * {@code dataplane-xdp/src/main/bpf/sbulb.bpf.c}, so that it gives the same verdict, output
 * bytes, reason and association table as the real program, frame for frame.
 *
 * <p>A configuration is applied through {@link Placement#next}, as the XDP side applies it, so
 * that service ids, real-server slots and epochs agree. The association tables, one per family,
 * are {@link KernelLruMap}s, exact models of the kernel's LRU hash map, accessed at the points and
 * in the order the C accesses {@code sbulb_assoc4} and {@code sbulb_assoc6}; all operations run
 * as on one CPU (CPU 0), like the XDP dataplane's pinned thread. Not thread-safe.
 *
 * <p>Its state is what the program's maps hold, and survives a restart as pinned maps would:
 * {@link #save()} takes it as a {@link ModelSnapshot} (with a binary form), {@link #restore}
 * makes a model in it, and {@link #restart()} does both through the bytes. A closed model runs no
 * frame and takes no configuration; what it left can still be read.
 */
public final class ReferenceDataplane implements Dataplane {

    private final Limits limits;
    private final DataPath path;
    private boolean closed;

    /** A model with these limits and the LRU parameters of this machine ({@link LruParameters#detect()}). */
    public ReferenceDataplane(Limits limits) {
        this(limits, LruParameters.detect());
    }

    /** A model with these limits whose association table evicts as a kernel with {@code lru} would; no event log. */
    public ReferenceDataplane(Limits limits, LruParameters lru) {
        this(limits, lru, 0);
    }

    /**
     * A model whose association table evicts as a kernel with {@code lru} would, logging the
     * events of the reasons in {@code eventMask} ({@link Reason#eventMask}), as the XDP program
     * loaded with that mask does.
     */
    public ReferenceDataplane(Limits limits, LruParameters lru, long eventMask) {
        this(Objects.requireNonNull(limits, "limits"),
                new DataPath(new KernelLruMap<>(limits.maxAssociations(), Objects.requireNonNull(lru, "lru")),
                        new KernelLruMap<>(limits.maxAssociations(), lru), eventMask, ModelConfig.empty(limits)));
    }

    private ReferenceDataplane(Limits limits, DataPath path) {
        this.limits = limits;
        this.path = path;
    }

    /**
     * A model in the state {@code s} holds, as the data path is found by a daemon restarted over
     * its pinned maps: every later frame gives what it would have given to the model {@code s}
     * was saved from. Its event log starts empty.
     */
    public static ReferenceDataplane restore(ModelSnapshot s) {
        return new ReferenceDataplane(s.limits(), new DataPath(KernelLruMap.restore(s.table4(), AssocValue::copy),
                KernelLruMap.restore(s.table6(), AssocValue::copy), s.eventMask(), new ModelConfig(s.placement()),
                s.cursors(), s.counters(), s.slotFrames(), s.slotMoved()));
    }

    /**
     * Everything the program's maps hold (the placement in force: services, slots live and
     * retired, epochs; the cursors; the counters; both association tables with their LRU state),
     * with the limits, LRU parameters and event mask; not the events waiting. No effect on the model.
     */
    public ModelSnapshot save() {
        return new ModelSnapshot(limits, path.eventMask(), path.config().placement, path.cursors(), path.counters(),
                path.slotFrames(), path.slotMoved(), path.associations4().state(AssocValue::copy),
                path.associations6().state(AssocValue::copy));
    }

    /**
     * Saves this model to bytes, closes it, and restores a new one from those bytes, so that the
     * binary form is exercised on every restart.
     */
    @Override
    public ReferenceDataplane restart() {
        requireOpen();
        byte[] pinned = save().toBytes();
        close();
        return restore(ModelSnapshot.fromBytes(pinned));
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this sim dataplane is closed (a restart closes the instance it replaces)");
        }
    }

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public Limits limits() {
        return limits;
    }

    /**
     * Places {@code next} after the placement in force ({@link Placement#next}: validates first,
     * nothing changes on a {@link io.sbulb.api.ConfigException}), then replaces the configuration
     * maps at once (the C program's generation switch). Like the C program's maps, the cursors
     * and the association tables are kept; real servers that left are retired, their slots kept.
     */
    @Override
    public void configure(DataplaneConfig next) {
        requireOpen();
        path.configure(new ModelConfig(path.config().placement.next(next)));
    }

    @Override
    public DataplaneConfig configuration() {
        return path.config().source();
    }

    /** Runs the frame through a copy of the program; the output is the copy as it left it. */
    @Override
    public Result process(Frame frame) {
        requireOpen();
        Packet p = new Packet(frame.bytes());
        DataPath.Decision d = path.process(p);
        return new Result(d.verdict(), Frame.of(p.data), d.reason());
    }

    /**
     * Both association tables, sorted by client then service, read without touching recency; an
     * entry whose slot no longer has its epoch names no real server.
     */
    @Override
    public List<Association> associations() {
        Placement placement = path.config().placement;
        List<Association> out = new ArrayList<>();
        path.associations4().entries().forEach((k, v) -> out.add(k.with(v, placement)));
        path.associations6().entries().forEach((k, v) -> out.add(k.with(v, placement)));
        Collections.sort(out);
        return out;
    }

    /** Counters of the reasons seen so far (zero counters are absent, as the XDP side reports them). */
    @Override
    public Map<Reason, Counter> counters() {
        return path.counters();
    }

    @Override
    public Map<ServerRef, Long> serverFrames() {
        return path.config().placement.perServer(path.slotFrames());
    }

    @Override
    public Map<ServerRef, Long> serverMoves() {
        requireOpen();
        return path.config().placement.perServer(path.slotMoved());
    }

    @Override
    public List<DataplaneEvent> drainEvents(int max) {
        return path.drainEvents(max);
    }

    /** The round-robin cursor of a service id ({@code sbulb_state[id].next}, unsigned), for tests. */
    long cursor(int serviceId) {
        return path.cursors().getOrDefault(serviceId, 0L);
    }

    /** The placement in force, for tests. */
    Placement placement() {
        return path.config().placement;
    }

    /** The association table of a family (4 or 6) itself, for tests that check its recency. */
    KernelLruMap<AssocKey, AssocValue> associationTable(int family) {
        return family == 4 ? path.associations4() : path.associations6();
    }

    /** Nothing to release: afterwards it runs no frame; idempotent. */
    @Override
    public void close() {
        closed = true;
    }
}
