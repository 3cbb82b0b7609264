package io.sbulb.xdp.bench;

import io.sbulb.api.Counter;
import io.sbulb.api.Expect;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.Checksums;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.SbulbProgram;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpDataplane;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the sbulb data path with BPF_PROG_TEST_RUN through the restoring wrapper
 * ({@code src/test/bpf/bench_wrapper.bpf.c}, shared/DESIGN.md §4) and prints each case as a
 * ratio to a baseline measured in the same run: the wrapper tail-calling an XDP_PASS program.
 *
 * <p>Every measured run is checked to have taken the intended path: the verdict, the wrapper's
 * run count, the reason counter that moved (exactly {@code repeat} frames, and no other), and for
 * the hit paths the output, which must be one NAT of the original frame. A violated check stops
 * the benchmark: a figure for the wrong path is worse than none.
 *
 * <p>Not a test: nothing here asserts on time. Run it with {@code ci/bench.sh} (root needed).
 * Arguments: {@code [--repeat N] [--rounds N] [--cpu N]}.
 */
public final class DataPathBenchmark {

    static final int IPV4_SADDR_OFFSET = UdpFrame.ETH_HLEN + 12;
    /** Real servers configured in every sbulb case. */
    static final int REAL_SERVERS = 4;
    /** Clients of the many-clients hit case: a power of two (the wrapper's mask), ~ the default table. */
    static final int MANY_CLIENTS = 1 << 20;
    /** The reference figures of shared/DESIGN.md §4, ns per frame on this kind of machine. */
    private static final String REFERENCE = "DESIGN.md §4 reference: XDP_PASS 16 ns; hit path 64 ns (4.0x); "
            + "hit path writing the LRU every packet 131 ns (8.2x); Katran UDP hit path 150 ns (9.4x)";

    private final BenchWrapper wrapper;
    private final int repeat;
    private final int rounds;
    private final int cpu;
    private final Map<String, List<Integer>> samples = new LinkedHashMap<>();
    private final Map<String, String> checks = new LinkedHashMap<>();

    private DataPathBenchmark(BenchWrapper wrapper, int repeat, int rounds, int cpu) {
        this.wrapper = wrapper;
        this.repeat = repeat;
        this.rounds = rounds;
        this.cpu = cpu;
    }

    /** One measured configuration. {@code dp} null: the baseline callee (bench_pass). */
    record Case(String name, XdpDataplane dp, Frame frame, int varyOffset, int varyMask, int repeat,
                Verdict verdict, Reason reason, Frame expectedOutput) {
    }

