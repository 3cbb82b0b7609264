package io.sbulb.bench;

import io.sbulb.lab.Bpftool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * The lab benchmark's results: every round's figures, their medians per balancer, ratios to
 * the nftables baseline, printed as Markdown tables (the shape of BENCHMARKS.md), and written
 * with the raw steps (CSV) and a chart of delivered against offered load (PNG).
 */
final class LabReport {

    /** A step is loss-free below this share of frames lost. */
    static final double LOSS_FREE = 0.001;

    /** One balancer in one round. */
    static final class Run {
        final String balancer;
        final String description;
        final int round;
        double idleBusy;
        final List<LoadRig.Step> steps = new ArrayList<>();
        LoadRig.Rtt rtt;
        long readyNs;
        List<Bpftool.MapInfo> maps = List.of();
        long rssKb;

        Run(String balancer, String description, int round) {
            this.balancer = balancer;
            this.description = description;
            this.round = round;
        }

        LoadRig.Step step(double targetPps) {
            return steps.stream().filter(s -> s.targetPps() == targetPps).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no step at " + targetPps));
        }

        /** The balancer core's CPU per delivered packet at a load, the idle share taken off, ns. */
        double cpuPerPacketNs(double targetPps) {
            LoadRig.Step s = step(targetPps);
            return (s.busyNs() - idleBusy * s.wallNs()) / Math.max(1, s.delivered());
        }

        /** The same from the NAPI thread's (and nginx worker's) own run time, ns. */
        double taskPerPacketNs(double targetPps) {
            LoadRig.Step s = step(targetPps);
            return (double) s.lbTasksNs() / Math.max(1, s.delivered());
        }

        /** The balancer core's CPU per packet at the step that delivered most, ns: its cost when busiest. */
        double cpuPerPacketBusiestNs() {
            LoadRig.Step s = steps.stream().max((a, b) -> Double.compare(a.deliveredPps(), b.deliveredPps())).orElseThrow();
            return (s.busyNs() - idleBusy * s.wallNs()) / Math.max(1, s.delivered());
        }

        /** The highest offered rate delivered with less than {@link #LOSS_FREE} lost; and whether it was the top step. */
        double lossFreePps() {
            double best = 0;
            for (LoadRig.Step s : steps) {
                if (s.loss() < LOSS_FREE) {
                    best = Math.max(best, s.offeredPps());
                }
            }
            return best;
        }

        /** True when the highest step offered (the generator's limit) was delivered loss-free. */
        boolean generatorLimited() {
            LoadRig.Step top = steps.stream().max((a, b) -> Double.compare(a.offeredPps(), b.offeredPps())).orElseThrow();
            return top.loss() < LOSS_FREE;
        }
    }

    private final LabBenchmark.Settings settings;
    private final Map<String, List<Run>> runs = new LinkedHashMap<>();
    private List<Long> configLatencies = List.of();

    LabReport(LabBenchmark.Settings settings) {
        this.settings = settings;
    }

    void add(Run run) {
        runs.computeIfAbsent(run.balancer, k -> new ArrayList<>()).add(run);
    }

    void configLatencies(List<Long> ns) {
        this.configLatencies = List.copyOf(ns);
    }

    static String describe(LoadRig.Step s, double idleBusy) {
        return String.format(Locale.ROOT, "target %8s: offered %9.0f/s, delivered %9.0f/s, loss %6.2f %%, "
                        + "balancer core %5.1f %% busy (idle %.1f %%), %6.0f ns/packet; lost at its input ring %d, "
                        + "at the sink's %d", target(s.targetPps()),
                s.offeredPps(), s.deliveredPps(), 100 * s.loss(), 100 * s.busy(), 100 * idleBusy,
                (s.busyNs() - idleBusy * s.wallNs()) / Math.max(1, s.delivered()), s.refusedAtInput(),
                s.refusedAtSink());
    }

