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
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * The lab benchmark's results: every round's figures, their medians per balancer, ratios to
 * the nftables baseline and sbulb's ratios to every other balancer (the minimal XDP NAT, the
 * limit, among them), printed as Markdown tables (the shape of BENCHMARKS.md), and written
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
        /** Null for a balancer that does not carry replies (the minimal NAT): no round trips measured. */
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

        /**
         * CPU time of the balancer's threads (its NAPI thread, and nginx's worker) per delivered
         * packet at a load, ns. The kernel counts a task's time without the hypervisor's steal
         * (PARAVIRT_TIME_ACCOUNTING), so this is what the balancer itself cost.
         */
        double cpuPerPacketNs(double targetPps) {
            LoadRig.Step s = step(targetPps);
            return (double) s.lbTasksNs() / Math.max(1, s.delivered());
        }

        /**
         * The balancer core's busy time per delivered packet at a load, ns: wall time less idle,
         * less the share busy at rest. Includes what the threads' time leaves out: waking from
         * idle, interrupts, other tasks; and any steal that fell in busy time (a vCPU mostly
         * waits for the hypervisor while idle, so most steal is not in it).
         */
        double corePerPacketNs(double targetPps) {
            return corePerPacket(step(targetPps));
        }

        double corePerPacket(LoadRig.Step s) {
            if (s.busyNs() < 0) {
                return Double.NaN; // the core's idle time was unavailable
            }
            return Math.max(0, s.busyNs() - idleBusy * s.wallNs()) / Math.max(1, s.delivered());
        }

        /** The busiest step: the one that delivered most. */
        LoadRig.Step busiest() {
            return steps.stream().max((a, b) -> Double.compare(a.deliveredPps(), b.deliveredPps())).orElseThrow();
        }

        /** CPU time of the balancer's threads per packet at the busiest step, ns. */
        double cpuPerPacketBusiestNs() {
            LoadRig.Step s = busiest();
            return (double) s.lbTasksNs() / Math.max(1, s.delivered());
        }

        /** What one core of the balancer could take, frames a second: 1 s over its threads' time per packet when busiest. */
        double capacityPps() {
            return 1e9 / cpuPerPacketBusiestNs();
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
    private String generator = "unknown";
    private String busyMeter = "unknown";

    LabReport(LabBenchmark.Settings settings) {
        this.settings = settings;
    }

    void add(Run run) {
        runs.computeIfAbsent(run.balancer, k -> new ArrayList<>()).add(run);
    }

    /** Which traffic generator ran, and why ({@link LoadRig#generator()}); how the core's busy time was read. */
    void rig(String generator, String busyMeter) {
        this.generator = generator;
        this.busyMeter = busyMeter;
    }

    void configLatencies(List<Long> ns) {
        this.configLatencies = List.copyOf(ns);
    }

    static String describe(LoadRig.Step s, double idleBusy) {
        return String.format(Locale.ROOT, "target %8s: offered %9.0f/s, delivered %9.0f/s, loss %6.2f %%, "
                        + "balancer core %s busy (idle %s), threads %6.0f ns/packet; lost at its input ring %d, "
                        + "at the sink's %d; steal %d ms", target(s.targetPps()),
                s.offeredPps(), s.deliveredPps(), 100 * s.loss(), share(s.busy()), share(idleBusy),
                (double) s.lbTasksNs() / Math.max(1, s.delivered()), s.refusedAtInput(),
                s.refusedAtSink(), s.stealNs() / 1_000_000);
    }

    /** A share as "12.3 %", or "n/a" when it was not measured (NaN). */
    static String share(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    /** "123 ns", or "n/a" when it was not measured (NaN). */
    static String nanos(double ns) {
        return Double.isNaN(ns) ? "n/a" : String.format(Locale.ROOT, "%.0f ns", ns);
    }

    static String target(double pps) {
        return pps == 0 ? "max" : pps >= 1e6 ? trim(pps / 1e6) + " M" : trim(pps / 1e3) + " k";
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    void print(PrintStream out, double seconds) {
        out.print(markdown(seconds));
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("lab-results.md"), markdown(-1), StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder("balancer,round,target_pps,offered_pps,sent,delivered,loss,"
                + "wall_ns,lb_busy_ns,lb_tasks_ns,late,refused_at_input,refused_at_sink,lb_steal_ns\n");
        for (List<Run> rs : runs.values()) {
            for (Run r : rs) {
                for (LoadRig.Step s : r.steps) {
                    csv.append(String.format(Locale.ROOT, "%s,%d,%.0f,%.0f,%d,%d,%.6f,%d,%d,%d,%d,%d,%d,%d%n", r.balancer,
                            r.round + 1, s.targetPps(), s.offeredPps(), s.sent(), s.delivered(), s.loss(), s.wallNs(),
                            s.busyNs(), s.lbTasksNs(), s.late(), s.refusedAtInput(), s.refusedAtSink(), s.stealNs()));
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
                Machine.HOST.cpuModel(), Machine.HOST.kernel(), LocalDate.now(), s.rounds(), s.clients(), s.frameLength(),
                s.genCpu(), s.lbCpu()));
        b.append("- generator: ").append(generator).append('\n');
        b.append("- the balancer core's busy time: ").append(busyMeter).append('\n');
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
                b.append(String.format(Locale.ROOT, " %s/s (%s) of %s/s, core %s |",
                        kilo(median(rs, r -> r.steps.get(step).deliveredPps())),
                        percent(median(rs, r -> r.steps.get(step).loss())),
                        kilo(median(rs, r -> r.steps.get(step).offeredPps())),
                        share(median(rs, r -> r.steps.get(step).busy()))));
            }
            b.append('\n');
        }
        List<Run> nft = runs.get("nftables");
        b.append(String.format(Locale.ROOT, "%nPer balancer, medians of the rounds (ratio to nftables). CPU/packet: "
                + "CPU time of the balancer's threads (its NAPI thread; and nginx's worker) per frame delivered, "
                + "without the hypervisor's steal; in brackets the balancer core's busy time per frame (wall less "
                + "idle and the share busy at rest), which adds waking from idle. Capacity: 1 s over the "
                + "CPU/packet of the step that delivered most. RTT: %d request/response exchanges a round between "
                + "real sockets, one at a time, no other load, all rounds pooled.%n%n", s.rttExchanges()));
        b.append("| balancer | loss-free rate | capacity |");
        for (double l : s.cpuLoads()) {
            b.append(" CPU/packet at ").append(kilo(l)).append("/s [core] |");
        }
        b.append(" CPU/packet, busiest | RTT p50 | RTT p99 | lost | steal |\n|---|---|---|");
        s.cpuLoads().forEach(l -> b.append("---|"));
        b.append("---|---|---|---|---|\n");
        for (List<Run> rs : runs.values()) {
            double lossFree = median(rs, Run::lossFreePps);
            double capacity = median(rs, Run::capacityPps);
            List<LoadRig.Rtt> rtts = rs.stream().map(r -> r.rtt).filter(Objects::nonNull).toList();
            long[] rtt = rtts.stream().flatMapToLong(r -> LongStream.of(r.sortedNs())).sorted().toArray();
            LoadRig.Rtt pooled = new LoadRig.Rtt(rtt, rtts.stream().mapToInt(LoadRig.Rtt::lost).sum());
            boolean limited = rs.stream().allMatch(Run::generatorLimited);
            b.append(String.format(Locale.ROOT, "| %s | %s%s/s%s | %s/s%s |", rs.get(0).balancer, limited ? ">= " : "",
                    kilo(lossFree), ratio(lossFree, nft == null ? 0 : median(nft, Run::lossFreePps)),
                    kilo(capacity), ratio(capacity, nft == null ? 0 : median(nft, Run::capacityPps))));
            for (double l : s.cpuLoads()) {
                double cpu = median(rs, r -> r.cpuPerPacketNs(l));
                b.append(String.format(Locale.ROOT, " %.0f ns%s [%s]%s |", cpu,
                        ratio(cpu, nft == null ? 0 : median(nft, r -> r.cpuPerPacketNs(l))),
                        nanos(median(rs, r -> r.corePerPacketNs(l))),
                        median(rs, r -> r.step(l).loss()) >= 0.01 ? " saturated" : ""));
            }
            double busiest = median(rs, Run::cpuPerPacketBusiestNs);
            double stealShare = rs.stream().flatMap(r -> r.steps.stream()).mapToLong(LoadRig.Step::stealNs).sum()
                    / (double) Math.max(1, rs.stream().flatMap(r -> r.steps.stream()).mapToLong(LoadRig.Step::wallNs).sum());
            b.append(String.format(Locale.ROOT, " %.0f ns%s | %s | %.0f %% |%n", busiest,
                    ratio(busiest, nft == null ? 0 : median(nft, Run::cpuPerPacketBusiestNs)),
                    rtts.isEmpty() ? "no replies | no replies | -" : String.format(Locale.ROOT, "%.0f us | %.0f us | %d",
                            pooled.percentileUs(50), pooled.percentileUs(99), pooled.lost()), 100 * stealShare));
        }
        b.append("\n\">= \": the generator's top rate was delivered loss-free: the balancer was not the limit. "
                + "\"saturated\": 1 % or more lost at that load. Steal: the share of the balancer core's time the "
                + "hypervisor gave to others during the steps; frames that arrive then wait, and beyond veth's "
                + "ring of 256 they are lost. \"no replies\": the balancer does not carry the real servers' "
                + "replies back (the minimal NAT is ingress only), so no round trips.\n");
        sbulbRatios(b);
        List<Run> sb = runs.get("sbulb");
        if (sb != null) {
            b.append("\nsbulb, memory and control plane:\n\n");
            for (Bpftool.MapInfo m : sb.get(0).maps) {
                if (m.name().equals("sbulb_assoc4") || m.name().equals("sbulb_assoc6")) {
                    b.append(String.format(Locale.ROOT, "- association table " + m.name() + " (%s, %d entries): %.1f MiB of kernel "
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
                    + "%.0f ms, min %.0f, max %.0f (%d changes at 20 k frames/s; the file is read when inotify "
                    + "reports a change and applied when a read 10 ms later agrees)%n", ms[ms.length / 2], ms[0], ms[ms.length - 1], ms.length));
        }
        if (sb != null && nft != null) {
            double top = s.cpuLoads().get(s.cpuLoads().size() - 1);
            double cpu = median(sb, r -> r.cpuPerPacketNs(top)) / median(nft, r -> r.cpuPerPacketNs(top));
            double nftLossFree = median(nft, Run::lossFreePps);
            String rate = nftLossFree > 0 ? String.format(Locale.ROOT, "%s%.1fx (%s)",
                    sb.stream().allMatch(Run::generatorLimited) ? ">= " : "", median(sb, Run::lossFreePps) / nftLossFree,
                    median(sb, Run::lossFreePps) / nftLossFree >= 3 ? "met" : "missed")
                    : "not measurable (nftables lost " + percent(LOSS_FREE) + " or more at every load)";
            double capacity = median(sb, Run::capacityPps) / median(nft, Run::capacityPps);
            b.append(String.format(Locale.ROOT, "%nTargets: CPU per packet at %s/s <= 1/3 of nftables': %.2f (%s); "
                            + "loss-free rate >= 3x nftables': %s; capacity of one core: %.1fx (%s)%n",
                    kilo(top), cpu, cpu <= 1.0 / 3 ? "met" : "missed", rate, capacity, capacity >= 3 ? "met" : "missed"));
        }
        if (seconds >= 0) {
            b.append(String.format(Locale.ROOT, "%nThe lab benchmark took %.0f s%n", seconds));
        }
        return b.toString();
    }

    /**
     * sbulb's loss-free rate, capacity and CPU per packet as ratios to every other balancer's: the
     * minimal XDP NAT (the limit of an XDP balancer here), nftables, nginx.
     */
    private void sbulbRatios(StringBuilder b) {
        List<Run> sb = runs.get("sbulb");
        if (sb == null || runs.size() < 2) {
            return;
        }
        b.append("\nsbulb as a ratio to each other balancer, medians of the rounds (rate and capacity: above 1 "
                + "is sbulb ahead; CPU/packet: below 1 is sbulb cheaper)\n\n| sbulb against | loss-free rate | capacity |");
        settings.cpuLoads().forEach(l -> b.append(" CPU/packet at ").append(kilo(l)).append("/s |"));
        b.append(" CPU/packet, busiest |\n|---|---|---|");
        settings.cpuLoads().forEach(l -> b.append("---|"));
        b.append("---|\n");
        for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
            List<Run> base = e.getValue();
            if (base == sb) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %.2fx |", e.getKey(), lossFreeRatio(sb, base),
                    median(sb, Run::capacityPps) / median(base, Run::capacityPps)));
            for (double l : settings.cpuLoads()) {
                b.append(String.format(Locale.ROOT, " %.2fx |",
                        median(sb, r -> r.cpuPerPacketNs(l)) / median(base, r -> r.cpuPerPacketNs(l))));
            }
            b.append(String.format(Locale.ROOT, " %.2fx |%n",
                    median(sb, Run::cpuPerPacketBusiestNs) / median(base, Run::cpuPerPacketBusiestNs)));
        }
    }

    /** The ratio of the loss-free rates, bounded where the generator's top rate bounded either. */
    static String lossFreeRatio(List<Run> sb, List<Run> base) {
        double baseRate = median(base, Run::lossFreePps);
        if (baseRate == 0) {
            return "not measurable (the baseline lost " + percent(LOSS_FREE) + " or more at every load)";
        }
        double r = median(sb, Run::lossFreePps) / baseRate;
        boolean sbLimited = sb.stream().allMatch(Run::generatorLimited);
        boolean baseLimited = base.stream().allMatch(Run::generatorLimited);
        String x = String.format(Locale.ROOT, "%.2fx", r);
        return sbLimited && baseLimited ? x + ", both loss-free at the generator's top rate"
                : sbLimited ? ">= " + x : baseLimited ? "<= " + x : x;
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
