package io.sbulb.cli;

import io.sbulb.control.config.ServicesFile;
import io.sbulb.control.engine.ConfigReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sbulb check FILE}: reads a services file as {@code sbulb IFNET --config FILE} would and
 * says what it would run, or the one error that stops it (file, line, column, value, limit).
 * Needs no root and touches nothing.
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Check a services file (sbulb IFNET --config FILE) and print what it would run: the limits, "
                + "each service with its virtual server, ports and real servers with their weights, and its "
                + "round-robin cycle (the list positions new clients get, in order), and its health check. Needs no root; nothing is "
                + "loaded or changed."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  the file is valid (what it would run is printed)",
            "  2  the file is invalid or unreadable: one line names the file, the line and column, the value",
            "     and the limit"})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the services file")
    Path file;

    @Override
    public Integer call() {
        ServicesFile.Contents c = ServicesFile.read(file); // a ConfigException is exit 2, one line
        PrintWriter out = spec.commandLine().getOut();
        out.println(file + ": valid");
        for (String line : ConfigReport.lines(c.limits(), c.config(), c.health())) {
            out.println(line);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
