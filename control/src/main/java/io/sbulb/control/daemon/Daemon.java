package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.control.config.ConfigFileWatcher;
import io.sbulb.control.config.FileChangeSignal;
import io.sbulb.control.engine.ChangeReport;
import io.sbulb.control.engine.Reconciler;
import io.sbulb.control.health.EffectiveConfig;
import io.sbulb.control.health.HealthEvent;
import io.sbulb.control.health.Prober;
import io.sbulb.control.health.Probes;
import io.sbulb.control.health.ServiceHealth;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running balancer's control loop over a {@link DataplaneControl}: it configures the data
 * path, has it go live, then runs small scheduled tasks until asked to stop: the event log is
 * drained ({@value #EVENTS_TASK}), the configuration file watched and its changes reconciled
 * ({@value #FILE_TASK}), and the data path checked to still run where it was put
 * ({@value #WATCHDOG_TASK}), and the real servers' health changes applied ({@value #HEALTH_TASK}:
 * the services with a health section have their servers probed, and the data path runs the
 * file's configuration with their health applied, {@link EffectiveConfig}). What it does is told
 * on {@code out}, as lines starting "sbulb: ", and to systemd (sd_notify).
 *
 * <p>The file is the real-server file of {@code -cfg} or the services file of {@code --config}
 * ({@link FileFormat}). A change of it is read when inotify reports it ({@link FileChangeSignal}
 * wakes the loop), confirmed by a second read {@value #SETTLE_MILLIS} ms later (a half-written
 * file is never applied), then reconciled: the data path switches to it whole. The file is also
 * read every {@value #POLL_MILLIS} ms, for a change inotify cannot report.
 *
 * <p>It knows nothing of XDP: the command line loads and attaches the program and hands the
 * daemon the result, and tests hand it the reference model (docs/design.md §2).
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** Period of the event drain and of the configuration file's poll. */
    public static final long POLL_MILLIS = 100;
    /**
     * How soon the file is read again after a read that saw a new content (to confirm it), and
     * the least time between two reads that inotify events ask for (a burst of writes is read
     * once per this time, not once per event).
     */
    public static final long SETTLE_MILLIS = 10;
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
    public static final String FILE_TASK = "configuration file";
    public static final String WATCHDOG_TASK = "watchdog";
    public static final String HEALTH_TASK = "health";
    public static final String DRAIN_TASK = "drain";
    public static final String CONTROL_TASK = "control";
    private static final long DRAIN_MILLIS = 1000;

    /** The kinds of configuration file, and how the daemon words their changes. */
    public enum FileFormat {
        /** {@code -cfg}: the seed's INI list of the one service's real servers. */
        REAL_SERVERS("real servers", "are", "new real-server list"),
        /** {@code --config}: the services file, the whole configuration. */
        SERVICES("configuration", "is", "new configuration");

        private final String running;
        private final String verb;
        private final String fresh;

        FileFormat(String running, String verb, String fresh) {
            this.running = running;
            this.verb = verb;
            this.fresh = fresh;
        }

        /** "real servers are kept". */
        String kept() {
            return running + " " + verb + " kept";
        }
    }

    /**
     * What to run.
     *
     * @param where  where the data path runs, for messages ("eth0")
     * @param config the configuration to start with
     * @param file   the file it came from, watched; null with -rs
     * @param format what the file is
     * @param health the services' health sections (by name) that came with {@code config}
     */
    public record Settings(String where, DataplaneConfig config, Path file, FileFormat format,
                           Map<String, ServiceHealth> health, java.util.Set<io.sbulb.api.IpAddress> hostAddresses,
                           Path controlSocket, Path drainStore) {
        public Settings {
            Objects.requireNonNull(where, "where");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(format, "format");
            health = Map.copyOf(health);
            hostAddresses = java.util.Set.copyOf(hostAddresses);
        }

        /** Without a control socket ({@code sbulb drain} cannot reach the daemon). */
        public Settings(String where, DataplaneConfig config, Path file, FileFormat format,
                        Map<String, ServiceHealth> health, java.util.Set<io.sbulb.api.IpAddress> hostAddresses) {
            this(where, config, file, format, health, hostAddresses, null, null);
        }

        /**
         * With a control socket at {@code socket} ({@link ControlSocket}), and the servers drained
         * through it kept in {@code store}.
         */
        public Settings withControl(Path socket, Path store) {
            return new Settings(where, config, file, format, health, hostAddresses, socket, store);
        }

        /** Without host addresses (a data path not attached to an interface). */
        public Settings(String where, DataplaneConfig config, Path file, FileFormat format,
                        Map<String, ServiceHealth> health) {
            this(where, config, file, format, health, java.util.Set.of());
        }

        /** Without health checks. */
        public Settings(String where, DataplaneConfig config, Path file, FileFormat format) {
            this(where, config, file, format, Map.of());
        }

        /** The seed's: a real-server file ({@code -cfg}), or none ({@code -rs}). */
        public Settings(String where, DataplaneConfig config, Path realServerFile) {
            this(where, config, realServerFile, FileFormat.REAL_SERVERS);
        }
    }

    private final Settings settings;
    private final DataplaneControl dataplane;
    private final PrintWriter out;
    private final SdNotify notify;
    private final Consumer<DataplaneEvent> eventSink;
    private final Reconciler reconciler;
    private final ConfigFileWatcher watcher;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean fileChanged = new AtomicBoolean();
    private final AtomicBoolean healthChanged = new AtomicBoolean();
    private final HealthKeeper health;
    private final DrainReporter drains = new DrainReporter();
    private final DrainOverrides overrides;
    /** Per server down: the clients moved away from it (serverMoves) when it went down. */
    private final Map<io.sbulb.api.ServerRef, Long> movedAtDown = new java.util.HashMap<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<ControlSocket.Request> requests =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean requested = new AtomicBoolean();
    private ControlSocket control;
    private Map<String, ServiceHealth> healthRead; // the health sections of the file's last valid content
    private volatile boolean stopped;
    private volatile String stopReason = "stopped";
    private Scheduler scheduler;
    private long lastFileRead = Long.MIN_VALUE / 2;
    private boolean closed;

    private Daemon(Settings settings, DataplaneControl dataplane, PrintWriter out, SdNotify notify,
                   Consumer<DataplaneEvent> eventSink, Function<Prober.Listener, Probes> probers,
                   DrainOverrides overrides) {
        this.settings = settings;
        this.dataplane = dataplane;
        this.out = out;
        this.notify = notify;
        this.eventSink = eventSink;
        this.reconciler = new Reconciler(dataplane);
        // a configuration the limits refuse (or the VIP's family, or a limit changed) is reported by the watcher, once
        if (settings.file() == null) {
            this.watcher = null;
        } else if (settings.format() == FileFormat.SERVICES) {
            this.watcher = ConfigFileWatcher.services(settings.file(), settings.config(), dataplane.limits(),
                    h -> healthRead = h);
        } else {
            this.watcher = ConfigFileWatcher.realServers(settings.file(), settings.config(), dataplane.limits());
        }
        this.healthRead = settings.health();
        this.health = new HealthKeeper(EffectiveConfig.DECISION_ONE, probers, this::healthChanged);
        this.health.watch(settings.health(), settings.config());
        this.overrides = overrides;
    }

    /** The servers drained by command that the configuration still has (those it lost are said and forgotten). */
    private static DrainOverrides overrides(Settings settings, PrintWriter out) {
        DrainOverrides o = new DrainOverrides(settings.drainStore(), line -> {
            LOG.warn("{}", line);
            say(out, "warning: " + line);
        });
        o.retain(settings.config()).forEach(line -> say(out, line));
        o.drained().forEach(r -> say(out, "service " + r.service() + " server " + r.address() + " drains (by command, "
                + "kept in " + settings.drainStore() + ")"));
        return o;
    }

    /**
     * Listens on the settings' control socket, if any. A socket that cannot be opened is a warning:
     * the balancer runs on, without {@code sbulb drain}'s way to it.
     */
    private void listen() {
        if (settings.controlSocket() == null) {
            return;
        }
        try {
            control = ControlSocket.open(settings.controlSocket(), r -> {
                requests.add(r);
                requested.set(true);
                wake.release();
            });
            say(out, "listening for commands (sbulb drain) on " + control.path());
        } catch (java.io.UncheckedIOException e) {
            LOG.warn("{}", e.getMessage());
            say(out, "warning: " + e.getMessage() + "; sbulb drain cannot reach this balancer (a weight 0 in the "
                    + "file drains a server)");
        }
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
        return start(settings, dataplane, out, notify, goLive, eventSink, Prober::new);
    }

    /** The same, with the health prober made by {@code probers} (tests). */
    static Daemon start(Settings settings, DataplaneControl dataplane, PrintWriter out, SdNotify notify,
                        Runnable goLive, Consumer<DataplaneEvent> eventSink, Function<Prober.Listener, Probes> probers) {
        try {
            DrainOverrides overrides = overrides(settings, out);
            dataplane.configure(withHost(settings, overrides.apply(settings.config())));
            List<String> lines = ChangeReport.configuration(settings.config());
            String from = settings.file() == null ? "" : " (from " + settings.file() + ")";
            if (lines.size() == 1) {
                say(out, lines.get(0) + from);
            } else {
                say(out, lines.size() + " services" + from + ":");
                lines.forEach(l -> say(out, "  " + l));
            }
            goLive.run();
            Daemon d = new Daemon(settings, dataplane, out, notify, eventSink, probers, overrides);
            d.listen();
            notify.ready(d.status());
            return d;
        } catch (RuntimeException | Error e) {
            dataplane.close();
            throw e;
        }
    }

    /** One line for systemd's STATUS=. */
    public String status() {
        int commanded = overrides.drained().size();
        return ChangeReport.status(dataplane.configuration(), settings.where()) + health.status() + drains.status()
                + (commanded == 0 ? "" : "; " + commanded + " draining by command");
    }

    /**
     * A real server's health changed (the prober's listener, on its thread; tests feed states
     * here): the loop logs it and applies the effective configuration.
     */
    public void healthChanged(HealthEvent event) {
        health.offer(event);
    }

    private void healthChanged() {
        healthChanged.set(true);
        wake.release();
    }

    /** Asks the loop to end (from a signal handler or another thread); {@code why} is printed. */
    public void requestStop(String why) {
        stopReason = why;
        stopped = true;
        wake.release();
    }

    /**
     * The configuration file's directory changed (from {@link FileChangeSignal}'s thread, or a
     * test's): the loop reads the file at once, or {@value #SETTLE_MILLIS} ms after its last read.
     */
    public void fileChanged() {
        fileChanged.set(true);
        wake.release();
    }

    /**
     * Runs the scheduled tasks until {@link #requestStop} is called. An exception escaping from
     * here is fatal (a {@link io.sbulb.api.DataplaneFailure} from the watchdog): the caller
     * closes the daemon, which detaches.
     */
    public void run() throws InterruptedException {
        if (watcher != null) {
            say(out, "watching " + settings.file() + " for changes");
        }
        say(out, dataplane.detachesOnClose() ? "running; SIGINT or SIGTERM detaches and stops"
                : "running; SIGINT or SIGTERM stops sbulb and leaves the data path running (--on-exit keep)");
        Scheduler s = scheduler(nowMillis());
        try (FileChangeSignal signal = watcher == null ? null : FileChangeSignal.watch(watcher.file(), this::fileChanged)) {
            long next = s.nextDue();
            while (!stopped) {
                if (wake.tryAcquire(Math.max(0, next - nowMillis()), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
                if (stopped) {
                    break;
                }
                long now = nowMillis();
                if (healthChanged.getAndSet(false)) {
                    s.dueBy(HEALTH_TASK, now);
                }
                if (requested.getAndSet(false)) {
                    s.dueBy(CONTROL_TASK, now);
                }
                if (watcher != null && fileChanged.getAndSet(false)) {
                    s.dueBy(FILE_TASK, Math.max(now, lastFileRead + SETTLE_MILLIS));
                }
                next = s.runDue(now);
            }
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
            scheduler.every(HEALTH_TASK, POLL_MILLIS, this::applyHealth);
            scheduler.every(DRAIN_TASK, DRAIN_MILLIS, this::sampleDrains);
            scheduler.every(CONTROL_TASK, POLL_MILLIS, this::answerRequests);
            scheduler.every(WATCHDOG_TASK, WATCHDOG_MILLIS, () -> {
                dataplane.checkRunning();
                return false;
            });
        }
        return scheduler;
    }

    /** Answers the commands that came on the control socket, in order. */
    private boolean answerRequests() {
        ControlSocket.Request r;
        while ((r = requests.poll()) != null) {
            r.answer().complete(answer(r.line()));
        }
        return false;
    }

    /** The answer to one command line: "ok: ..." or "error: ...". */
    String answer(String line) {
        String[] w = line.trim().split("\\s+");
        try {
            switch (w[0]) {
                case "status":
                    return "ok: " + status();
                case "drain":
                case "undrain": {
                    if (w.length != 3) {
                        throw new IllegalArgumentException("usage: " + w[0] + " SERVICE SERVER");
                    }
                    io.sbulb.api.ServerRef ref = new io.sbulb.api.ServerRef(w[1], io.sbulb.api.IpAddress.parse(w[2]));
                    String said = w[0].equals("drain") ? overrides.drain(fileConfig(), ref)
                            : overrides.undrain(fileConfig(), ref);
                    LOG.info("{} (by command)", said);
                    say(out, said + " (by command)");
                    applyEffective();
                    return "ok: " + said;
                }
                default:
                    throw new IllegalArgumentException("unknown command '" + w[0] + "': the commands are drain SERVICE "
                            + "SERVER, undrain SERVICE SERVER, status");
            }
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return "error: " + e.getMessage();
        }
    }

    /** The configuration file's running content (the command line's without one). */
    private DataplaneConfig fileConfig() {
        return watcher == null ? settings.config() : watcher.current();
    }

    /** Reports the draining servers (weight 0 in the file, or drained by command) that became drained. */
    private boolean sampleDrains() {
        DataplaneConfig file = overrides.apply(fileConfig());
        boolean anyDraining = file.services().stream().anyMatch(s -> s.realServers().stream().anyMatch(r -> r.weight() == 0));
        if (!anyDraining && drains.status().isEmpty()) {
            return false; // nothing drains: the counters are not read
        }
        List<String> lines = drains.sample(file, health.policies(), dataplane.serverFrames(), System.nanoTime());
        if (!lines.isEmpty()) {
            lines.forEach(l -> say(out, l));
            notify.status(status());
        }
        return false;
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
        lastFileRead = scheduler.now();
        Path file = settings.file();
        String running = settings.format().running;
        ConfigFileWatcher.Poll p = watcher.poll();
        if (p instanceof ConfigFileWatcher.Missing) {
            LOG.error("{} is gone; the running {}: {}", file, settings.format().kept(), running());
            say(out, file + " is gone; the running " + settings.format().kept() + " until it comes back");
            notify.status(status() + "; " + file + " is gone, the running " + settings.format().kept());
        } else if (p instanceof ConfigFileWatcher.Invalid i) {
            keep(i);
        } else if (p instanceof ConfigFileWatcher.Restored) {
            say(out, file + " is readable and valid again; it holds the running " + running);
            notify.status(status());
        } else if (p instanceof ConfigFileWatcher.Changed c) {
            apply(c.config());
        }
        if (!(p instanceof ConfigFileWatcher.Changed) && !healthRead.equals(health.policies())) {
            say(out, file + ": the health checks changed");
            health.watch(healthRead, watcher.current()); // the health sections alone changed
            applyEffective();
        }
        if (watcher.settling()) {
            scheduler.dueBy(FILE_TASK, scheduler.now() + SETTLE_MILLIS);
        }
        return false;
    }

    /** The file's configuration changed: applied with its servers' health. */
    private void apply(DataplaneConfig desired) {
        Map<String, ServiceHealth> before = health.policies();
        health.watch(healthRead, desired);
        Reconciler.Outcome outcome = reconciler.reconcile(withHost(settings, health.effective(overrides.apply(desired))));
        if (outcome instanceof Reconciler.Refused refused) {
            keep(watcher.reject(refused.reason()));
            health.watch(before, watcher.current());
            healthRead = before;
        } else {
            overrides.retain(desired).forEach(line -> say(out, line));
            movedAtDown.keySet().removeIf(r -> desired.service(r.service())
                    .map(x -> !x.addresses().contains(r.address())).orElse(true));
            report(outcome, desired);
        }
    }

    /** Logs the health changes queued, one line each, and applies the configuration they make. */
    private boolean applyHealth() {
        List<HealthEvent> events = health.drain();
        if (events.isEmpty()) {
            return false;
        }
        Map<io.sbulb.api.ServerRef, Long> moves = dataplane.serverMoves();
        List<String> movedLines = new java.util.ArrayList<>();
        for (HealthEvent e : events) {
            LOG.info("{}", e);
            say(out, e.toString());
            io.sbulb.api.ServerRef ref = new io.sbulb.api.ServerRef(e.target().service(), e.target().server());
            long now = moves.getOrDefault(ref, 0L);
            if (e.state() == io.sbulb.control.health.RiseFall.State.DOWN) {
                movedAtDown.put(ref, now);
            } else if (movedAtDown.containsKey(ref)) {
                long n = now - movedAtDown.remove(ref);
                movedLines.add(e.target() + ": " + n + " client" + (n == 1 ? "" : "s") + " moved away while it was down");
            }
        }
        applyEffective();
        movedLines.forEach(l -> say(out, l));
        return false;
    }

    private void applyEffective() {
        DataplaneConfig file = fileConfig();
        Reconciler.Outcome outcome = reconciler.reconcile(withHost(settings, health.effective(overrides.apply(file))));
        if (outcome instanceof Reconciler.Refused refused) {
            LOG.error("the data path refused the configuration health makes: {}", refused.reason().getMessage());
            say(out, "health changes not applied: " + refused.reason().getMessage());
        }
        report(outcome, file);
        notify.status(status());
    }

    private void report(Reconciler.Outcome outcome, DataplaneConfig desired) {
        if (outcome instanceof Reconciler.Applied applied) {
            for (String change : applied.lines()) {
                say(out, change);
            }
            if (settings.format() == FileFormat.REAL_SERVERS) {
                say(out, "real servers now " + ChangeReport.servers(desired.services().get(0).realServers()));
            } else {
                say(out, "now " + status());
            }
            notify.status(status());
        }
    }

    private void keep(ConfigFileWatcher.Invalid invalid) {
        LOG.error("{}; the running {}: {}", invalid.error().getMessage(), settings.format().kept(), running());
        say(out, settings.format().fresh + " not applied: " + invalid.error().getMessage() + "; the running one is kept");
        notify.status(status() + "; " + settings.file() + " is invalid, the running " + settings.format().kept());
    }

    /** What runs, for a log line: the seed's list in full, a services file's in short (it may be long). */
    private String running() {
        return settings.format() == FileFormat.REAL_SERVERS
                ? ChangeReport.configurationLine(dataplane.configuration()) : status();
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
        if (control != null) {
            control.close();
        }
        health.close();
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

    /**
     * {@code c} with the balancer host's own addresses (docs/design.md §1: never translated, so
     * that a health probe's reply reaches the prober), those of the interface that the
     * configuration does not use as a VIP or a real server (an operator may put a VIP on the
     * interface).
     */
    static DataplaneConfig withHost(Settings settings, DataplaneConfig c) {
        if (settings.hostAddresses().isEmpty()) {
            return c;
        }
        java.util.Set<io.sbulb.api.IpAddress> used = new java.util.HashSet<>();
        for (io.sbulb.api.Service s : c.services()) {
            used.add(s.vip());
            used.addAll(s.addresses());
        }
        java.util.Set<io.sbulb.api.IpAddress> host = new java.util.TreeSet<>(settings.hostAddresses());
        host.removeAll(used);
        return c.withHostAddresses(host);
    }
}
