package io.sbulb.xdp.bench;

import io.sbulb.xdp.SbulbProgram;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.JitedCode;
import io.sbulb.api.host.HostFacts;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Prints the data-path benchmark's results: the machine, one row per case (median ns per frame
 * over the rounds, min..max, and the ratio to each baseline of the same round), the target of
 * issue 6 (ingress hit <= 1.05x the minimal baseline), and the two programs' sizes as the kernel
 * reports them.
 */
final class BenchReport {

    /** Issue 6: the IPv4 ingress hit costs at most this times the minimal baseline. Reported, not asserted. */
    static final double TARGET_VS_MINIMAL = 1.15;
    /** The same with every service of the default limits configured (issue 15). */
    static final double TARGET_SERVICES_VS_MINIMAL = 1.2;
    /** Issue 20: a DTLS record routed by its connection id costs at most this times a plain ingress hit. */
    static final double TARGET_CID_VS_HIT = 1.3;
    /** The reference figures of docs/design.md §4, ns per frame on this kind of machine. */
    private static final String REFERENCE = "docs/design.md §4 reference: XDP_PASS 16 ns; minimal hit path 64 ns (4.0x);"
            + " the same writing the LRU every packet 131 ns (8.2x); Katran UDP hit path 150 ns (9.4x)";

    private final BenchCases cases;
    private final Map<String, int[]> samples;
    private final Map<String, String> checked;
    private final int rounds;
    private final int cpu;
    private final int frameLength;
    private final int possibleCpus;

    BenchReport(BenchCases cases, Map<String, int[]> samples, Map<String, String> checked, int rounds, int cpu,
                int frameLength, int possibleCpus) {
        this.cases = cases;
        this.samples = samples;
        this.checked = checked;
        this.rounds = rounds;
        this.cpu = cpu;
        this.frameLength = frameLength;
        this.possibleCpus = possibleCpus;
    }

    void print() {
        System.out.println();
        System.out.printf("kernel %s, possible CPUs %s (%d), measuring on CPU %d, %s%n", read("/proc/sys/kernel/osrelease"),
                read("/sys/devices/system/cpu/possible"), possibleCpus, cpu, cpuModel());
        System.out.printf("bpf_jit_enable %s, bpf_stats_enabled %s; frame %d bytes; %d real servers; "
                        + "association tables %d entries (sbulb and minimal); %d rounds%n",
                read("/proc/sys/net/core/bpf_jit_enable"), read("/proc/sys/kernel/bpf_stats_enabled"),
                frameLength, BenchCases.REAL_SERVERS, cases.limits().maxAssociations(), rounds);
        System.out.printf("sbulb.bpf.o sha256 %s%n%n", SbulbProgram.objectSha256());

        int[] pass = samples.get(BenchCases.PASS);
        int[] minimal = samples.get(BenchCases.MINIMAL);
        String header = String.format("%-54s | %8s | %-10s | %8s | %9s | %s", "case (XDP, through the wrapper)",
                "ns/frame", "min..max", "x pass", "x minimal", "ns - minimal");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Map.Entry<String, int[]> e : samples.entrySet()) {
            int[] ns = e.getValue();
            System.out.printf("%-54s | %8.1f | %4d..%-4d | %7.2fx | %8.2fx | %+6.1f%n", e.getKey(), median(ns),
                    Arrays.stream(ns).min().orElseThrow(), Arrays.stream(ns).max().orElseThrow(),
                    medianRatio(ns, pass), medianRatio(ns, minimal), medianDifference(ns, minimal));
        }
        System.out.println();
        System.out.println("ns/frame: median over rounds of the kernel's average per repetition (whole ns, rounded"
                + " down), wrapper work included; min..max over the rounds.");
        System.out.println("x pass, x minimal, ns - minimal: medians over rounds against the same round's baseline."
                + " The minimal baseline is IPv4 only (v6 rows compare with it too).");
        System.out.println(REFERENCE);

