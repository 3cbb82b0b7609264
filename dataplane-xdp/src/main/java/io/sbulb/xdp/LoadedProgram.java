package io.sbulb.xdp;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import io.sbulb.api.Reason;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.PackagedObject;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.bpf.RingBuffer;
import io.sbulb.xdp.pin.PinnedLayoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sbulb program loaded into the kernel, and what both handles on it share: the thread every
 * kernel call runs on, the configuration writer, the association table, the counters and the
 * event ring buffer. {@link XdpDataplane} runs frames through it with BPF_PROG_TEST_RUN;
 * {@link XdpLiveDataplane} attaches it to an interface.
 */
final class LoadedProgram {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedProgram.class);

    private final Limits limits;
    private final PinnedThread thread;
    private final SbulbProgram prog;
    private final ConfigWriter writer;
    /** The maps were pinned by an earlier load (reused, or migrated from another layout). */
    private boolean adopted;
    private boolean closed;
    /** The event ring buffer's consumer, opened on first use (on the BPF thread). */
    private RingBuffer events;
    private final List<DataplaneEvent> pending = new ArrayList<>();
    /** An upgrade under way: finished once the link runs this program ({@link #finishMigration}). */
    private StateMigration migration;

    private LoadedProgram(Limits limits, PinnedThread thread, SbulbProgram prog, ConfigWriter.WriteHook hook) {
        this.limits = limits;
        this.thread = thread;
        this.prog = prog;
        this.writer = new ConfigWriter(prog, limits, hook);
    }

    /**
     * Loads the program as {@code spec} says; all kernel work runs on one thread, pinned to
     * {@code cpu} unless it is {@link XdpDataplane#ANY_CPU}.
     */
    static LoadedProgram load(SbulbProgramSpec spec, int cpu, ConfigWriter.WriteHook hook) {
        return load(spec, cpu, hook, null, SbulbProgram.packaged());
    }

    /**
     * As {@link #load(SbulbProgramSpec, int, ConfigWriter.WriteHook)}, with the maps pinned in
     * {@code pin} (null: not pinned): maps pinned there already are adopted, with the
     * configuration they hold in force.
     */
    static LoadedProgram load(SbulbProgramSpec spec, int cpu, ConfigWriter.WriteHook hook, PinDir pin,
                              PackagedObject image) {
        PinnedThread thread = new PinnedThread("sbulb-bpf", cpu);
        try {
            LoadedProgram loaded = thread.call(() -> {
                SbulbProgram prog;
                StateMigration migration = null;
                try {
                    prog = SbulbProgram.load(spec, pin, image);
                } catch (PinnedLayoutException older) {
                    // an upgrade: the new layout's maps in a staging directory, the old ones copied in
                    migration = new StateMigration(pin, older.pinnedAbi(), spec.limits());
                    migration.staging().purge(); // an earlier upgrade cut short
                    prog = SbulbProgram.load(spec, migration.staging(), image);
                    try {
                        LOG.info("migrating the state pinned at {} from map layout {} to {}: {} entries copied", pin,
                                older.pinnedAbi(), older.objectAbi(), migration.copyAll(prog));
                    } catch (RuntimeException e) {
                        prog.close();
                        migration.staging().purge();
                        throw e;
                    }
                }
                try {
                    LoadedProgram l = new LoadedProgram(spec.limits(), thread, prog, hook);
                    l.migration = migration;
                    l.adopted = prog.adopted() || migration != null;
                    if (l.adopted) {
                        l.writer.adopt();
                    }
                    return l;
                } catch (RuntimeException e) {
                    prog.close();
                    throw e;
                }
            });
            return loaded;
        } catch (RuntimeException e) {
            thread.close();
            throw e;
        }
    }

    Limits limits() {
        return limits;
    }

    /** True when the maps were adopted from an earlier load (pinned), or migrated from them. */
    boolean adopted() {
        return adopted;
    }

    /** True while an upgrade waits for the link to run this program. */
    boolean migrating() {
        return migration != null;
    }

    /**
     * Once the link runs this program: copies the associations the old program made meanwhile
     * and puts the migrated maps in the old ones' place. Returns the associations copied late.
     */
    int finishMigration() {
        StateMigration m = migration;
        migration = null;
        return m == null ? 0 : call(() -> m.finish(prog));
    }

    SbulbProgram program() {
        return prog;
    }

    /** Runs {@code task} on the BPF thread. */
    <T> T call(Callable<T> task) {
        checkOpen();
        return thread.call(task);
    }

    void configure(DataplaneConfig next) {
        checkOpen();
        thread.call(() -> {
            Placement placed = writer.placement().next(next); // validates: nothing written on a refusal
            try {
                writer.apply(placed); // a generation switch: a failure before it leaves the data path as it was
            } catch (BpfException e) {
                throw new ConfigException("configuration not applied, the previous one is kept: " + e.getMessage(), e);
            }
            return null;
        });
    }

    /** The configuration in force: the writer's, as written or adopted. */
    DataplaneConfig configuration() {
        return placement().config();
    }

    /** Where the configuration in force sits in the maps. */
    Placement placement() {
        return call(writer::placement);
    }

    /** Both association tables, each entry named by the placement in force. */
    List<Association> associations() {
        List<Association> list = call(() -> {
            Placement p = writer.placement();
            List<Association> out = new ArrayList<>();
            java.util.function.BiConsumer<byte[], byte[]> add = (k, v) -> {
                SbulbAbi.AssocEntry e = SbulbAbi.AssocEntry.of(k, v);
                out.add(new Association(p.serviceName(e.serviceId()), e.client(), p.serverOf(e.slot(), e.epoch()),
                        e.slot(), e.epoch()));
            };
            prog.assoc4.forEach(add);
            prog.assoc6.forEach(add);
            return out;
        });
        Collections.sort(list);
        return list;
    }

    Map<Reason, Counter> counters() {
        return call(this::readCounters);
    }

    /** The per-CPU counters summed, non-zero ones only; one batch lookup. On the BPF thread. */
    Map<Reason, Counter> readCounters() {
        Map<Reason, Counter> out = new EnumMap<>(Reason.class);
        int stride = prog.counters.perCpuStride();
        int cpus = prog.counters.possibleCpus();
        prog.counters.forEach((key, value) -> {
            int code = SbulbAbi.wrap(key).getInt(0);
            Counter c = SbulbAbi.counter(value, stride, cpus);
            if (code != 0 && c.packets() != 0) {
                out.put(Reason.ofCode(code), c);
            }
        });
        return out;
    }

    /** {@code sbulb_slot_frames} summed over CPUs: slot -> frames forwarded, the slots with any. */
    static Map<Integer, Long> framesBySlot(io.sbulb.xdp.bpf.BpfMap slotFrames) {
        return slotCounts(slotFrames, SbulbAbi.SLOT_COUNT_FRAMES);
    }

    /** {@code sbulb_slot_frames} summed over CPUs: slot -> clients moved away, the slots with any. */
    static Map<Integer, Long> movedBySlot(io.sbulb.xdp.bpf.BpfMap slotFrames) {
        return slotCounts(slotFrames, SbulbAbi.SLOT_COUNT_MOVED);
    }

    /** One field (at {@code offset}) of {@code struct sbulb_slot_count}, summed over CPUs, the slots not 0. */
    private static Map<Integer, Long> slotCounts(io.sbulb.xdp.bpf.BpfMap slotFrames, int offset) {
        Map<Integer, Long> bySlot = new java.util.HashMap<>();
        int stride = slotFrames.perCpuStride();
        int cpus = slotFrames.possibleCpus();
        slotFrames.forEach((key, value) -> {
            java.nio.ByteBuffer b = SbulbAbi.wrap(value);
            long n = 0;
            for (int cpu = 0; cpu < cpus; cpu++) {
                n += b.getLong(cpu * stride + offset);
            }
            if (n != 0) {
                bySlot.put(SbulbAbi.u32(key), n);
            }
        });
        return bySlot;
    }

    /** Frames forwarded per server with a slot ({@code sbulb_slot_frames} summed over CPUs). */
    Map<io.sbulb.api.ServerRef, Long> serverFrames() {
        return call(() -> writer.placement().perServer(framesBySlot(prog.slotFrames)));
    }

    /** Clients moved away per server with a slot ({@code sbulb_slot_frames} summed over CPUs). */
    Map<io.sbulb.api.ServerRef, Long> serverMoves() {
        return call(() -> writer.placement().perServer(movedBySlot(prog.slotFrames)));
    }

    List<DataplaneEvent> drainEvents(int max) {
        return call(() -> {
            if (events == null) {
                events = new RingBuffer(prog.events, record -> pending.add(SbulbAbi.event(record)));
            }
            events.consume(max);
            List<DataplaneEvent> out = new ArrayList<>(pending);
            pending.clear();
            return out;
        });
    }

    boolean isClosed() {
        return closed;
    }

    /** Unloads the program and ends its thread. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.call(() -> {
                if (events != null) {
                    events.close();
                }
                prog.close();
                return null;
            });
        } finally {
            thread.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("XDP dataplane is closed");
        }
    }
}
