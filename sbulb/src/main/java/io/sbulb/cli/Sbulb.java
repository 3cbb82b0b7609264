package io.sbulb.cli;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneFailure;
import io.sbulb.api.Limits;
import io.sbulb.control.config.ServicesFile;
import io.sbulb.control.daemon.Daemon;
import io.sbulb.control.health.ServiceHealth;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.ModeChoice;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.XdpLiveDataplane;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.pin.PinOwner;
import io.sbulb.pcap.OutputException;
import io.sbulb.pcap.PcapException;
import io.sbulb.pcap.ReplayException;
import io.sbulb.scenariofile.ScenarioException;
import io.sbulb.api.host.HostFacts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code sbulb} command line: {@code sbulb IFNET -vs ... (-rs ... | -cfg FILE) -p ...} runs
 * the balancer on an interface with the original Python/BCC sbulb's options and defaults, and
 * {@code sbulb IFNET --config FILE} with a services file; {@code sbulb check} and
 * {@code sbulb preview} read a services file; {@code sbulb replay} runs a capture through a dataplane. Errors are one line naming the bad
 * value ({@link ExitCodes}), never a stack trace (unless {@code -l debug}).
 */
@Command(name = "sbulb", mixinStandardHelpOptions = true, versionProvider = Sbulb.Version.class, sortOptions = false,
        usageHelpAutoWidth = true, synopsisHeading = "",
        customSynopsis = {
            "usage: sbulb [-h] -vs VIRTUAL_SERVER",
            "             (-rs REAL_SERVER [REAL_SERVER ...] | -cfg CONFIG_FILE) -p PORT",
            "             [PORT ...] [-d {0,1,2,3,4}]",
            "             [-l {CRITICAL,ERROR,WARNING,INFO,DEBUG,TRACE}] [-mp MAX_PORTS]",
            "             [-mrs MAX_REALSERVERS] [-ma MAX_ASSOCIATIONS]",
            "             [--replace] [--xdp-mode {auto,native,generic}]",
            "             [--pin-dir DIR] [--on-exit {detach,keep}]",
            "             ifnet",
            "   or: sbulb ifnet --config FILE [-d {0,1,2,3,4}] [-l LEVEL] [--replace]",
            "             [--xdp-mode MODE] [--pin-dir DIR] [--on-exit {detach,keep}]",
            "   or: sbulb check FILE   (sbulb check --help)",
            "   or: sbulb preview FILE (IFNET | --pin-dir DIR)   (sbulb preview --help)",
            "   or: sbulb drain SERVICE SERVER IFNET [--wait]   (sbulb drain --help)",
            "   or: sbulb undrain SERVICE SERVER IFNET   (sbulb undrain --help)",
            "   or: sbulb detach IFNET [--purge] [--pin-dir DIR]   (sbulb detach --help)",
            "   or: sbulb replay CAPTURE [OPTIONS]   (sbulb replay --help)"},
        description = {
            "",
            "UDP load balancer with long-lived client affinity, on an XDP data path. Attaches to ifnet, "
                    + "spreads new clients over the real servers round robin, keeps each client "
                    + "(address and port) with its real server for as long as the association table "
                    + "has room, and lets a real server start a conversation with a client through the "
                    + "virtual server. Runs in the foreground until SIGINT or SIGTERM, then detaches "
                    + "(or, with --on-exit keep, leaves the data path running for the next start). The "
                    + "association table, the round-robin cursor, the counters and the configuration are "
                    + "pinned in bpffs, so a crash leaves the data path running and a later start takes it "
                    + "over: its clients keep their real servers.",
            ""},
        subcommands = {ReplayCommand.class, DetachCommand.class, CheckCommand.class, PreviewCommand.class, DrainCommand.class, UndrainCommand.class,
            CommandLine.HelpCommand.class},
        footerHeading = "%nExit status:%n",
        footer = {
            "  0  stopped by SIGINT or SIGTERM (detached, or left running with --on-exit keep)",
            "  2  bad command line, address, port, limit, interface, real-server file or",
            "     services file;",
            "     nothing was attached",
            "  3  the program could not be loaded or attached (no root, a program already",
            "     attached without --replace, another sbulb running the interface), or a",
            "     fatal error while running (detached)",
            "",
            "Examples:",
            "  sbulb eth0 -vs 198.18.0.10 -rs 198.18.2.11 198.18.2.12 -p 5683 5684",
            "  sbulb eth0 --config /etc/sbulb/services.yaml",
            "",
            "Under systemd (Type=notify), READY=1 is sent to $NOTIFY_SOCKET once the program is",
            "attached and configured, STATUS= on every configuration change, STOPPING=1 on the way out."})
