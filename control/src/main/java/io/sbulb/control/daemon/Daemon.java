package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.IpAddress;
import io.sbulb.control.config.RealServerFileWatcher;
import io.sbulb.control.engine.ChangeReport;
import io.sbulb.control.engine.Reconciler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running balancer's control loop over a {@link DataplaneControl}: it configures the data
 * path, has it go live, then runs small scheduled tasks until asked to stop: the event log is
 * drained ({@value #EVENTS_TASK}), the real-server file watched and its changes reconciled
 * ({@value #FILE_TASK}), and the data path checked to still run where it was put
 * ({@value #WATCHDOG_TASK}). What it does is told on {@code out}, as lines starting "sbulb: ",
 * and to systemd (sd_notify).
 *
 * <p>It knows nothing of XDP: the command line loads and attaches the program and hands the
 * daemon the result, and tests hand it the reference model (docs/design.md §2).
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Period of the event drain and of the real-server file's watch. */
    public static final long POLL_MILLIS = 100;
    /** Period of the check that the data path still runs (its program attached, its interface there). */
    public static final long WATCHDOG_MILLIS = 1000;
    /**
     * Most events printed per drain: at a verbose level under heavy traffic the log never
     * empties, and the daemon must still watch the file, the data path and the stop request.
     * What does not fit waits in the data path's log; what does not fit there is lost (never a
     * frame). A quarter of the log's capacity ({@link DataplaneEvent#CAPACITY}): a full budget
     * means more are waiting, and the drain runs again at once.
     */
    public static final int EVENTS_PER_DRAIN = 1024;
    public static final String EVENTS_TASK = "events";
    public static final String FILE_TASK = "real-server file";
    public static final String WATCHDOG_TASK = "watchdog";

    /**
     * What to run.
     *
     * @param where          where the data path runs, for messages ("eth0")
     * @param config         the VIP, ports and real servers to start with
     * @param realServerFile the -cfg file the real servers came from, watched; null with -rs
     */
    public record Settings(String where, DataplaneConfig config, Path realServerFile) {
        public Settings {
            Objects.requireNonNull(where, "where");
            Objects.requireNonNull(config, "config");
        }
    }

    private final Settings settings;
    private final DataplaneControl dataplane;
    private final PrintWriter out;
    private final SdNotify notify;
    private final Consumer<DataplaneEvent> eventSink;
    private final Reconciler reconciler;
    private final RealServerFileWatcher watcher;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String stopReason = "stopped";
    private Scheduler scheduler;
    private boolean closed;

    private Daemon(Settings settings, DataplaneControl dataplane, PrintWriter out, SdNotify notify,
                   Consumer<DataplaneEvent> eventSink) {
        this.settings = settings;
        this.dataplane = dataplane;
        this.out = out;
        this.notify = notify;
        this.eventSink = eventSink;
        this.reconciler = new Reconciler(dataplane);
        // a list the limits or the VIP's family refuse is reported by the watcher, once
        this.watcher = settings.realServerFile() == null ? null
                : new RealServerFileWatcher(settings.realServerFile(), settings.config().realServers(),
                        servers -> settings.config().withRealServers(servers).validate(dataplane.limits()));
    }

    /**
     * Configures {@code dataplane}, runs {@code goLive} (the command line attaches the program
     * there and says so), then tells systemd it is ready. The daemon owns the data path from
     * here: on any failure it is closed, so nothing stays loaded or attached.
     *
     * @param eventSink where the data path's events go ({@link EventLog#log} in the daemon)
     */
    public static Daemon start(Settings settings, DataplaneControl dataplane, PrintWriter out, SdNotify notify,
                               Runnable goLive, Consumer<DataplaneEvent> eventSink) {
        try {
            dataplane.configure(settings.config());
            say(out, ChangeReport.configuration(settings.config())
                    + (settings.realServerFile() == null ? "" : " (from " + settings.realServerFile() + ")"));
            goLive.run();
            Daemon d = new Daemon(settings, dataplane, out, notify, eventSink);
            notify.ready(d.status());
            return d;
        } catch (RuntimeException | Error e) {
            dataplane.close();
            throw e;
        }
    }

    /** One line for systemd's STATUS=. */
    public String status() {
        return ChangeReport.status(dataplane.configuration(), settings.where());
    }

    /** Asks the loop to end (from a signal handler or another thread); {@code why} is printed. */
    public void requestStop(String why) {
        stopReason = why;
        stop.countDown();
    }

    /**
     * Runs the scheduled tasks until {@link #requestStop} is called. An exception escaping from
     * here is fatal (a {@link io.sbulb.api.DataplaneFailure} from the watchdog): the caller
     * closes the daemon, which detaches.
     */
    public void run() throws InterruptedException {
        if (watcher != null) {
            say(out, "watching " + settings.realServerFile() + " for real-server changes");
        }
        say(out, dataplane.detachesOnClose() ? "running; SIGINT or SIGTERM detaches and stops"
                : "running; SIGINT or SIGTERM stops sbulb and leaves the data path running (--on-exit keep)");
        Scheduler s = scheduler(nowMillis());
        long next = s.nextDue();
        while (!stop.await(Math.max(0, next - nowMillis()), TimeUnit.MILLISECONDS)) {
            next = s.runDue(nowMillis());
        }
        s.runNow(EVENTS_TASK); // the events logged until the stop
        say(out, "stopping: " + stopReason);
    }

    /** The daemon's tasks, first due one period after {@code startMillis}. Built once. */
    Scheduler scheduler(long startMillis) {
        if (scheduler == null) {
            scheduler = new Scheduler(startMillis).every(EVENTS_TASK, POLL_MILLIS, this::drainEvents);
            if (watcher != null) {
                scheduler.every(FILE_TASK, POLL_MILLIS, this::watchFile);
            }
            scheduler.every(WATCHDOG_TASK, WATCHDOG_MILLIS, () -> {
                dataplane.checkRunning();
                return false;
            });
        }
        return scheduler;
    }

    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /** Hands the events waiting (at most a budget) to the sink; more are waiting when the budget was spent. */
    private boolean drainEvents() {
        List<DataplaneEvent> events = dataplane.drainEvents(EVENTS_PER_DRAIN);
        events.forEach(eventSink);
        return events.size() >= EVENTS_PER_DRAIN;
    }

    private boolean watchFile() {
        Path file = settings.realServerFile();
        RealServerFileWatcher.Poll p = watcher.poll();
        if (p instanceof RealServerFileWatcher.Missing) {
            LOG.error("{} is gone; the running real servers are kept: {}", file,
                    ChangeReport.servers(dataplane.configuration().realServers()));
            say(out, file + " is gone; the running real servers are kept until it comes back");
            notify.status(status() + "; " + file + " is gone, the running list is kept");
        } else if (p instanceof RealServerFileWatcher.Invalid i) {
            keep(i);
        } else if (p instanceof RealServerFileWatcher.Restored) {
            say(out, file + " is readable and valid again; it holds the running real servers");
            notify.status(status());
        } else if (p instanceof RealServerFileWatcher.Changed c) {
            apply(c.servers());
        }
        return false;
    }

    private void apply(List<IpAddress> servers) {
        Reconciler.Outcome outcome = reconciler.reconcile(reconciler.running().withRealServers(servers));
        if (outcome instanceof Reconciler.Refused refused) {
            keep(watcher.reject(refused.reason()));
        } else if (outcome instanceof Reconciler.Applied applied) {
            for (String change : applied.lines()) {
                say(out, change);
            }
            say(out, "real servers now " + ChangeReport.servers(servers));
            notify.status(status());
        }
    }

    private void keep(RealServerFileWatcher.Invalid invalid) {
        LOG.error("{}; the running real servers are kept: {}", invalid.error().getMessage(),
                ChangeReport.servers(dataplane.configuration().realServers()));
        say(out, "new real-server list not applied: " + invalid.error().getMessage() + "; the running one is kept");
        notify.status(status() + "; " + settings.realServerFile() + " is invalid, the running list is kept");
    }

    private static void say(PrintWriter out, String line) {
        out.println("sbulb: " + line);
        out.flush();
    }

    /** Tells systemd it is stopping, closes the data path (detaches, unloads). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (dataplane.detachesOnClose()) {
            notify.stopping("detaching from " + settings.where());
            dataplane.close();
            say(out, "detached from " + settings.where());
        } else {
            notify.stopping("leaving the data path running on " + settings.where());
            dataplane.close();
            say(out, "left the data path running on " + settings.where() + " with the last configuration; the "
                    + "next start takes it over (sbulb detach " + settings.where() + " removes it)");
        }
    }
}
