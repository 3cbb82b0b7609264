package io.sbulb.xdp;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Frame;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.RingBuffer;
import io.sbulb.xdp.net.NetInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The real XDP program as a {@link Dataplane}: loaded into the running kernel, configured
 * through its maps, and run one frame at a time with BPF_PROG_TEST_RUN (repeat = 1).
 *
 * <p>Every kernel operation runs on one thread pinned to one CPU ({@link PinnedThread}), so the
 * LRU association table behaves deterministically. Needs CAP_BPF (root).
 *
 * <p>The same program can also run on live interfaces ({@link #attach}); while it does, live
 * frames move its counters too, and {@link #process}, which reads the reason of its frame from
 * them, fails (IllegalStateException) when a live frame is counted meanwhile.
 */
public final class XdpDataplane implements Dataplane {

    /** Default CPU for the pinned thread. */
    public static final int DEFAULT_CPU = 0;
    /**
     * No pinning: for a program attached to a live interface, whose frames arrive on every CPU
     * anyway, pinning the control thread buys nothing and fails where CPU 0 is not allowed.
     */
    public static final int ANY_CPU = -1;

    private final Limits limits;
    private final PinnedThread thread;
    private final SbulbProgram prog;
    private final ConfigWriter writer;
    private DataplaneConfig config = DataplaneConfig.empty();
    private boolean closed;
    /** The event ring buffer's consumer, opened on first use (on the BPF thread). */
    private RingBuffer events;
    private final List<SbulbEvent> pending = new ArrayList<>();
    /** Live attachments of the program, detached first on close. */
    private final List<XdpAttachment> attachments = new ArrayList<>();

    private XdpDataplane(Limits limits, PinnedThread thread, SbulbProgram prog, ConfigWriter.WriteHook hook) {
        this.limits = limits;
        this.thread = thread;
        this.prog = prog;
        this.writer = new ConfigWriter(prog, limits.maxRealServers(), hook);
    }

    /** Loads the program with these limits, no event log, on CPU {@value #DEFAULT_CPU}. */
    public static XdpDataplane create(Limits limits) {
        return create(SbulbProgramSpec.of(limits), DEFAULT_CPU);
    }

    /**
     * Loads the program as {@code spec} says; all kernel work runs on one thread, pinned to
     * {@code cpu} unless it is {@link #ANY_CPU}.
     */
    public static XdpDataplane create(SbulbProgramSpec spec, int cpu) {
        return create(spec, cpu, ConfigWriter.WriteHook.NONE);
    }

    /** As {@link #create(SbulbProgramSpec, int)}, with a hook before each configuration write (tests). */
    static XdpDataplane create(SbulbProgramSpec spec, int cpu, ConfigWriter.WriteHook hook) {
        PinnedThread thread = new PinnedThread("sbulb-bpf", cpu);
        try {
            SbulbProgram prog = thread.call(() -> SbulbProgram.load(spec));
            return new XdpDataplane(spec.limits(), thread, prog, hook);
        } catch (RuntimeException e) {
            thread.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "xdp";
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public void configure(DataplaneConfig next) {
        checkOpen();
        next.validate(limits);
        thread.call(() -> {
            try {
                writer.apply(next); // a generation switch: a failure before it leaves the data path as it was
            } catch (BpfException e) {
                throw new ConfigException("configuration not applied, the previous one is kept: " + e.getMessage(), e);
            }
            return null;
        });
        config = next;
    }

    @Override
    public DataplaneConfig configuration() {
        return config;
    }

    @Override
    public Result process(Frame frame) {
        checkOpen();
        return thread.call(() -> {
            Map<Reason, Counter> before = readCounters();
            BpfProgram.TestRun run = prog.program().testRunXdp(frame.bytes(), 1);
            Reason reason = reasonOf(before, readCounters(), frame.length());
            return new Result(Verdict.ofXdpAction(run.retval()), Frame.of(run.output()), reason);
        });
    }

    /**
     * The batch in one hand-over to the BPF thread (there, {@link #process} runs in place): the
     * hand-over costs more than the test run itself.
     */
    @Override
    public List<Result> processAll(List<Frame> frames) {
        checkOpen();
        return thread.call(() -> Dataplane.super.processAll(frames));
    }

    /**
     * The reason of the frame just run: BPF_PROG_TEST_RUN returns only the verdict, so the
     * reason is read from the counters, the one (and only one) that moved by this frame.
     */
    private static Reason reasonOf(Map<Reason, Counter> before, Map<Reason, Counter> after, int frameLength) {
        Reason moved = null;
        for (Reason r : Reason.values()) {
            Counter a = after.getOrDefault(r, Counter.ZERO);
            Counter b = before.getOrDefault(r, Counter.ZERO);
            if (a.packets() != b.packets()) {
                if (moved != null || a.packets() != b.packets() + 1 || a.bytes() != b.bytes() + frameLength) {
                    throw new IllegalStateException("counters moved unexpectedly for one frame (is something else "
                            + "running this program?): " + before + " -> " + after);
                }
                moved = r;
            }
        }
        if (moved == null) {
            throw new IllegalStateException("no counter moved for the frame: the program counted nothing");
        }
        return moved;
    }

    @Override
    public List<Association> associations() {
        checkOpen();
        List<Association> list = thread.call(() -> {
            List<Association> out = new ArrayList<>();
            prog.associations.forEach((k, v) -> out.add(SbulbAbi.association(k, v)));
            return out;
        });
        Collections.sort(list);
        return list;
    }

    @Override
    public Map<Reason, Counter> counters() {
        checkOpen();
        return thread.call(this::readCounters);
    }

    /** The per-CPU counters summed, non-zero ones only; one batch lookup. On the BPF thread. */
    private Map<Reason, Counter> readCounters() {
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

    /** What the kernel says about the loaded program (verifier instruction count, size). */
    public BpfProgram.Info programInfo() {
        checkOpen();
        return thread.call(() -> prog.program().info());
    }

    /**
     * The loaded program's fd, owned by this dataplane (valid until {@link #close()}); for a
     * measuring wrapper that tail-calls it (io.sbulb.xdp.bench.DataPathBenchmark).
     */
    public int programFd() {
        checkOpen();
        return prog.program().fd();
    }

    /**
     * The events the data path logged since the last call, oldest first: those whose reason is
     * in the load-time event mask ({@link SbulbProgramSpec#eventMask()}). Events are lost, never
     * frames, when the ring buffer is full.
     */
    public List<SbulbEvent> drainEvents() {
        return drainEvents(Integer.MAX_VALUE);
    }

    /**
     * At most {@code max} of the events waiting, oldest first: under a steady stream of events
     * (a verbose log level and heavy traffic) the caller still gets control back.
     */
    public List<SbulbEvent> drainEvents(int max) {
        checkOpen();
        return thread.call(() -> {
            if (events == null) {
                events = new RingBuffer(prog.events, record -> pending.add(SbulbEvent.decode(record)));
            }
            events.consume(max);
            List<SbulbEvent> out = new ArrayList<>(pending);
            pending.clear();
            return out;
        });
    }

    /**
     * Attaches the program to a live interface through a BPF link (see {@link XdpAttachment}),
     * on the BPF thread. That thread lives in the network namespace in which the dataplane was
     * created: {@code nif} must have been looked up there (to attach in a namespace, create the
     * dataplane inside it, e.g. within {@code Netns.call}). Closing the dataplane closes its
     * attachments first.
     */
    public XdpAttachment attach(NetInterface nif, AttachOptions opts) {
        checkOpen();
        XdpAttachment a = thread.call(() -> XdpAttachment.attach(prog.program().fd(), nif, opts));
        synchronized (attachments) {
            attachments.removeIf(XdpAttachment::isClosed);
            attachments.add(a);
        }
        return a;
    }

    /** The loaded program, for callers that attach it or read its maps (same thread rules apply). */
    SbulbProgram program() {
        return prog;
    }

    <T> T onBpfThread(java.util.concurrent.Callable<T> task) {
        return thread.call(task);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            synchronized (attachments) {
                attachments.forEach(XdpAttachment::close); // detach before the program goes
                attachments.clear();
            }
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
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("XDP dataplane is closed");
        }
    }
}