    public static void main(String[] args) {
        int repeat = 2_000_000;
        int rounds = 5;
        int cpu = lastOnlineCpu();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--repeat" -> repeat = number(args[i], value, 1);
                case "--rounds" -> rounds = number(args[i], value, 1);
                case "--cpu" -> cpu = number(args[i], value, 0);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (accepted: --repeat N, --rounds N, --cpu N)");
            }
            i++;
        }
        String missing = Privileges.missingBpf();
        if (missing != null) {
            System.err.println("DataPathBenchmark needs root (BPF_PROG_TEST_RUN): " + missing);
            System.exit(2);
        }
        LibC.pinCurrentThread(cpu);
        try (BenchWrapper w = BenchWrapper.load()) {
            new DataPathBenchmark(w, repeat, rounds, cpu).run();
        }
    }

    private void run() {
        Limits limits = Limits.DEFAULT;
        int n = wrapper.frameLength();
        UdpFrame in4 = padded(Net.V4.toVip(Net.V4.client(0)), n);
        UdpFrame in6 = padded(Net.V6.toVip(Net.V6.client(0)), n);
        UdpFrame fresh4 = padded(Net.V4.toVip(Net.V4.client(1)), n);
        // New associations: at most half the table per run, so the "with room" table never fills.
        int newRepeat = Math.min(repeat, limits.maxAssociations() / 2);
        try (XdpDataplane v4 = dataplane(limits, Net.V4);
             XdpDataplane v6 = dataplane(limits, Net.V6);
             XdpDataplane full = dataplane(limits, Net.V4);
             XdpDataplane many = dataplane(limits.withMaxAssociations(2 * MANY_CLIENTS), Net.V4)) {
            // Associations made once, without the wrapper (repeat 1): the hit cases find them.
            IpAddress rs4 = warm(v4, in4.toFrame(), Reason.INGRESS_NEW_NAT);
            UdpFrame out4 = padded(Net.V4.fromServer(rs4, Net.V4.client(0)), n);
            warm(v4, out4.toFrame(), Reason.EGRESS_REUSED_NAT);
            IpAddress rs6 = warm(v6, in6.toFrame(), Reason.INGRESS_NEW_NAT);

            Case baseline = new Case("baseline: wrapper -> XDP_PASS", null, in4.toFrame(), 0, 0, repeat,
                    Verdict.PASS, null, in4.toFrame());
            Case newFull = new Case("IPv4 ingress, new association, table full", full, fresh4.toFrame(),
                    IPV4_SADDR_OFFSET, -1, newRepeat, Verdict.TX, Reason.INGRESS_NEW_NAT, null);
            List<Case> fixed = List.of(baseline,
                    new Case("IPv4 ingress hit (association exists)", v4, in4.toFrame(), 0, 0, repeat,
                            Verdict.TX, Reason.INGRESS_REUSED_NAT, natIngress(in4, rs4)),
                    new Case("IPv4 egress hit (owner replies)", v4, out4.toFrame(), 0, 0, repeat,
                            Verdict.TX, Reason.EGRESS_REUSED_NAT, natEgress(out4, Net.V4.vip)),
                    new Case("IPv6 ingress hit (association exists)", v6, in6.toFrame(), 0, 0, repeat,
                            Verdict.TX, Reason.INGRESS_REUSED_NAT, natIngress(in6, rs6)),
                    new Case("IPv4 not UDP (passed early)", v4, notUdp(in4), 0, 0, repeat,
                            Verdict.PASS, Reason.NOT_UDP, notUdp(in4)),
                    newFull,
                    new Case("IPv4 ingress hit, " + MANY_CLIENTS + " clients in turn", many, fresh4.toFrame(),
                            IPV4_SADDR_OFFSET, MANY_CLIENTS - 1, repeat, Verdict.TX, Reason.INGRESS_REUSED_NAT,
                            null));

            // Fill the association table to its steady state (full: every insert evicts), untimed.
            int prefill = limits.maxAssociations() + limits.maxAssociations() / 4;
            measure(new Case("prefill", full, newFull.frame(), newFull.varyOffset(), -1, prefill,
                    Verdict.TX, Reason.INGRESS_NEW_NAT, null));
            System.out.printf("association table after %d new clients: %d of %d entries%n",
                    prefill, full.associations().size(), limits.maxAssociations());
            // Every one of the many clients once (the run number & mask takes each value once in
            // MANY_CLIENTS runs), in a table twice as large: from then on each frame is a hit.
            measure(new Case("prefill", many, fresh4.toFrame(), IPV4_SADDR_OFFSET, MANY_CLIENTS - 1,
                    MANY_CLIENTS, Verdict.TX, Reason.INGRESS_NEW_NAT, null));

            for (int round = 0; round < rounds; round++) {
                for (Case c : fixed) {
                    record(c, measure(c));
                }
                // A table with room: a fresh program each round, filled at most half.
                try (XdpDataplane room = dataplane(limits, Net.V4)) {
                    Case c = new Case("IPv4 ingress, new association, table with room", room,
                            fresh4.toFrame(), IPV4_SADDR_OFFSET, -1, newRepeat, Verdict.TX,
                            Reason.INGRESS_NEW_NAT, null);
                    record(c, measure(c));
                }
            }
        }
        print(limits);
    }

    private XdpDataplane dataplane(Limits limits, Net net) {
        XdpDataplane dp = XdpDataplane.create(SbulbProgramSpec.of(limits), cpu);
        try {
            dp.configure(net.config(REAL_SERVERS));
            return dp;
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    /** Runs {@code frame} once without the wrapper; returns the real server it was sent to or from. */
    private static IpAddress warm(XdpDataplane dp, Frame frame, Reason expected) {
        Result r = dp.process(frame);
        if (r.reason() != expected || r.verdict() != Verdict.TX) {
            throw new IllegalStateException("setup frame took " + r.reason() + "/" + r.verdict() + ", expected "
                    + expected + "/TX");
        }
        UdpFrame out = UdpFrame.parse(r.output());
        return expected == Reason.EGRESS_REUSED_NAT ? UdpFrame.parse(frame).source().address()
                : out.destination().address();
    }

    /**
     * Runs one case through the wrapper, checks it took the intended path, and returns the
     * kernel's average ns per repetition (whole ns, rounded down by the kernel). The kernel's
     * timer covers the repetitions only: each call also costs a fixed ~25 ms outside it (an XDP
     * test run with repeat > 1 registers the program with the XDP dispatcher and back), which is
     * why no wall-clock figure is derived here.
     */
    int measure(Case c) {
        if (c.dp() == null) {
            wrapper.callPass();
        } else {
            wrapper.call(c.dp().programFd());
        }
        wrapper.frame(c.frame(), c.varyOffset(), c.varyMask());
        Map<Reason, Counter> before = c.dp() == null ? Map.of() : c.dp().counters();
        BenchWrapper.Ctl ctlBefore = wrapper.ctl();
        BpfProgram.TestRun run = wrapper.run(c.repeat());
        BenchWrapper.Ctl ctl = wrapper.ctl().minus(ctlBefore);
        List<String> wrong = new ArrayList<>();
        if (run.retval() != c.verdict().xdpAction()) {
            wrong.add("verdict " + run.retval() + ", expected " + c.verdict() + " (" + c.verdict().xdpAction() + ")");
        }
        if (ctl.runs() != c.repeat() || ctl.refused() != 0 || ctl.tailCallFailures() != 0) {
            wrong.add("wrapper counted " + ctl + ", expected " + c.repeat() + " runs and no failure");
        }
        if (c.dp() != null) {
            Map<Reason, Counter> after = c.dp().counters();
            for (Reason r : Reason.values()) {
                Counter b = before.getOrDefault(r, Counter.ZERO);
                Counter a = after.getOrDefault(r, Counter.ZERO);
                long packets = a.packets() - b.packets();
                long expected = r == c.reason() ? c.repeat() : 0;
                if (packets != expected || a.bytes() - b.bytes() != expected * c.frame().length()) {
                    wrong.add("counter " + r + " moved by " + packets + " frames, expected " + expected);
                }
            }
        }
        if (c.expectedOutput() != null && !Arrays.equals(run.output(), c.expectedOutput().bytes())) {
            wrong.add("output " + Frame.of(run.output()).toHex() + ", expected " + c.expectedOutput().toHex());
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("case '" + c.name() + "' did not take the intended path: " + wrong);
        }
        checks.put(c.name(), c.verdict() + (c.reason() == null ? "" : ", " + c.reason() + " +repeat and no other counter")
                + (c.expectedOutput() == null ? "" : c.reason() == null || c.verdict() == Verdict.PASS
                ? ", output = input" : ", output = one NAT of the input"));
        return run.durationNs();
    }

    private void record(Case c, int s) {
        samples.computeIfAbsent(c.name() + " [repeat " + c.repeat() + "]", k -> new ArrayList<>()).add(s);
    }

    private void print(Limits limits) {
        System.out.println();
        System.out.printf("kernel %s, possible CPUs %s (%d), measuring on CPU %d, %s%n", read("/proc/sys/kernel/osrelease"),
                read("/sys/devices/system/cpu/possible"), wrapper.possibleCpus(), cpu, cpuModel());
        System.out.printf("bpf_jit_enable %s, bpf_stats_enabled %s; frame %d bytes; %d real servers; "
                        + "association table %d entries; %d rounds%n",
                read("/proc/sys/net/core/bpf_jit_enable"), read("/proc/sys/kernel/bpf_stats_enabled"),
                wrapper.frameLength(), REAL_SERVERS, limits.maxAssociations(), rounds);
        System.out.printf("sbulb.bpf.o sha256 %s%n%n", SbulbProgram.objectSha256());
        String header = String.format("%-62s | %-22s | %-10s | %-10s | %s", "case",
                "ns/frame (median of " + rounds + ")", "min..max", "x baseline", "minus baseline");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        List<Integer> base = samples.values().iterator().next(); // the baseline, measured first every round
        for (Map.Entry<String, List<Integer>> e : samples.entrySet()) {
            List<Integer> ns = e.getValue();
            int[] sorted = ns.stream().mapToInt(Integer::intValue).sorted().toArray();
            double[] ratios = new double[ns.size()];
            double[] minus = new double[ns.size()];
            for (int round = 0; round < ns.size(); round++) { // against the baseline of the same round
                ratios[round] = (double) ns.get(round) / base.get(round);
                minus[round] = ns.get(round) - base.get(round);
            }
            System.out.printf("%-62s | %22.1f | %4d..%-4d | %9.2fx | %+.1f%n", e.getKey(), median(sorted),
                    sorted[0], sorted[sorted.length - 1], median(ratios), median(minus));
        }
        System.out.println();
        System.out.println("ns/frame: the kernel's average per repetition (whole ns, rounded down), wrapper work included;");
        System.out.println("x baseline, minus baseline: medians over rounds of the figure against the same round's"
                + " baseline;");
        System.out.println("minus baseline = what the callee costs beyond bench_pass. Varied cases: the wrapper changes the"
                + " source address every frame.");
        System.out.println(REFERENCE);
        System.out.println("paths confirmed on every run:");
        checks.forEach((name, check) -> {
            if (!name.equals("prefill")) {
                System.out.printf("  %-52s %s%n", name, check);
            }
        });
    }

    // ---- frames -------------------------------------------------------------------------

    /** {@code f} with its payload resized so the whole frame is {@code length} bytes. */
    static UdpFrame padded(UdpFrame f, int length) {
        int headers = f.toFrame().length() - f.payload().length;
        if (length < headers) {
            throw new IllegalArgumentException(length + " bytes cannot hold the " + headers + " bytes of headers");
        }
        byte[] payload = Arrays.copyOf(f.payload(), length - headers);
        return f.toBuilder().payload(payload).build();
    }

    /** The expected output of an ingress NAT, built from scratch (checksums in full). */
    static Frame natIngress(UdpFrame in, IpAddress rs) {
        return Expect.dnat(in, rs).toFrame();
    }

    /** The expected output of an egress NAT, built from scratch (checksums in full). */
    static Frame natEgress(UdpFrame out, IpAddress vip) {
        return Expect.snat(out, vip).toFrame();
    }

    /** An IPv4 frame as {@code f} but with protocol TCP (6) and a correct header checksum. */
    static Frame notUdp(UdpFrame f) {
        byte[] b = f.toFrame().bytes();
        int ip = UdpFrame.ETH_HLEN;
        b[ip + 9] = 6;
        b[ip + 10] = 0;
        b[ip + 11] = 0;
        int check = Checksums.ipv4Header(b, ip, 20);
        b[ip + 10] = (byte) (check >>> 8);
        b[ip + 11] = (byte) check;
        return Frame.of(b);
    }

    // ---- helpers ------------------------------------------------------------------------

    private static double median(int[] sorted) {
        return median(Arrays.stream(sorted).asDoubleStream().toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }

    private static int number(String flag, String value, int min) {
        try {
            int v = Integer.parseInt(String.valueOf(value).replace("_", ""));
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " needs a number of at least " + min + ", got " + value);
    }

    private static int lastOnlineCpu() {
        String online = read("/sys/devices/system/cpu/online"); // e.g. "0-1" or "0,2-3"
        String last = online.substring(Math.max(online.lastIndexOf(','), online.lastIndexOf('-')) + 1);
        try {
            return Integer.parseInt(last.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("CPU model unknown");
        } catch (IOException e) {
            return "CPU model unknown";
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
