package io.sbulb.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The state benchmark's results, in the shape of BENCHMARKS.md: per event, medians of the rounds
 * (and the worst round) of frames lost, frames at another server, clients moved, whether the
 * table stayed the same, and the times of the process's stop and of the next start's takeover;
 * every round in CSV.
 */
final class StateReport {

    private final StateBenchmark.Settings settings;
    private final List<StateBenchmark.Measure> measures = new ArrayList<>();
    private String generator = "";
    private long firstReadyNs;
    private long fillNs;
    private PinnedTable.Digest filled;

    StateReport(StateBenchmark.Settings settings) {
        this.settings = settings;
    }

    void generator(String description) {
        generator = description;
    }

    void firstStart(TimedSbulb s) {
        firstReadyNs = s.at(TimedSbulb.RUNNING);
    }

    void filled(long ns, PinnedTable.Digest digest) {
        fillNs = ns;
        filled = digest;
    }

    void add(StateBenchmark.Measure m) {
        measures.add(m);
    }

    /** One line for the console while it runs. */
    static String describe(StateBenchmark.Measure m) {
        LoadRig.Step s = m.step();
        String base = String.format(Locale.ROOT, "%d frames sent at %s/s, %d lost (%d refused at the balancer's input, "
                        + "%d at the sink), %d at another server; live clients moved %d, missing %d; table %d -> %d "
                        + "entries, %s; the balancer core's steal %.1f %%", s.sent(), LabReport.kilo(s.offeredPps()),
                m.lost(), s.refusedAtInput(), s.refusedAtSink(), m.atOtherServer(), m.liveMoved(), m.liveMissing(),
                m.before().entries(), m.after().entries(), m.before().equals(m.after()) ? "the same content"
                        : "CONTENT CHANGED", 100.0 * s.stealNs() / Math.max(1, s.wallNs()));
        if (m.next() == null) {
            return base;
        }
        TimedSbulb n = m.next();
        return base + String.format(Locale.ROOT, "; signal to exit %.0f ms; the next start: loaded %.0f ms, took the "
                        + "state over (%d associations) %.0f ms, took the link over %.0f ms, running %.0f ms",
                m.signalToExit() / 1e6, n.at(TimedSbulb.LOADED) / 1e6, n.associationsKept(),
                n.at(TimedSbulb.ADOPTED) / 1e6, n.at(TimedSbulb.LINKED) / 1e6, n.at(TimedSbulb.RUNNING) / 1e6);
    }

