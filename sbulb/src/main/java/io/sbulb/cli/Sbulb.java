package io.sbulb.cli;

import io.sbulb.api.ConfigException;
import io.sbulb.pcap.OutputException;
import io.sbulb.pcap.PcapException;
import io.sbulb.pcap.ReplayException;
import io.sbulb.scenario.ScenarioException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code sbulb} command line. Errors are one line naming the bad value ({@link ExitCodes}),
 * never a stack trace (unless {@code -l debug}).
 */
@Command(name = "sbulb", mixinStandardHelpOptions = true, versionProvider = Sbulb.Version.class,
        description = "UDP load balancer with long-lived client affinity, on an XDP data path.",
        subcommands = {ReplayCommand.class, CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND")
public final class Sbulb implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command (replay)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with these streams; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Sbulb());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(Sbulb::usageError);
        cl.setExecutionExceptionHandler((e, line, parsed) -> failure(e, line));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError | LinkageError e) {
            // picocli hands only Exceptions to the handler; these still get one line, not a trace
            err.println("sbulb: " + (e instanceof OutOfMemoryError ? "out of memory: " : "failed: ") + e);
            err.flush();
            return ExitCodes.FAILURE;
        }
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        PrintWriter err = line.getErr();
        err.println(line.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    private static int failure(Exception e, CommandLine line) {
        PrintWriter err = line.getErr();
        String who = line.getCommandSpec().qualifiedName();
        int status;
        if (e instanceof ConfigException || e instanceof PcapException p && !p.writing() || e instanceof ScenarioException
                || e instanceof OutputException || e instanceof ReplayException r && r.frameRefused()) {
            status = ExitCodes.BAD_INPUT;
            err.println(who + ": " + e.getMessage());
        } else if (e instanceof DataplaneUnavailableException || e instanceof ReplayException
                || e instanceof PcapException) { // a pcap that could not be written
            status = ExitCodes.FAILURE;
            err.println(who + ": " + e.getMessage());
        } else {
            status = ExitCodes.FAILURE;
            err.println(who + ": internal error: " + e);
        }
        if (debug(line)) {
            e.printStackTrace(err);
        }
        err.flush();
        return status;
    }

    private static boolean debug(CommandLine line) {
        Object cmd = line.getCommand();
        return cmd instanceof ReplayCommand r && r.logging != null && r.logging.debug();
    }

    /** The version of the running jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Sbulb.class.getPackage().getImplementationVersion();
            return new String[] {"sbulb " + (v == null ? "(development build)" : v)};
        }
    }
}