public final class Sbulb implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ifnet",
            description = "network interface to load balance (e.g. eth0)")
    String ifnet;

    @Mixin
    BalancerOptions balancer;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The services file (YAML: the services, each with its virtual server, ports and weighted "
                    + "real servers, and the limits; README, \"The services file\"), instead of -vs, -rs or -cfg, "
                    + "-p, -mp, -mrs and -ma. Watched: a change is applied within some 20 ms, switched whole (a "
                    + "service or server that stays keeps its clients); an invalid file, or one with other limits, "
                    + "is reported once with its line and the running configuration kept. sbulb check FILE "
                    + "validates it; sbulb preview FILE IFNET says which clients a change would move.")
    Path servicesFile;

    @Option(names = {"-d", "--debug"}, paramLabel = "{0,1,2,3,4}", defaultValue = "0",
            description = {"Use to set bpf verbosity, 0 is minimal. (default: ${DEFAULT-VALUE})",
                "0: libbpf's warnings; 1: and its information; 2: and its debug messages;",
                "3: and the kernel verifier's log of the load; 4: the verifier's log at its most verbose."})
    int debug;

    @Mixin
    Logging logging;

    @Option(names = "--replace", description = "Replace an XDP program already attached to ifnet "
            + "(without it, sbulb refuses and says what is attached). The replaced program is not put back "
            + "when sbulb stops: ifnet is then left without XDP program. When another sbulb runs ifnet, take "
            + "over from it: it stops leaving the data path running, and this one adopts it.")
    boolean replace;

    @Option(names = "--pin-dir", paramLabel = "DIR",
            description = "Where the data path's state is pinned, on bpffs (default: /sys/fs/bpf/sbulb/IFNET; "
                    + "/sys/fs/bpf/sbulb/netns-INODE/IFNET outside the host's network namespace). bpffs is "
                    + "mounted at /sys/fs/bpf when it is not.")
    Path pinDir;

    @Option(names = "--on-exit", paramLabel = "{detach,keep}", defaultValue = "detach",
            description = "What SIGINT or SIGTERM does with the data path: detach (default, as the original "
                    + "sbulb): the program is detached and the pinned state removed; keep: the program stays "
                    + "attached with the last configuration and its state pinned, and the next start takes "
                    + "it over without moving a client (a restart or an upgrade).")
    OnExitChoice onExit;

    /** --on-exit's spellings. */
    enum OnExitChoice {
        detach, keep
    }

    @Option(names = "--xdp-mode", paramLabel = "{auto,native,generic}", defaultValue = "auto",
            description = "auto (default): native (driver) mode, or generic mode with a warning when the driver "
                    + "has no native XDP; native or generic: that mode only.")
    ModeChoice xdpMode;

    @Override
    public Integer call() throws InterruptedException {
        if (ifnet == null) {
            throw new ParameterException(spec.commandLine(), "missing ifnet: the network interface to load balance "
                    + "(e.g. eth0)");
        }
        if (debug < 0 || debug > 4) {
            throw new ParameterException(spec.commandLine(), "-d: " + debug + " is not one of 0, 1, 2, 3, 4");
        }
        logging.apply();
        Logging.applyBpfVerbosity(debug);
        Limits limits;
        DataplaneConfig config;
        Path file;
        Daemon.FileFormat format;
        Map<String, ServiceHealth> health = Map.of();
        if (servicesFile != null) {
            if (balancer.anyConfigGiven() || balancer.anyLimitGiven()) {
                throw new ConfigException("--config gives the services and the limits: give -vs, -rs, -cfg, -p, -mp, "
                        + "-mrs and -ma without it, or write them in " + servicesFile);
            }
            ServicesFile.Contents c = ServicesFile.read(servicesFile); // validated against its own limits
            limits = c.limits();
            config = c.config();
            file = servicesFile;
            format = Daemon.FileFormat.SERVICES;
            health = c.health();
        } else {
            limits = balancer.limits(Limits.DEFAULT);
            config = balancer.config();
            if (config.realServers().isEmpty()) {
                throw new ConfigException("the real-server list is empty: give at least one with -rs or -cfg");
            }
            config.validate(limits);
            file = balancer.realServerFile;
            format = Daemon.FileFormat.REAL_SERVERS;
        }
        NetInterface nif = NetInterface.byName(ifnet);
        BalanceRun.Settings settings = new BalanceRun.Settings(nif, limits, config, file, format, health,
                new AttachOptions(xdpMode, replace), logging.level(), debug, pinDirOf(pinDir, nif.name()),
                onExit == OnExitChoice.keep ? XdpLiveDataplane.OnExit.KEEP : XdpLiveDataplane.OnExit.DETACH);
        return BalanceRun.run(settings, spec.commandLine().getOut());
    }

    /**
     * {@code --pin-dir}, or the default for {@code ifname} in this network namespace
     * ({@link PinDir#defaultFor}): the host's directory only when /proc/self/ns/net is provably
     * /proc/1/ns/net; when PID 1's namespace cannot be read (a container, a sandbox), the
     * directory names this namespace's inode, so that sbulbs of two namespaces never share one.
     */
    /** A command on a running data path names it by IFNET or by --pin-dir: exactly one of them. */
    static void oneOf(picocli.CommandLine.Model.CommandSpec spec, String ifnet, Path pinDir) {
        if ((ifnet == null) == (pinDir == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give the running data path by IFNET "
                    + "or by --pin-dir, one of them");
        }
    }

    static PinDir pinDirOf(Path given, String ifname) {
        return pinDirOf(given, ifname, HostFacts.SYSTEM);
    }

    /** As {@link #pinDirOf(Path, String)}, with the namespaces read from {@code host}. */
    static PinDir pinDirOf(Path given, String ifname, HostFacts host) {
        if (given != null) {
            return new PinDir(given.toAbsolutePath());
        }
        String self = host.readLink("/proc/self/ns/net");
        boolean host1;
        try {
            host1 = self.equals(host.readLink("/proc/1/ns/net"));
        } catch (RuntimeException e) {
            host1 = false;
        }
        return PinDir.defaultFor(ifname, host1 ? 0 : Long.parseLong(self.replaceAll("\\D", "")));
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with these streams; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Sbulb());
        ReplayCommand.listDataplanesInHelp(cl.getSubcommands().get("replay"));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setAllowSubcommandsAsOptionParameters(true); // --on-exit detach: "detach" is also a subcommand
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
        } else if (e instanceof PinOwner.OwnedException || e instanceof java.io.UncheckedIOException) {
            status = ExitCodes.FAILURE;
            err.println(who + ": " + e.getMessage());
        } else if (e instanceof DataplaneFailure) {
            status = ExitCodes.FAILURE;
            err.println(who + ": " + e.getMessage() + "; stopped");
        } else if (e instanceof BpfException b) { // loading or attaching the XDP program
            status = ExitCodes.FAILURE;
            err.println(who + ": " + DataplaneUnavailableException.explain(b));
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
        return cmd instanceof ReplayCommand r && r.logging != null && r.logging.debug()
                || cmd instanceof Sbulb s && s.logging != null && s.logging.debug();
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