    static String target(double pps) {
        return pps == 0 ? "max" : pps >= 1e6 ? trim(pps / 1e6) + " M" : trim(pps / 1e3) + " k";
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static long rssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    void print(PrintStream out, double seconds) {
        out.print(markdown(seconds));
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("lab-results.md"), markdown(-1), StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder("balancer,round,target_pps,offered_pps,sent,delivered,loss,"
                + "wall_ns,lb_busy_ns,lb_tasks_ns,late,refused_at_input,refused_at_sink\n");
        for (List<Run> rs : runs.values()) {
            for (Run r : rs) {
                for (LoadRig.Step s : r.steps) {
                    csv.append(String.format(Locale.ROOT, "%s,%d,%.0f,%.0f,%d,%d,%.6f,%d,%d,%d,%d,%d,%d%n", r.balancer,
                            r.round + 1, s.targetPps(), s.offeredPps(), s.sent(), s.delivered(), s.loss(), s.wallNs(),
                            s.busyNs(), s.lbTasksNs(), s.late(), s.refusedAtInput(), s.refusedAtSink()));
                }
            }
        }
        Files.writeString(dir.resolve("lab-steps.csv"), csv.toString(), StandardCharsets.UTF_8);
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
            List<double[]> points = new ArrayList<>();
            for (int i = 0; i < settings.loads().size(); i++) {
                int step = i;
                points.add(new double[] {median(e.getValue(), r -> r.steps.get(step).offeredPps()),
                        median(e.getValue(), r -> r.steps.get(step).deliveredPps())});
            }
            series.put(e.getKey(), points);
        }
        LoadChart.write(dir.resolve("lab-load.png"), series, "Delivered against offered load, median of "
                + settings.rounds() + " rounds (" + settings.frameLength() + "-byte frames, " + settings.clients()
                + " clients)");
    }

