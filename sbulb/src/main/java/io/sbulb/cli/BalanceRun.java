package io.sbulb.cli;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.LogLevel;
import io.sbulb.api.Reason;
import io.sbulb.control.daemon.Daemon;
import io.sbulb.control.daemon.EventLog;
import io.sbulb.control.daemon.SdNotify;
import io.sbulb.control.engine.ChangeReport;
import io.sbulb.control.health.ServiceHealth;
import io.sbulb.xdp.SbulbProgram;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpLiveDataplane;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.ModeChoice;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.attach.XdpMode;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.pin.PinOwner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs the balancer in the foreground until SIGINT or SIGTERM, then detaches: loads the XDP
 * program ({@link XdpLiveDataplane}), hands it to the {@link Daemon}, which configures it and
 * has it attached here, then runs the daemon's tasks.
 * The signals are handled, not left to the JVM's default (which exits with 128+signal), so a
 * stop asked for ends with status 0; a JVM shutdown for any other reason (SIGHUP, an exit
 * elsewhere) still detaches through a shutdown hook.
 */
final class BalanceRun {

    private static final long SHUTDOWN_WAIT_SECONDS = 10;
    /** How long --replace waits for the running sbulb to hand over. */
    private static final java.time.Duration HANDOVER_WAIT = java.time.Duration.ofSeconds(15);

    /**
     * What to run.
     *
     * @param netInterface   the interface to balance
     * @param limits         -mp, -mrs, -ma
     * @param config         the services to start with
     * @param file           the file they came from (-cfg or --config), watched; null with -rs
     * @param format         which of the two it is
     * @param attach         XDP mode and whether an attached program may be replaced
     * @param level          -l: the data path reports events at this level and above
     * @param health         the services' health sections (--config), by service name
     * @param debug          -d, 0..4: 3 and 4 ask the kernel verifier for its log (levels 1 and 2)
     * @param pinDir         where the data path's state is pinned (--pin-dir)
     * @param onExit         what a stop does with the data path (--on-exit)
     */
    record Settings(NetInterface netInterface, Limits limits, DataplaneConfig config, Path file,
                    Daemon.FileFormat format, Map<String, ServiceHealth> health, AttachOptions attach, LogLevel level, int debug, PinDir pinDir, XdpLiveDataplane.OnExit onExit) {
        int verifierLogLevel() {
            return Math.max(0, Math.min(2, debug - 2));
        }
    }

    private BalanceRun() {
    }

