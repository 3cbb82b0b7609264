package io.sbulb.cli;

import io.sbulb.api.ConfigException;
import io.sbulb.api.host.HostFacts;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.pin.PinOwner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sbulb detach IFNET}: removes a data path left running (--on-exit keep, or a crash):
 * unpins its BPF link, which detaches the program; with {@code --purge}, removes its pinned
 * state too (associations, cursor, counters, configuration). Refused while an sbulb owns it.
 */
@Command(name = "detach", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Detach the XDP program that an sbulb left running on IFNET (stopped with --on-exit keep, "
                + "or killed), by removing its pinned BPF link. The pinned state stays, so that a later start "
                + "takes its associations over, unless --purge removes it. Refused while an sbulb runs IFNET: "
                + "stop that one instead (SIGINT or SIGTERM)."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  detached (and purged), or nothing was pinned there",
            "  2  a bad argument",
            "  3  an sbulb runs IFNET, or the pins could not be removed"})
final class DetachCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IFNET", description = "the interface sbulb ran on (names the default --pin-dir)")
    String ifnet;

    @Option(names = "--purge", description = "Remove the pinned state as well: every client then starts over.")
    boolean purge;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "The state's directory, if sbulb ran with --pin-dir.")
    Path pinDir;

    /**
     * The pinned state is root's only: without root, every answer ("nothing pinned", "no such
     * directory") would be wrong, so the command says what it needs instead.
     */
    static void requireRoot(HostFacts host) {
        requireRoot(host, "detach");
    }

    /** The same for {@code sbulb COMMAND}, named in the message. */
    static void requireRoot(HostFacts host, String command) {
        String[] uids = host.status("self", "Uid").orElse("0 0").trim().split("\\s+");
        String uid = uids[Math.min(1, uids.length - 1)]; // the effective one
        if (!uid.equals("0")) {
            throw new PinOwner.OwnedException("sbulb " + command + " needs root: the pinned state is root's only (this is "
                    + "user " + uid + ")", -1);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        requireRoot(HostFacts.SYSTEM);
        PinDir pin = Sbulb.pinDirOf(pinDir, ifnet);
        Optional<Long> owner = PinOwner.ownerOf(pin);
        if (owner.isPresent()) {
            throw new PinOwner.OwnedException("sbulb (PID " + owner.get() + ") runs " + ifnet + " (state pinned at "
                    + pin + "): stop it instead (SIGINT or SIGTERM detaches; with --on-exit keep it leaves the data "
                    + "path running, then detach it here)", owner.get());
        }
        if (!Files.isDirectory(pin.dir())) {
            if (pinDir != null) {
                throw new ConfigException("nothing is pinned at " + pin + " (no such directory)");
            }
            out.println("sbulb: nothing is pinned for " + ifnet + " at " + pin);
            return ExitCodes.OK;
        }
        if (pin.unpinLink()) {
            out.println("sbulb: removed the BPF link pinned at " + pin.link() + ": the XDP program is detached from "
                    + ifnet);
        } else {
            out.println("sbulb: no BPF link is pinned at " + pin.link() + " (nothing attached by sbulb on " + ifnet + ")");
        }
        if (purge) {
            pin.purge();
            out.println("sbulb: removed the state pinned at " + pin);
        } else if (Files.isDirectory(pin.maps())) {
            out.println("sbulb: the state pinned at " + pin + " is kept: the next start on " + ifnet + " takes its "
                    + "associations over (--purge removes it)");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