    private String markdown(double seconds) {
        StringBuilder b = new StringBuilder();
        LabBenchmark.Settings s = settings;
        b.append(String.format(Locale.ROOT, "%nLab benchmark: %s, %s, %s; %d rounds, alternating; %d clients, "
                        + "%d-byte IPv4 UDP frames; generator and sink on CPU %d, the balancer on CPU %d%n%n",
                Machine.cpuModel(), Machine.kernel(), LocalDate.now(), s.rounds(), s.clients(), s.frameLength(),
                s.genCpu(), s.lbCpu()));
        for (List<Run> rs : runs.values()) {
            b.append("- ").append(rs.get(0).balancer).append(": ").append(rs.get(0).description).append('\n');
        }
        b.append(String.format(Locale.ROOT, "%nDelivered frames/s (loss) and the balancer core's busy share, "
                + "median of the rounds; %.1f s a step%n%n", s.stepSeconds()));
        b.append("| offered |");
        runs.keySet().forEach(n -> b.append(' ').append(n).append(" |"));
        b.append("\n|---|");
        runs.keySet().forEach(n -> b.append("---|"));
        b.append('\n');
        for (int i = 0; i < s.loads().size(); i++) {
            int step = i;
            b.append("| ").append(target(s.loads().get(i))).append(" |");
            for (List<Run> rs : runs.values()) {
                b.append(String.format(Locale.ROOT, " %s/s (%s) of %s/s, core %.0f %% |",
                        kilo(median(rs, r -> r.steps.get(step).deliveredPps())),
                        percent(median(rs, r -> r.steps.get(step).loss())),
                        kilo(median(rs, r -> r.steps.get(step).offeredPps())),
                        100 * median(rs, r -> r.steps.get(step).busy())));
            }
            b.append('\n');
        }
        List<Run> nft = runs.get("nftables");
        b.append(String.format(Locale.ROOT, "%nPer balancer, medians of the rounds (ratio to nftables). CPU/packet: "
                + "the balancer core's busy time (wall time less its cpuidle time, the idle share taken off) over "
                + "the frames delivered, at fixed loads and at the step that delivered most; \"tasks\": the NAPI "
                + "thread's own run time (and nginx's worker's). RTT: %d request/response exchanges a round between "
                + "real sockets, one at a time, no other load, all rounds pooled.%n%n", s.rttExchanges()));
        b.append("| balancer | loss-free rate |");
        for (double l : s.cpuLoads()) {
            b.append(" CPU/packet at ").append(kilo(l)).append("/s (tasks) |");
        }
        b.append(" CPU/packet, busiest | RTT p50 | RTT p99 | lost |\n|---|---|");
        s.cpuLoads().forEach(l -> b.append("---|"));
        b.append("---|---|---|---|\n");
        for (List<Run> rs : runs.values()) {
            double lossFree = median(rs, Run::lossFreePps);
            long[] rtt = rs.stream().flatMapToLong(r -> LongStream.of(r.rtt.sortedNs())).sorted().toArray();
            LoadRig.Rtt pooled = new LoadRig.Rtt(rtt, rs.stream().mapToInt(r -> r.rtt.lost()).sum());
            boolean limited = rs.stream().allMatch(Run::generatorLimited);
            b.append(String.format(Locale.ROOT, "| %s | %s%s/s%s |", rs.get(0).balancer, limited ? ">= " : "",
                    kilo(lossFree), ratio(lossFree, nft == null ? 0 : median(nft, Run::lossFreePps))));
            for (double l : s.cpuLoads()) {
                double cpu = median(rs, r -> r.cpuPerPacketNs(l));
                b.append(String.format(Locale.ROOT, " %.0f ns%s (%.0f ns)%s |", cpu,
                        ratio(cpu, nft == null ? 0 : median(nft, r -> r.cpuPerPacketNs(l))),
                        median(rs, r -> r.taskPerPacketNs(l)),
                        median(rs, r -> r.step(l).loss()) >= LOSS_FREE ? " saturated" : ""));
            }
            double busiest = median(rs, Run::cpuPerPacketBusiestNs);
            b.append(String.format(Locale.ROOT, " %.0f ns%s | %.0f us | %.0f us | %d |%n", busiest,
                    ratio(busiest, nft == null ? 0 : median(nft, Run::cpuPerPacketBusiestNs)),
                    pooled.percentileUs(50), pooled.percentileUs(99), pooled.lost()));
        }
        b.append("\n\">= \": the generator's top rate was delivered loss-free: the balancer was not the limit.\n");
        List<Run> sb = runs.get("sbulb");
        if (sb != null) {
            b.append("\nsbulb, memory and control plane:\n\n");
            for (Bpftool.MapInfo m : sb.get(0).maps) {
                if (m.name().equals("sbulb_assoc")) {
                    b.append(String.format(Locale.ROOT, "- association table (%s, %d entries): %.1f MiB of kernel "
                                    + "memory (bpftool's bytes_memlock), %.0f bytes per association%n", m.type(),
                            m.maxEntries(), m.bytesMemlock() / 1048576.0, (double) m.bytesMemlock() / m.maxEntries()));
                }
            }
            long total = sb.get(0).maps.stream().mapToLong(Bpftool.MapInfo::bytesMemlock).sum();
            b.append(String.format(Locale.ROOT, "- all of sbulb's maps: %.1f MiB%n", total / 1048576.0));
            b.append(String.format(Locale.ROOT, "- the daemon's resident memory (VmRSS) after the load steps: %.0f MiB "
                    + "(median; JVM defaults)%n", median(sb, r -> r.rssKb) / 1024.0));
            b.append(String.format(Locale.ROOT, "- start to READY=1 (JVM start, load, attach): median %.0f ms, "
                    + "max %.0f ms%n", median(sb, r -> r.readyNs) / 1e6,
                    sb.stream().mapToLong(r -> r.readyNs).max().orElse(0) / 1e6));
        }
        if (!configLatencies.isEmpty()) {
            double[] ms = configLatencies.stream().mapToDouble(n -> n / 1e6).sorted().toArray();
            b.append(String.format(Locale.ROOT, "- -cfg change to the first frame at the new real server: median "
                    + "%.0f ms, min %.0f, max %.0f (%d changes at 20 k frames/s; the file is read every 100 ms "
                    + "and applied when two reads agree)%n", ms[ms.length / 2], ms[0], ms[ms.length - 1], ms.length));
        }
        if (sb != null && nft != null) {
            double top = s.cpuLoads().get(s.cpuLoads().size() - 1);
            double cpu = median(sb, r -> r.cpuPerPacketNs(top)) / median(nft, r -> r.cpuPerPacketNs(top));
            double rate = median(sb, Run::lossFreePps) / median(nft, Run::lossFreePps);
            b.append(String.format(Locale.ROOT, "%nTargets: CPU per packet at %s/s <= 1/3 of nftables': %.2f (%s); "
                            + "loss-free rate >= 3x nftables': %s%.1fx (%s)%n", kilo(top), cpu,
                    cpu <= 1.0 / 3 ? "met" : "missed",
                    sb.stream().allMatch(Run::generatorLimited) ? ">= " : "", rate, rate >= 3 ? "met" : "missed"));
        }
        if (seconds >= 0) {
            b.append(String.format(Locale.ROOT, "%nThe lab benchmark took %.0f s%n", seconds));
        }
        return b.toString();
    }

    private static String ratio(double value, double base) {
        return base > 0 ? String.format(Locale.ROOT, " (%.2fx)", value / base) : "";
    }

    static String kilo(double pps) {
        return pps >= 1e6 ? String.format(Locale.ROOT, "%.2f M", pps / 1e6) : String.format(Locale.ROOT, "%.0f k", pps / 1e3);
    }

    private static String percent(double share) {
        return share == 0 ? "0 %" : share < 0.001 ? String.format(Locale.ROOT, "%.3f %%", 100 * share)
                : String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    static double median(List<Run> rs, ToDoubleFunction<Run> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    @Override
    public String toString() {
        return "LabReport" + Arrays.toString(runs.keySet().toArray());
    }
}
