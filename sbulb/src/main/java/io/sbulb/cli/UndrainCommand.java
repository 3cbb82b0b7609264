package io.sbulb.cli;

import io.sbulb.api.ServerRef;
import io.sbulb.xdp.pin.PinDir;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sbulb undrain SERVICE SERVER (IFNET | --pin-dir DIR)}: ends a drain set by
 * {@code sbulb drain}: the running daemon gives the server its weight from the file again.
 */
@Command(name = "undrain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"End the drain of a real server set by sbulb drain: it takes new clients again, with its "
                + "weight in the file (a weight 0 in the file is changed there). Asks the sbulb running the data "
                + "path, on its control socket. Needs root."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  the server takes new clients (or was not drained by command)",
            "  2  bad arguments, an unknown service or server, or refused by the balancer (weight 0 in the file)",
            "  3  no data path is pinned there, or no sbulb runs it"})
final class UndrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RunningServer target;

    @Override
    public Integer call() {
        ServerRef ref = target.ref();
        PinDir pin = target.pin();
        spec.commandLine().getOut().println(DrainCommand.ask(pin, "undrain " + ref.service() + " " + ref.address()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