    /**
     * Runs until stopped; returns the exit status. Fatal errors propagate, after the detach.
     * The signal handlers and the shutdown hook are in place before anything is loaded, so a
     * SIGTERM that arrives while sbulb starts (systemctl stop right after start) still ends in a
     * clean stop: the balancer, once started, stops at once.
     */
    static int run(Settings settings, PrintWriter out) throws InterruptedException {
        AtomicReference<String> stopRequest = new AtomicReference<>();
        AtomicReference<Daemon> running = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop(stopRequest, running, "the JVM is shutting down");
            try {
                if (!done.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS) && running.get() != null) {
                    running.get().close(); // the loop is stuck: detach from here
                }
            } catch (InterruptedException e) {
                if (running.get() != null) {
                    running.get().close();
                }
            }
        }, "sbulb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            List<String> ignored = new ArrayList<>();
            for (String name : List.of("INT", "TERM")) {
                // a signal the parent left ignored stays ignored (a shell's background job ignores
                // SIGINT): the JVM then installs no handler; said once running, not to seem deaf to it
                if (Signal.handle(new Signal(name), s -> requestStop(stopRequest, running, "SIG" + name))
                        == SignalHandler.SIG_IGN) {
                    ignored.add(name);
                }
            }
            PinOwner owner = PinOwner.acquire(settings.pinDir(), settings.netInterface().name() + "'s data path",
                    settings.attach().replace(), HANDOVER_WAIT);
            Started started;
            try {
                started = start(settings, out, SdNotify.fromEnvironment());
            } catch (RuntimeException | Error e) {
                owner.close();
                throw e;
            }
            Daemon balancer = started.daemon();
            running.set(balancer);
            for (String name : ignored) {
                say(out, "warning: SIG" + name + " is ignored (inherited from the parent process, as a shell does "
                        + "for a background job), so it will not stop sbulb; " + (name.equals("INT") ? "SIGTERM" : "SIGINT")
                        + " does");
            }
            try {
                if (stopRequest.get() != null) {
                    balancer.requestStop(stopRequest.get()); // it came while starting
                }
                balancer.run();
                return ExitCodes.OK;
            } catch (RuntimeException | Error | InterruptedException e) {
                try {
                    balancer.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            } finally {
                if (owner.handoverRequested()) {
                    started.dataplane().onExit(XdpLiveDataplane.OnExit.KEEP);
                    say(out, "another sbulb takes over " + settings.netInterface().name() + " (--replace): the data "
                            + "path is left running for it");
                }
                try {
                    balancer.close(); // idempotent: a no-op after the close above
                } finally {
                    owner.close();
                }
            }
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook sees done and returns
            }
        }
    }

    /**
     * Loads the program over the state pinned for the interface (adopting what an earlier sbulb
     * left), has the daemon configure it, attaches it (taking over a pinned link); on any failure
     * what this start made is removed, and an adopted data path is left as it was.
     */
    private static Started start(Settings s, PrintWriter out, SdNotify notify) {
        long mask = Reason.eventMask(Reason.admittedBy(s.level()));
        XdpLiveDataplane dp = XdpLiveDataplane.load(new SbulbProgramSpec(s.limits(), mask, s.verifierLogLevel()),
                s.pinDir());
        NetInterface nif = s.netInterface();
        try {
            // until it is attached, a failure must not remove what an earlier sbulb left running
            dp.onExit(dp.adopted() ? XdpLiveDataplane.OnExit.KEEP : XdpLiveDataplane.OnExit.DETACH);
            say(out, "XDP program loaded (sha256 " + SbulbProgram.objectSha256().substring(0, 16) + "...); limits: "
                    + s.limits().maxServices() + " services, " + s.limits().maxPorts() + " ports and "
                    + s.limits().maxRealServers() + " real servers per service, " + s.limits().maxAssociations()
                    + " associations");
            if (dp.adopted()) {
                say(out, "took over the data path pinned at " + s.pinDir() + ": " + dp.associationCount()
                        + " associations kept, " + ChangeReport.configurationLine(dp.configuration()));
            } else {
                say(out, "state pinned at " + s.pinDir());
            }
        } catch (RuntimeException | Error e) {
            dp.close();
            throw e;
        }
        Daemon d = Daemon.start(new Daemon.Settings(nif.name(), s.config(), s.file(), s.format(), s.health(),
                hostAddresses(nif.name())).withControl(PinOwner.controlSocketOf(s.pinDir()),
                PinOwner.drainsFileOf(s.pinDir())), dp, out, notify, () -> {
            XdpAttachment a = dp.attach(nif, s.attach());
            say(out, (a.adopted() ? "took over the BPF link on " : "attached to ") + nif.name() + " in "
                    + a.mode().toString().toLowerCase() + " mode (XDP program " + a.programId() + ", BPF link "
                    + a.linkId() + ")"
                    + a.replaced().map(p -> ", replacing program " + p.id() + " '" + p.name() + "'").orElse(""));
            if (a.mode() == XdpMode.GENERIC && s.attach().mode() == ModeChoice.AUTO) {
                say(out, "warning: the driver of " + nif.name() + " cannot run XDP in native mode, so "
                        + "sbulb runs in generic mode, which is slower (--xdp-mode generic says it is intended)");
            }
        }, EventLog::log);
        dp.onExit(s.onExit());
        return new Started(d, dp);
    }

    /** A started balancer: the daemon, and the data path it runs (whose exit a handover changes). */
    private record Started(Daemon daemon, XdpLiveDataplane dataplane) {
    }

    private static void say(PrintWriter out, String line) {
        out.println("sbulb: " + line);
        out.flush();
    }

    private static void requestStop(AtomicReference<String> request, AtomicReference<Daemon> running, String why) {
        request.compareAndSet(null, why);
        Daemon b = running.get();
        if (b != null) {
            b.requestStop(why);
        }
    }

    /**
     * The addresses of interface {@code name} in this process's network namespace: the balancer
     * host's own, which the data path never translates (health probes leave from them).
     */
    static java.util.Set<io.sbulb.api.IpAddress> hostAddresses(String name) {
        java.util.Set<io.sbulb.api.IpAddress> out = new java.util.TreeSet<>();
        try {
            java.net.NetworkInterface ni = java.net.NetworkInterface.getByName(name);
            if (ni != null) {
                for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                    out.add(io.sbulb.api.IpAddress.of(a.getAddress()));
                }
            }
        } catch (java.net.SocketException e) {
            // no addresses known: probe replies would be taken for flows of the servers; said once
            System.err.println("sbulb: cannot read the addresses of " + name + ": " + e.getMessage());
        }
        return out;
    }
}
