package io.sbulb.cli;

import io.sbulb.api.IpAddress;
import io.sbulb.api.ServerRef;
import io.sbulb.api.host.HostFacts;
import io.sbulb.xdp.pin.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code SERVICE SERVER (IFNET | --pin-dir DIR)}: one real server of a running balancer, the
 * arguments of the commands that act on it ({@code sbulb drain}, {@code sbulb undrain}).
 */
final class RunningServer {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service's name (default for -vs/-rs)")
    String service;

    @Parameters(index = "1", paramLabel = "SERVER", description = "the real server's address")
    String server;

    @Parameters(index = "2", arity = "0..1", paramLabel = "IFNET", description = "the interface sbulb runs on")
    String ifnet;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "The state's directory, if sbulb runs with --pin-dir.")
    Path pinDir;

    /** The server named; a bad address is a usage error. */
    ServerRef ref() {
        Sbulb.oneOf(spec, ifnet, pinDir);
        try {
            return new ServerRef(service, IpAddress.parse(server));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "SERVER: " + e.getMessage());
        }
    }

    /** The running data path's pinned state (root only). */
    PinDir pin() {
        DetachCommand.requireRoot(HostFacts.SYSTEM, spec.name());
        PinDir pin = Sbulb.pinDirOf(pinDir, ifnet);
        if (!Files.isDirectory(pin.maps())) {
            throw new DataplaneUnavailableException("no data path is pinned at " + pin, null);
        }
        return pin;
    }
}
