package io.sbulb.cli;

import io.sbulb.api.Association;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Placement;
import io.sbulb.api.RealServer;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Service;
import io.sbulb.control.engine.DrainWatch;
import io.sbulb.xdp.PinnedState;
import io.sbulb.xdp.pin.PinDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sbulb drain SERVICE SERVER (IFNET | --pin-dir DIR) [--wait]}: has the running daemon drain
 * a real server (weight 0 over the file's: it keeps its clients and takes no new one), through its
 * control socket, unless it drains already; with {@code --wait}, then waits until it is drained,
 * none of its associations having carried traffic for a quiet period, reading the running data
 * path's pinned state (its per-server frame counts).
 */
@Command(name = "drain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Drain a real server of the running balancer: it keeps its clients and takes no new one "
                + "(weight 0, over the file's weight, until sbulb undrain or until the file drops the server; kept "
                + "across restarts of sbulb). Asks the sbulb running the data path, on its control socket; a server "
                + "with weight 0 in the file drains already. With --wait, then waits until none of its "
                + "associations has carried a frame for --quiet, and prints the associations still naming it. "
                + "Needs root."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  draining (drained, with --wait)",
            "  1  not drained at the deadline (--wait)",
            "  2  bad arguments, an unknown service or server, or refused by the balancer",
            "  3  no data path is pinned there, its state cannot be read (no root), or no sbulb runs it"})
final class DrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunningServer target;

    @Option(names = "--wait", description = "Then wait until drained or the deadline.")
    boolean waitFor;

    @Option(names = "--quiet", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds without a frame for the server that make it drained (default: ${DEFAULT-VALUE}).")
    double quietSeconds;

    @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "600",
            description = "Seconds to wait at most (default: ${DEFAULT-VALUE}).")
    double deadlineSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ServerRef ref = target.ref();
        if (quietSeconds <= 0 || deadlineSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--quiet and --deadline must be positive");
        }
        PinDir pin = target.pin();
        String service = ref.service();
        IpAddress address = ref.address();
        PrintWriter out = spec.commandLine().getOut();
        if (weight(read(pin).placement(), ref) > 0) {
            out.println(ask(pin, "drain " + service + " " + address));
            out.flush();
        } else if (!waitFor) {
            out.println(address + " in service " + service + " drains already (weight 0)");
            out.flush();
        }
        if (!waitFor) {
            return ExitCodes.OK;
        }
        DrainWatch watch = new DrainWatch(Duration.ofNanos((long) (quietSeconds * 1e9)));
        long start = System.nanoTime();
        long deadline = start + (long) (deadlineSeconds * 1e9);
        while (true) {
            PinnedState.View v = read(pin);
            requireDraining(v.placement(), ref);
            long now = System.nanoTime();
            long frames = v.serverFrames().getOrDefault(ref, 0L);
            long active = v.associations().stream().filter(a -> names(a, ref)).count();
            if (watch.sample(frames, now)) {
                out.printf("%s in service %s is drained: no frame for %.1f s; %d associations still name it%n", address,
                        service, watch.quietFor(now).toNanos() / 1e9, active);
                out.flush();
                return ExitCodes.OK;
            }
            if (now >= deadline) {
                out.printf("%s in service %s is not drained after %.0f s: its last frame %.1f s ago; %d associations "
                        + "still name it%n", address, service, deadlineSeconds, watch.quietFor(now).toNanos() / 1e9, active);
                out.flush();
                return ExitCodes.MISMATCH;
            }
            Thread.sleep(Math.min(1000, Math.max(50, (long) (quietSeconds * 1000 / 10))));
        }
    }

    private static boolean names(Association a, ServerRef ref) {
        return a.service().equals(ref.service()) && ref.address().equals(a.realServer());
    }

    private static PinnedState.View read(PinDir pin) {
        try {
            return PinnedState.read(pin);
        } catch (io.sbulb.xdp.bpf.BpfException e) {
            throw new DataplaneUnavailableException("cannot read the state pinned at " + pin + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code line} to the daemon running the data path pinned at {@code pin} and returns its
     * answer, "ok: " taken off.
     *
     * @throws io.sbulb.api.ConfigException with the daemon's refusal
     * @throws DataplaneUnavailableException when no daemon listens there
     */
    static String ask(PinDir pin, String line) {
        Path socket = io.sbulb.xdp.pin.PinOwner.controlSocketOf(pin);
        String answer;
        try {
            answer = io.sbulb.control.daemon.ControlSocket.ask(socket, line);
        } catch (java.io.IOException e) {
            throw new DataplaneUnavailableException("no sbulb answers on " + socket + " (" + e.getMessage() + "): "
                    + "is sbulb running on this data path? Without it, set weight 0 in the services file", e);
        }
        if (answer.startsWith("ok: ")) {
            return answer.substring(4);
        }
        throw new io.sbulb.api.ConfigException(answer.startsWith("error: ") ? answer.substring(7) : answer);
    }

    /** The server's weight in the running data path: -1 when retired (it takes no new client either). */
    private static int weight(Placement p, ServerRef ref) {
        requireDraining(p, ref, false);
        return p.config().service(ref.service()).get().realServers().stream()
                .filter(rs -> rs.address().equals(ref.address())).mapToInt(RealServer::weight).findFirst().orElse(-1);
    }

    /** The server must be in the service, with weight 0 (or retired: it takes no new client either). */
    private static void requireDraining(Placement p, ServerRef ref) {
        requireDraining(p, ref, true);
    }

    private static void requireDraining(Placement p, ServerRef ref, boolean weightZero) {
        Optional<Service> s = p.config().service(ref.service());
        if (s.isEmpty()) {
            throw new io.sbulb.api.ConfigException("the running data path has no service " + ref.service());
        }
        for (RealServer rs : s.get().realServers()) {
            if (weightZero && rs.address().equals(ref.address()) && rs.weight() > 0) {
                throw new io.sbulb.api.ConfigException(ref.address() + " has weight " + rs.weight() + " in service "
                        + ref.service() + ": it takes new clients; set its weight to 0 in the services file to drain it");
            }
        }
        boolean known = p.slots().stream().anyMatch(x -> x.address().equals(ref.address())
                && p.serviceName(x.serviceId()).equals(ref.service()));
        if (!known) {
            throw new io.sbulb.api.ConfigException(ref.address() + " is not a real server of service " + ref.service());
        }
    }
}
