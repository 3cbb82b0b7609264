package io.sbulb.cli;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneProvider;
import io.sbulb.api.Limits;
import io.sbulb.pcap.Replay;
import io.sbulb.pcap.ReplayReport;
import io.sbulb.scenariofile.ScenarioFile;
import io.sbulb.xdp.bpf.BpfException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/** {@code sbulb replay}: runs a capture through a dataplane configured like the balancer. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Runs every frame of an Ethernet capture (pcap or pcapng) through a dataplane, in order, and "
                    + "writes the frames it transmitted (XDP_TX) and a log of what it did with each frame.",
            "The dataplane is configured by the balancer's own options (-vs, -rs or -cfg, -p, -mp, -mrs, -ma) "
                    + "or by the limits and config of a scenario file (--scenario); its association table "
                    + "starts empty."},
        footerHeading = "%nExit status:%n",
        footer = {
            "  0  replayed; with --expect, the transmitted frames equal the expected ones",
            "  1  replayed, but the transmitted frames differ from --expect",
            "  2  bad command line, configuration, capture or output path, or a frame",
            "     the dataplane cannot take",
            "  3  the dataplane failed (xdp without root) or an output could not be written",
            "",
            "Example:",
            "  sbulb replay capture.pcap --dataplane sim \\",
            "      -vs 198.18.0.1 -rs 198.18.1.1 198.18.1.2 -p 5683 \\",
            "      --out transmitted.pcap --log frames.jsonl"})
final class ReplayCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayCommand.class);
    private static final int EPERM = 1;
    private static final int EACCES = 13;

    /** The dataplane replayed through when --dataplane is not given. */
    static final String DEFAULT_DATAPLANE = "xdp";
    private static final String HELP_SECTION = "dataplanes";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "The capture to replay (Ethernet link type).")
    Path capture;

    @Option(names = "--dataplane", paramLabel = "NAME", defaultValue = DEFAULT_DATAPLANE,
            completionCandidates = DataplaneNames.class,
            description = "The dataplane to replay through: ${COMPLETION-CANDIDATES} (listed below). "
                    + "Default: ${DEFAULT-VALUE}.")
    String dataplane;

    @Mixin
    BalancerOptions balancer;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Take the limits and the initial config from this scenario file instead of "
                    + "-vs/-rs/-cfg/-p (its steps are neither read nor run); -mp/-mrs/-ma still override its limits.")
    Path scenario;

    @Option(names = "--out", paramLabel = "FILE.pcap", description = "Write the transmitted frames here, in order, "
            + "each with the timestamp of the input frame it came from.")
    Path out;

    @Option(names = "--log", paramLabel = "FILE.jsonl", description = "Write one JSON object per input frame, "
            + "with its index (from 0), verdict (PASS, DROP, TX), reason and length. "
            + "'-' writes to standard output (the summary then goes to standard error).")
    String log;

    @Option(names = "--expect", paramLabel = "FILE.pcap", description = "Compare the transmitted frames with this "
            + "pcap, frame by frame; exit 1 at a difference, naming the frame and the field.")
    Path expect;

    @Mixin
    Logging logging;

    @Override
    public Integer call() {
        logging.apply();
        DataplaneProvider provider = DataplaneProvider.named(dataplane).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "--dataplane: no dataplane named '" + dataplane + "'; the dataplanes found are "
                        + String.join(", ", new DataplaneNames())));
        Limits limits;
        DataplaneConfig config;
        if (scenario != null) {
            if (balancer.anyConfigGiven()) {
                throw new ConfigException("--scenario takes the configuration from " + scenario
                        + ": do not give -vs, -rs, -cfg or -p with it");
            }
            ScenarioFile.Header s = ScenarioFile.readHeader(scenario);
            limits = balancer.limits(s.limits());
            config = s.config();
        } else {
            limits = balancer.limits(Limits.DEFAULT);
            config = balancer.config();
        }
        config.validate(limits); // before loading anything into the kernel
        Replay.checkPaths(capture, out, "-".equals(log) ? null : logPath(), expect);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter report = "-".equals(log) ? spec.commandLine().getErr() : stdout;
        try (Dataplane dp = create(provider, limits)) {
            dp.configure(config);
            Replay replay = Replay.through(dp);
            if (out != null) {
                replay.transmittedTo(out);
            }
            if ("-".equals(log)) {
                replay.logTo(stdout);
            } else if (log != null) {
                replay.logTo(logPath());
            }
            if (expect != null) {
                replay.expecting(expect);
            }
            ReplayReport r = replay.run(capture);
            report.println(r.summary());
            report.flush();
            if (r.mismatch().isPresent()) {
                spec.commandLine().getErr().println("sbulb replay: transmitted frames differ from " + expect + ": "
                        + r.mismatch().get());
                return ExitCodes.MISMATCH;
            }
            if (expect != null) {
                report.println("the transmitted frames equal " + expect);
            }
            return ExitCodes.OK;
        }
    }

    private Path logPath() {
        if (log == null) {
            return null;
        }
        try {
            return Path.of(log);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException("--log: '" + log + "' is not a path: " + e.getMessage());
        }
    }

    private Dataplane create(DataplaneProvider provider, Limits limits) {
        try {
            return provider.create(limits);
        } catch (BpfException e) {
            LOG.debug("loading the XDP program failed; libbpf said:\n{}", e.log());
            if (e.errno() == EPERM || e.errno() == EACCES) {
                throw new DataplaneUnavailableException("the " + dataplane + " dataplane needs root (CAP_BPF and "
                        + "CAP_PERFMON, or CAP_SYS_ADMIN) to load its XDP program ("
                        + e.getMessage().lines().findFirst().orElse("")
                        + "); --dataplane sim replays through the reference model instead", e);
            }
            throw new DataplaneUnavailableException("the " + dataplane + " dataplane cannot load its XDP program: "
                    + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new DataplaneUnavailableException("the " + dataplane + " dataplane needs libbpf (apt-get install "
                    + "libbpf1): " + e.getMessage() + "; --dataplane sim replays through the reference model instead", e);
        }
    }

    /**
     * Adds a "Dataplanes:" section to {@code replay}'s help, before the exit statuses: each
     * dataplane found on the classpath ({@link DataplaneProvider}) with its description.
     */
    static void listDataplanesInHelp(CommandLine replay) {
        UsageMessageSpec usage = replay.getCommandSpec().usageMessage();
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), HELP_SECTION);
        usage.sectionKeys(keys);
        usage.sectionMap().put(HELP_SECTION, help -> {
            StringBuilder text = new StringBuilder(String.format("%nDataplanes (--dataplane):%n"));
            for (DataplaneProvider p : found()) {
                text.append(String.format("  %-5s %s%n", p.name(), p.description()));
            }
            return text.toString();
        });
    }

    /** The dataplanes on the classpath ({@link DataplaneProvider}), the default first. */
    private static List<DataplaneProvider> found() {
        List<DataplaneProvider> all = new ArrayList<>(DataplaneProvider.available());
        all.sort(Comparator.comparing(p -> !p.name().equals(DEFAULT_DATAPLANE))); // stable: then by name
        return all;
    }

    /** Their names, for the help and the error of an unknown name. */
    static final class DataplaneNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return found().stream().map(DataplaneProvider::name).iterator();
        }
    }
}
