package io.sbulb.cli;

import io.sbulb.api.Association;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Placement;
import io.sbulb.api.RealServer;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Service;
import io.sbulb.api.host.HostFacts;
import io.sbulb.control.engine.DrainWatch;
import io.sbulb.xdp.PinnedState;
import io.sbulb.xdp.pin.PinDir;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sbulb drain SERVICE SERVER (IFNET | --pin-dir DIR) --wait}: waits until a draining real
 * server (weight 0) is drained, none of its associations having carried traffic for a quiet
 * period, reading the running data path's pinned state (its per-server frame counts) without
 * changing anything.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Wait until a draining real server of a running data path is drained: it has weight 0 "
                + "(set it in the services file: it then takes no new client and keeps its own) and none of its "
                + "associations has carried a frame for --quiet. Reads the pinned state; changes nothing. Prints "
                + "the associations still naming the server. Needs root."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  drained",
            "  1  not drained at the deadline",
            "  2  bad arguments, an unknown service or server, or a server that does not drain (weight above 0)",
            "  3  no data path is pinned there, or its state cannot be read (no root)"})
final class DrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service's name (default for -vs/-rs)")
    String service;

    @Parameters(index = "1", paramLabel = "SERVER", description = "the real server's address")
    String server;

    @Parameters(index = "2", arity = "0..1", paramLabel = "IFNET", description = "the interface sbulb runs on")
    String ifnet;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "The state's directory, if sbulb runs with --pin-dir.")
    Path pinDir;

    @Option(names = "--wait", required = true, description = "Wait until drained or the deadline (required: setting "
            + "a drain from the command line is not there yet; set weight 0 in the services file).")
    boolean waitFor;

    @Option(names = "--quiet", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds without a frame for the server that make it drained (default: ${DEFAULT-VALUE}).")
    double quietSeconds;

    @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "600",
            description = "Seconds to wait at most (default: ${DEFAULT-VALUE}).")
    double deadlineSeconds;

    @Override
    public Integer call() throws InterruptedException {
        Sbulb.oneOf(spec, ifnet, pinDir);
        if (quietSeconds <= 0 || deadlineSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--quiet and --deadline must be positive");
        }
        IpAddress address;
        try {
            address = IpAddress.parse(server);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "SERVER: " + e.getMessage());
        }
        DetachCommand.requireRoot(HostFacts.SYSTEM);
        PinDir pin = Sbulb.pinDirOf(pinDir, ifnet);
        if (!Files.isDirectory(pin.maps())) {
            throw new DataplaneUnavailableException("no data path is pinned at " + pin, null);
        }
        ServerRef ref = new ServerRef(service, address);
        PrintWriter out = spec.commandLine().getOut();
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

    /** The server must be in the service, with weight 0 (or retired: it takes no new client either). */
    private static void requireDraining(Placement p, ServerRef ref) {
        Optional<Service> s = p.config().service(ref.service());
        if (s.isEmpty()) {
            throw new io.sbulb.api.ConfigException("the running data path has no service " + ref.service());
        }
        for (RealServer rs : s.get().realServers()) {
            if (rs.address().equals(ref.address()) && rs.weight() > 0) {
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
