package io.sbulb.xdp;

import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.Frame;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.pin.PinDir;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The real XDP program as a {@link Dataplane}: loaded into the running kernel, configured
 * through its maps, and run one frame at a time with BPF_PROG_TEST_RUN (repeat = 1). It is the
 * test and replay harness; the program attached to a live interface is {@link XdpLiveDataplane}.
 *
 * <p>Every kernel operation runs on one thread pinned to one CPU ({@link PinnedThread}), so the
 * LRU association table behaves deterministically. Needs CAP_BPF (root).
 */
public final class XdpDataplane extends LoadedControl implements Dataplane {

    /** Default CPU for the pinned thread. */
    public static final int DEFAULT_CPU = 0;
    /**
     * No pinning: for a program attached to a live interface, whose frames arrive on every CPU
     * anyway, pinning the control thread buys nothing and fails where CPU 0 is not allowed.
     */
    public static final int ANY_CPU = -1;

    /** Where restartable harness dataplanes pin their maps, one directory each. */
    static final java.nio.file.Path HARNESS_PINS = PinDir.BPFFS.resolve("sbulb-harness");
    private static final java.util.concurrent.atomic.AtomicInteger HARNESS_SEQ = new java.util.concurrent.atomic.AtomicInteger();

    private final SbulbProgramSpec spec;
    private final int cpu;
    private final PinDir pin;
    private boolean purgeOnClose;

    private XdpDataplane(LoadedProgram loaded) {
        this(loaded, null, null, DEFAULT_CPU);
    }

    private XdpDataplane(LoadedProgram loaded, SbulbProgramSpec spec, PinDir pin, int cpu) {
        super(loaded);
        this.spec = spec;
        this.pin = pin;
        this.cpu = cpu;
        this.purgeOnClose = pin != null;
    }

    /**
     * Loads the program with its maps pinned in a directory of its own (under
     * {@code /sys/fs/bpf/sbulb-harness}), so that {@link #restart()} can load it again over them,
     * as a restarted daemon does; the directory is removed when the last instance over it closes.
     * Directories left by processes that died are removed first.
     */
    public static XdpDataplane createRestartable(SbulbProgramSpec spec, int cpu) {
        removeDeadHarnessPins();
        return loadPinned(spec, cpu, new PinDir(HARNESS_PINS.resolve(ProcessHandle.current().pid() + "-"
                + HARNESS_SEQ.incrementAndGet())));
    }

    /** Loads over {@code pin}, removing it if the load fails. */
    private static XdpDataplane loadPinned(SbulbProgramSpec spec, int cpu, PinDir pin) {
        try {
            return new XdpDataplane(LoadedProgram.load(spec, cpu, ConfigWriter.WriteHook.NONE, pin,
                    SbulbProgram.packaged()), spec, pin, cpu);
        } catch (RuntimeException e) {
            pin.purge();
            throw e;
        }
    }

    private static void removeDeadHarnessPins() {
        if (!java.nio.file.Files.isDirectory(HARNESS_PINS)) {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> dirs = java.nio.file.Files.list(HARNESS_PINS)) {
            dirs.forEach(d -> {
                String name = d.getFileName().toString();
                int dash = name.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? name : name.substring(0, dash));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        new PinDir(d).purge();
                    }
                } catch (NumberFormatException | java.io.UncheckedIOException e) {
                    // not ours, or being removed by someone else: leave it
                }
            });
        } catch (java.io.IOException e) {
            // nothing to clean
        }
    }

    /**
     * Closes this instance, keeping its pinned maps, and loads the program again over them: the
     * new instance adopts the associations with their LRU order, the cursor, the counters and
     * the configuration (with its retired servers), as a restarted daemon does.
     *
     * @throws UnsupportedOperationException unless created by {@link #createRestartable}
     */
    @Override
    public Dataplane restart() {
        if (pin == null) {
            throw new UnsupportedOperationException("this xdp dataplane's maps are not pinned: create it with "
                    + "XdpDataplane.createRestartable to restart it");
        }
        purgeOnClose = false;
        close();
        return loadPinned(spec, cpu, pin);
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
        return new XdpDataplane(LoadedProgram.load(spec, cpu, hook));
    }

    @Override
    public Result process(Frame frame) {
        return loaded.call(() -> {
            Map<Reason, Counter> before = loaded.readCounters();
            BpfProgram.TestRun run = loaded.program().program().testRunXdp(frame.bytes(), 1);
            Reason reason = reasonOf(before, loaded.readCounters(), frame.length());
            return new Result(Verdict.ofXdpAction(run.retval()), Frame.of(run.output()), reason);
        });
    }

    /**
     * The batch in one hand-over to the BPF thread (there, {@link #process} runs in place): the
     * hand-over costs more than the test run itself.
     */
    @Override
    public List<Result> processAll(List<Frame> frames) {
        return loaded.call(() -> Dataplane.super.processAll(frames));
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

    /**
     * The loaded program's fd, owned by this dataplane (valid until {@link #close()}); for a
     * measuring wrapper that tail-calls it (io.sbulb.xdp.bench.DataPathBenchmark).
     */
    public int programFd() {
        return loaded.call(() -> loaded.program().program().fd());
    }

    /** The loaded program, for tests that read its maps (same thread rules apply). */
    SbulbProgram program() {
        return loaded.program();
    }

    <T> T onBpfThread(Callable<T> task) {
        return loaded.call(task);
    }

    @Override
    public void close() {
        boolean wasOpen = !loaded.isClosed();
        loaded.close();
        if (wasOpen && purgeOnClose) {
            pin.purge();
        }
    }
}
