package io.sbulb.cli;

import io.sbulb.api.host.HostFacts;
import io.sbulb.control.config.ServicesFile;
import io.sbulb.control.engine.Preview;
import io.sbulb.control.engine.RunningState;
import io.sbulb.xdp.PinnedState;
import io.sbulb.xdp.pin.PinDir;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sbulb preview FILE (IFNET | --pin-dir DIR)}: what applying a services file to a running
 * data path would do to its clients, per service and real server ({@link Preview}), from a
 * read-only look at its pinned state. Changes nothing.
 */
@Command(name = "preview", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Compare a services file with the data path running on IFNET (its state pinned in bpffs, "
                + "read without changing anything) and print, per service and real server, how many live "
                + "associations would stay with their real server and how many would move to another (their "
                + "server leaves its service, or the service goes). Associations not valid now (their server was "
                + "removed earlier) are counted apart: their next datagram rebinds them whatever the change, "
                + "unless their server comes back. Needs root: the pinned state is root's only."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  the preview is printed",
            "  2  the file is invalid, or its limits are not those of the running data path",
            "  3  no data path is pinned there, or its state cannot be read (no root)"})
final class PreviewCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the services file")
    Path file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "IFNET",
            description = "the interface sbulb runs on (names the default --pin-dir)")
    String ifnet;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "The state's directory, if sbulb runs with --pin-dir.")
    Path pinDir;

    @Override
    public Integer call() {
        Sbulb.oneOf(spec, ifnet, pinDir);
        ServicesFile.Contents c = ServicesFile.read(file);
        DetachCommand.requireRoot(HostFacts.SYSTEM, "preview");
        PinDir pin = Sbulb.pinDirOf(pinDir, ifnet);
        if (!Files.isDirectory(pin.maps())) {
            throw new DataplaneUnavailableException("no data path is pinned at " + pin
                    + (ifnet == null ? "" : " (sbulb does not run " + ifnet + ", or runs it with another --pin-dir)"), null);
        }
        RunningState running = readPinnedState(pin);
        c.requireLimits(running.limits()); // a ConfigException: exit 2, naming the line
        Preview.Result r = Preview.of(running, c.config());
        PrintWriter out = spec.commandLine().getOut();
        out.println("applying " + file + " to the data path pinned at " + pin + " (" + running.associations().size()
                + " associations) would do:");
        for (String line : Preview.lines(r, c.config())) {
            out.println(line);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * The running data path's limits, configuration and association table, with its placement,
     * read from the maps pinned at {@code pin} without taking it over: no lock, no program loaded,
     * nothing written ({@link PinnedState}).
     */
    static RunningState readPinnedState(PinDir pin) {
        PinnedState.View v;
        try {
            v = PinnedState.read(pin);
        } catch (io.sbulb.xdp.bpf.BpfException e) {
            throw new DataplaneUnavailableException("cannot read the state pinned at " + pin + ": " + e.getMessage(), e);
        }
        return new RunningState() {
            @Override
            public io.sbulb.api.Limits limits() {
                return v.limits();
            }

            @Override
            public io.sbulb.api.DataplaneConfig configuration() {
                return v.placement().config();
            }

            @Override
            public java.util.List<io.sbulb.api.Association> associations() {
                return v.associations();
            }

            @Override
            public java.util.Optional<io.sbulb.api.Placement> placement() {
                return java.util.Optional.of(v.placement());
            }
        };
    }
}