    void print(PrintStream out, double seconds) {
        out.print(markdown(seconds));
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("state-results.md"), markdown(-1), StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder("event,round,sent,offered_pps,delivered,lost,refused_at_input,"
                + "refused_at_sink,at_other_server,live_moved,live_missing,entries_before,entries_after,same_content,"
                + "signal_to_exit_ns,loaded_ns,adopted_ns,linked_ns,running_ns,associations_kept,wall_ns,lb_steal_ns\n");
        for (StateBenchmark.Measure m : measures) {
            LoadRig.Step s = m.step();
            TimedSbulb n = m.next();
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.0f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%b,%d,%d,%d,%d,%d,%d,%d,%d%n",
                    m.event().name().toLowerCase(Locale.ROOT), m.round() + 1, s.sent(), s.offeredPps(), s.delivered(),
                    m.lost(), s.refusedAtInput(), s.refusedAtSink(), m.atOtherServer(), m.liveMoved(), m.liveMissing(),
                    m.before().entries(), m.after().entries(), m.before().equals(m.after()), m.signalToExit(),
                    n == null ? -1 : n.at(TimedSbulb.LOADED), n == null ? -1 : n.at(TimedSbulb.ADOPTED),
                    n == null ? -1 : n.at(TimedSbulb.LINKED), n == null ? -1 : n.at(TimedSbulb.RUNNING),
                    n == null ? -1 : n.associationsKept(), s.wallNs(), s.stealNs()));
        }
        Files.writeString(dir.resolve("state-steps.csv"), csv.toString(), StandardCharsets.UTF_8);
    }

    private String markdown(double seconds) {
        StateBenchmark.Settings s = settings;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nState benchmark: %s, %s, %s; %d rounds; -ma %d filled with %,d "
                        + "associations through the pinned map beside %d live clients; %s/s of 128-byte IPv4 UDP frames "
                        + "(batches of %d) for %.0f s a step, the event %.1f s in; generator and sink on CPU %d, the balancer's NAPI "
                        + "thread on CPU %d, the sbulb processes on either%n%n", Machine.HOST.cpuModel(),
                Machine.HOST.kernel(), LocalDate.now(), s.rounds(), s.maxAssociations(), s.associations(), s.clients(),
                LabReport.kilo(s.pps()), s.batch(), s.seconds(), s.eventAfter(), s.genCpu(), s.lbCpu()));
        b.append("- generator: ").append(generator).append('\n');
        b.append(String.format(Locale.ROOT, "- the first start (fresh state) to running: %.0f ms; the fill: %.1f s, "
                        + "the table then held %,d entries%n", firstReadyNs / 1e6, fillNs / 1e9,
                filled == null ? 0 : filled.entries()));
        b.append(String.format(Locale.ROOT, "%nTraffic and associations, median of the rounds (worst round)%n%n"));
        b.append("| event | frames sent | lost | at another server | live clients moved (of " + s.clients()
                + ") | table size before -> after | table content | steal |\n|---|---|---|---|---|---|---|---|\n");
        for (StateBenchmark.Event e : StateBenchmark.Event.values()) {
            List<StateBenchmark.Measure> ms = of(e);
            if (ms.isEmpty()) {
                continue;
            }
            boolean same = ms.stream().allMatch(m -> m.before().equals(m.after()));
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", e.words,
                    figure(ms, m -> m.step().sent(), "%,.0f"), figure(ms, m -> m.lost(), "%,.0f"),
                    figure(ms, m -> m.atOtherServer(), "%,.0f"), figure(ms, m -> m.liveMoved(), "%.0f"),
                    String.format(Locale.ROOT, "%,d -> %,d", ms.get(0).before().entries(),
                            ms.get(ms.size() - 1).after().entries()),
                    same ? "the same in every round" : "changed",
                    figure(ms, m -> 100.0 * m.step().stealNs() / Math.max(1, m.step().wallNs()), "%.1f %%")));
        }
        b.append("\nLost: frames sent less frames counted at the sink. At another server: frames counted at a real "
                + "server beyond what the clients the table gave it before the event sent. Live clients moved: the "
                + "generator's clients whose association (read from the pinned map) differs after the event. Table "
                + "content: the same entries, keys and values, before and after (a digest of all of them). Steal: the "
                + "share of the balancer core's time the hypervisor gave to others during the step.\n");
        b.append(String.format(Locale.ROOT, "%nThe process's stop and the next start's takeover, ms, median of the "
                + "rounds (worst round); the data path serves throughout%n%n"));
        b.append("| event | signal to exit | start to program loaded | to state taken over | to link taken over "
                + "| to running (READY=1) | signal to running | associations taken over | the new daemon's RSS |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (StateBenchmark.Event e : List.of(StateBenchmark.Event.KILL, StateBenchmark.Event.KEEP)) {
            List<StateBenchmark.Measure> ms = of(e);
            if (ms.isEmpty()) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", e.words,
                    figure(ms, m -> m.signalToExit() / 1e6, "%.0f"),
                    figure(ms, m -> m.next().at(TimedSbulb.LOADED) / 1e6, "%.0f"),
                    figure(ms, m -> m.next().at(TimedSbulb.ADOPTED) / 1e6, "%.0f"),
                    figure(ms, m -> m.next().at(TimedSbulb.LINKED) / 1e6, "%.0f"),
                    figure(ms, m -> m.next().at(TimedSbulb.RUNNING) / 1e6, "%.0f"),
                    figure(ms, m -> m.signalToRunning() / 1e6, "%.0f"),
                    figure(ms, m -> m.next().associationsKept(), "%,.0f"),
                    figure(ms, m -> m.nextRssKb() / 1024.0, "%.0f MiB")));
        }
        b.append("\nUpgrade (a new build taking the data path over): ci/bench.sh --only upgrade "
                + "(io.sbulb.xdp.bench.UpgradeBenchmark).\n");
        if (seconds >= 0) {
            b.append(String.format(Locale.ROOT, "%nThe state benchmark took %.0f s%n", seconds));
        }
        return b.toString();
    }

    private List<StateBenchmark.Measure> of(StateBenchmark.Event e) {
        return measures.stream().filter(m -> m.event() == e).toList();
    }

    /** The median of the rounds, and the worst (largest) in brackets when it differs. */
    private static String figure(List<StateBenchmark.Measure> ms, ToDoubleFunction<StateBenchmark.Measure> f,
                                 String format) {
        double[] v = ms.stream().mapToDouble(f).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        String m = String.format(Locale.ROOT, format, median);
        double worst = v[v.length - 1];
        return worst == median ? m : m + " (" + String.format(Locale.ROOT, format, worst) + ")";
    }
}