        double hit = medianRatio(samples.get(BenchCases.HIT_V4), minimal);
        System.out.printf("%ntarget (issue 15, 1 service): %s <= %.2fx minimal: %.2fx (%+.1f ns per frame), %s%n",
                BenchCases.HIT_V4, TARGET_VS_MINIMAL, hit, medianDifference(samples.get(BenchCases.HIT_V4), minimal),
                hit <= TARGET_VS_MINIMAL ? "met" : "MISSED");
        double hitS = medianRatio(samples.get(BenchCases.HIT_V4_SERVICES), minimal);
        System.out.printf("target (issue 15): %s <= %.2fx minimal: %.2fx (%+.1f ns per frame), %s%n",
                BenchCases.HIT_V4_SERVICES, TARGET_SERVICES_VS_MINIMAL, hitS,
                medianDifference(samples.get(BenchCases.HIT_V4_SERVICES), minimal),
                hitS <= TARGET_SERVICES_VS_MINIMAL ? "met" : "MISSED");
        int[] hitV4 = samples.get(BenchCases.HIT_V4);
        double routed = medianRatio(samples.get(BenchCases.CID_ROUTED_V4), hitV4);
        System.out.printf("target (issue 20): %s <= %.2fx %s: %.2fx (%+.1f ns per frame), %s; %s: %.2fx %s%n",
                BenchCases.CID_ROUTED_V4, TARGET_CID_VS_HIT, BenchCases.HIT_V4, routed,
                medianDifference(samples.get(BenchCases.CID_ROUTED_V4), hitV4),
                routed <= TARGET_CID_VS_HIT ? "met" : "MISSED", BenchCases.CID_HIT_V4,
                medianRatio(samples.get(BenchCases.CID_HIT_V4), hitV4), BenchCases.HIT_V4);
        int[] all = samples.get(BenchCases.MIN_ALL);
        System.out.printf("where %s's %+.1f ns over minimal go (medians of same-round differences): sbulb's 20-byte"
                        + " key %+.1f, its per-CPU counter %+.1f, key + counter + TTL decrement together %+.1f;%n"
                        + "  the rest of sbulb's hit path (parser checks, config and VIP compare, port array, real-server"
                        + " check, 16-byte address copies) %+.1f%n",
                BenchCases.HIT_V4, medianDifference(hitV4, minimal),
                medianDifference(samples.get(BenchCases.MIN_KEY20), minimal),
                medianDifference(samples.get(BenchCases.MIN_COUNTED), minimal),
                medianDifference(all, minimal), medianDifference(hitV4, all));
        System.out.println();
        printSize("sbulb_xdp", cases.sbulbInfo(), cases.sbulbFd());
        printSize("bench_minimal", cases.minimalInfo(), cases.minimalFd());
        System.out.println("  (whole programs, every path; a hit runs a part of each)");
        System.out.println();
        System.out.println("paths confirmed on every measured run:");
        checked.forEach((name, check) -> System.out.printf("  %-54s %s%n", name, check));
    }

    private static void printSize(String name, BpfProgram.Info info, int fd) {
        OptionalLong x86 = JitedCode.x86Instructions(fd);
        System.out.printf("%-14s id %-6d %5d BPF insns after the verifier, %5d bytes jited, %5s x86 insns jited,"
                        + " %6d insns verified%n", name, info.id(), info.xlatedInstructions(), info.jitedBytes(),
                x86.isPresent() ? Long.toString(x86.getAsLong()) : "?", info.verifiedInstructions());
    }

    // ---- statistics ---------------------------------------------------------------------

    static double median(int[] values) {
        return median(Arrays.stream(values).asDoubleStream().toArray());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }

    /** The median over rounds of {@code ns[round] / base[round]}. */
    static double medianRatio(int[] ns, int[] base) {
        double[] r = new double[ns.length];
        for (int i = 0; i < ns.length; i++) {
            r[i] = (double) ns[i] / base[i];
        }
        return median(r);
    }

    /** The median over rounds of {@code ns[round] - base[round]}. */
    static double medianDifference(int[] ns, int[] base) {
        double[] r = new double[ns.length];
        for (int i = 0; i < ns.length; i++) {
            r[i] = ns[i] - base[i];
        }
        return median(r);
    }

    // ---- machine ------------------------------------------------------------------------

    static int lastOnlineCpu() {
        String online = read("/sys/devices/system/cpu/online"); // e.g. "0-1" or "0,2-3"
        String last = online.substring(Math.max(online.lastIndexOf(','), online.lastIndexOf('-')) + 1);
        try {
            return Integer.parseInt(last.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String cpuModel() {
        return HostFacts.SYSTEM.lines("/proc/cpuinfo").stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()
                .orElse("CPU model unknown (no model name in /proc/cpuinfo)");
    }

    /** A host file's text (through the host door), or "? (no PATH)". */
    private static String read(String path) {
        return HostFacts.SYSTEM.read(path).orElse("? (no " + path + ")");
    }
}
