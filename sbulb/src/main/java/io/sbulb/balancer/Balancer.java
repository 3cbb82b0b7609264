package io.sbulb.balancer;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LogLevel;
import io.sbulb.api.Reason;
import io.sbulb.control.config.RealServerFileWatcher;
import io.sbulb.control.daemon.SdNotify;
import io.sbulb.xdp.SbulbEvent;
import io.sbulb.xdp.SbulbProgram;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpDataplane;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.AttachedProgram;
import io.sbulb.xdp.attach.ModeChoice;
import io.sbulb.xdp.attach.XdpMode;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.net.NetInterface;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running balancer: the XDP program loaded, configured and attached to an interface, its
 * event log printed, its real-server file watched. Open, configure, attach, with one unwind
 * path: whatever fails, what was attached is detached and what was loaded is unloaded.
 */
public final class Balancer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Balancer.class);
    /** Longest wait between two looks at the event ring buffer and the real-server file. */
    static final long POLL_MILLIS = 100;
    /** Every this many polls (a second), the interface is asked whether it still runs our program. */
    static final int ATTACHMENT_CHECK_POLLS = 10;
    /**
     * Most events printed per poll: at a verbose level under heavy traffic the ring buffer never
     * empties, and the loop must still watch the file, the attachment and the stop request. What
     * does not fit waits in the ring buffer; what does not fit there is lost (never a frame).
     */
    static final int EVENTS_PER_POLL = 4096;

    /**
     * What to run.
     *
     * @param netInterface   the interface to balance
     * @param limits         -mp, -mrs, -ma
     * @param config         the VIP, ports and real servers to start with
     * @param realServerFile the -cfg file the real servers came from, watched; null with -rs
     * @param attach         XDP mode and whether an attached program may be replaced
     * @param level          -l: the data path reports events at this level and above
     * @param debug          -d, 0..4: 3 and 4 ask the kernel verifier for its log (levels 1 and 2)
     */
    public record Settings(NetInterface netInterface, Limits limits, DataplaneConfig config, Path realServerFile,
                           AttachOptions attach, LogLevel level, int debug) {
        int verifierLogLevel() {
            return Math.max(0, Math.min(2, debug - 2));
        }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final SdNotify notify;
    private final XdpDataplane dataplane;
    private final XdpAttachment attachment;
    private final RealServerFileWatcher watcher;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String stopReason = "stopped";
    private boolean closed;
    private int polls;

    private Balancer(Settings settings, PrintWriter out, SdNotify notify, XdpDataplane dataplane,
                     XdpAttachment attachment) {
        this.settings = settings;
        this.out = out;
        this.notify = notify;
        this.dataplane = dataplane;
        this.attachment = attachment;
        // a list the limits or the VIP's family refuse is reported by the watcher, once
        this.watcher = settings.realServerFile() == null ? null
                : new RealServerFileWatcher(settings.realServerFile(), settings.config().realServers(),
                        servers -> settings.config().withRealServers(servers).validate(settings.limits()));
    }

    /**
     * Loads the program, configures it and attaches it; then tells systemd it is ready. On any
     * failure nothing stays loaded or attached.
     */
    public static Balancer start(Settings s, PrintWriter out, SdNotify notify) {
        long mask = Reason.eventMask(Reason.admittedBy(s.level()));
        XdpDataplane dp = XdpDataplane.create(new SbulbProgramSpec(s.limits(), mask, s.verifierLogLevel()), XdpDataplane.ANY_CPU);
        XdpAttachment attachment = null;
        try {
            say(out, "XDP program loaded (sha256 " + SbulbProgram.objectSha256().substring(0, 16) + "...); limits: "
                    + s.limits().maxPorts() + " ports, " + s.limits().maxRealServers() + " real servers, "
                    + s.limits().maxAssociations() + " associations");
            dp.configure(s.config());
            say(out, "virtual server " + s.config().virtualServer().map(IpAddress::toString).orElse("none")
                    + ", ports " + ports(s.config()) + ", real servers " + servers(s.config().realServers())
                    + (s.realServerFile() == null ? "" : " (from " + s.realServerFile() + ")"));
            attachment = dp.attach(s.netInterface(), s.attach());
            say(out, "attached to " + s.netInterface().name() + " in " + attachment.mode().toString().toLowerCase()
                    + " mode (XDP program " + attachment.programId() + ", BPF link " + attachment.linkId() + ")"
                    + attachment.replaced().map(p -> ", replacing program " + p.id() + " '" + p.name() + "'")
                            .orElse(""));
            if (attachment.mode() == XdpMode.GENERIC && s.attach().mode() == ModeChoice.AUTO) {
                say(out, "warning: the driver of " + s.netInterface().name() + " cannot run XDP in native mode, so "
                        + "sbulb runs in generic mode, which is slower (--xdp-mode generic says it is intended)");
            }
            Balancer b = new Balancer(s, out, notify, dp, attachment);
            notify.ready(b.status());
            return b;
        } catch (RuntimeException | Error e) {
            if (attachment != null) {
                attachment.close();
            }
            dp.close();
            throw e;
        }
    }

    /** One line for systemd's STATUS=. */
    String status() {
        DataplaneConfig c = dataplane.configuration();
        return "balancing " + c.virtualServer().map(IpAddress::toString).orElse("nothing") + " ports " + ports(c)
                + " on " + settings.netInterface().name() + " over " + c.realServers().size() + " real server"
                + (c.realServers().size() == 1 ? "" : "s");
    }

    /** Asks the loop to end (from a signal handler or another thread); {@code why} is printed. */
    public void requestStop(String why) {
        stopReason = why;
        stop.countDown();
    }

    /**
     * Prints events and applies real-server file changes until {@link #requestStop} is called.
     * An exception escaping from here is fatal: the caller closes the balancer (detaching it).
     */
    public void run() throws InterruptedException {
        if (watcher != null) {
            say(out, "watching " + settings.realServerFile() + " for real-server changes");
        }
        say(out, "running; SIGINT or SIGTERM detaches and stops");
        long wait = POLL_MILLIS;
        while (!stop.await(wait, TimeUnit.MILLISECONDS)) {
            // a full budget of events: more are waiting, come back at once
            wait = pollOnce() < EVENTS_PER_POLL ? POLL_MILLIS : 0;
        }
        pollOnce(); // the events logged until the stop
        say(out, "stopping: " + stopReason);
    }

    /** Prints the events waiting (at most a budget), looks at the real-server file once; returns the events printed. */
    int pollOnce() {
        List<SbulbEvent> events = dataplane.drainEvents(EVENTS_PER_POLL);
        for (SbulbEvent e : events) {
            EventLog.log(e);
        }
        if (watcher != null) {
            applyFileChange();
        }
        if (++polls % ATTACHMENT_CHECK_POLLS == 0) {
            checkAttached();
        }
        return events.size();
    }

    /**
     * Balancing silently stopped if someone detached the program (bpftool link detach) or the
     * interface went away: that is fatal, so that a supervisor notices and restarts sbulb.
     */
    private void checkAttached() {
        NetInterface nif = settings.netInterface();
        Optional<AttachedProgram> now;
        try {
            now = AttachedProgram.on(nif);
        } catch (BpfException | IllegalStateException e) {
            throw new BalancerException("cannot ask " + nif.name() + " which XDP program it runs ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (now.isPresent() && now.get().id() == attachment.programId()) {
            return;
        }
        // the kernel answers "nothing attached" for an index that no longer exists
        try {
            NetInterface again = NetInterface.byName(nif.name());
            if (again.index() != nif.index()) {
                throw new BalancerException(nif.name() + " was deleted (it is another interface now, index "
                        + again.index() + " instead of " + nif.index() + ")");
            }
        } catch (ConfigException gone) {
            throw new BalancerException(nif.name() + " is gone (deleted?)", gone);
        }
        throw new BalancerException("XDP program " + attachment.programId() + " is no longer attached to "
                + nif.name() + " (" + now.map(AttachedProgram::describe).orElse("no XDP program there now")
                + "): something else detached it");
    }

    private void applyFileChange() {
        Path file = settings.realServerFile();
        RealServerFileWatcher.Poll p = watcher.poll();
        if (p instanceof RealServerFileWatcher.Missing) {
            LOG.error("{} is gone; the running real servers are kept: {}", file,
                    servers(dataplane.configuration().realServers()));
            say(out, file + " is gone; the running real servers are kept until it comes back");
            notify.status(status() + "; " + file + " is gone, the running list is kept");
        } else if (p instanceof RealServerFileWatcher.Invalid i) {
            LOG.error("{}; the running real servers are kept: {}", i.error().getMessage(),
                    servers(dataplane.configuration().realServers()));
            say(out, "new real-server list not applied: " + i.error().getMessage() + "; the running one is kept");
            notify.status(status() + "; " + file + " is invalid, the running list is kept");
        } else if (p instanceof RealServerFileWatcher.Restored r) {
            say(out, file + " is readable and valid again; it holds the running real servers");
            notify.status(status());
        } else if (p instanceof RealServerFileWatcher.Changed c) {
            apply(c.servers());
        }
    }

    private void apply(List<IpAddress> servers) {
        DataplaneConfig before = dataplane.configuration();
        DataplaneConfig next = before.withRealServers(servers);
        try {
            dataplane.configure(next); // validated first; a refused list changes nothing
        } catch (ConfigException e) {
            RealServerFileWatcher.Invalid refused = watcher.reject(e);
            LOG.error("{}; the running real servers are kept: {}", refused.error().getMessage(),
                    servers(before.realServers()));
            say(out, "new real-server list not applied: " + refused.error().getMessage() + "; the running one is kept");
            notify.status(status() + "; " + settings.realServerFile() + " is invalid, the running list is kept");
            return;
        }
        for (String change : changes(before.realServers(), servers)) {
            say(out, change);
        }
        say(out, "real servers now " + servers(servers));
        notify.status(status());
    }

    /** The position-by-position changes from {@code before} to {@code after}, as the original printed them. */
    static List<String> changes(List<IpAddress> before, List<IpAddress> after) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
            if (i >= before.size()) {
                lines.add("  [" + i + "] add " + after.get(i));
            } else if (i >= after.size()) {
                lines.add("  [" + i + "] remove " + before.get(i) + (after.contains(before.get(i))
                        ? " (it stays at [" + after.indexOf(before.get(i)) + "] with its clients)" : ""));
            } else if (!before.get(i).equals(after.get(i))) {
                lines.add("  [" + i + "] " + before.get(i) + " -> " + after.get(i));
            }
        }
        return lines;
    }

    private static String ports(DataplaneConfig c) {
        return c.ports().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String servers(List<IpAddress> list) {
        if (list.isEmpty()) {
            return "(none)";
        }
        List<String> s = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            s.add("[" + i + "] " + list.get(i));
        }
        return String.join(" ", s);
    }

    private static void say(PrintWriter out, String line) {
        out.println("sbulb: " + line);
        out.flush();
    }

    /** Tells systemd it is stopping, detaches, unloads. Idempotent; never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        notify.stopping("detaching from " + settings.netInterface().name());
        try {
            attachment.close();
            say(out, "detached from " + settings.netInterface().name());
        } finally {
            dataplane.close();
        }
    }
}
