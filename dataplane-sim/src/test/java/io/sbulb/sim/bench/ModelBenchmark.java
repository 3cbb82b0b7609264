package io.sbulb.sim.bench;

import io.sbulb.api.Counter;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Expect;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.sim.ReferenceDataplane;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Frames per second of the reference model ({@link ReferenceDataplane#process}) on one core: a
 * hand-written harness in the manner of JMH, without adding it to the build (the benchmark must
 * run offline from the reactor, like the XDP part of {@code ci/bench.sh}).
 *
 * <ul>
 *   <li>One core: {@code ci/bench.sh} starts this JVM under {@code taskset -c CPU}, so the
 *       measuring thread, the JIT compilers and the GC share that core, as the model would.</li>
 *   <li>Warm-up: every case runs {@code --warmup} timed iterations, the cases interleaved, before
 *       any is measured, so the code the JIT compiles has seen every path (one process() serves
 *       them all) and no case is measured before a later one deoptimises it.</li>
 *   <li>Measured: {@code --iterations} rounds of one timed iteration per case, interleaved, so a
 *       drift of the machine touches every case alike; mean, standard deviation, min and max of
 *       the iterations' frames per second.</li>
 *   <li>Nothing is optimised away: every result's verdict and an output byte feed a sink that is
 *       published to a volatile field after every iteration (a blackhole); process() also
 *       writes the model's counters and association table.</li>
 *   <li>Paths checked, as in the XDP part: each case's first frame gives the verdict, reason and
 *       output bytes expected (the output against a frame built from scratch); after the run each
 *       case's reason counter moved by exactly the frames it sent, and no other counter.</li>
 * </ul>
 *
 * <p>Arguments: {@code [--warmup N] [--iterations N] [--iteration-ms N] [--table N]}.
 */
public final class ModelBenchmark {

    /** Bytes of every frame, as in the XDP part (BENCH_FRAME_LEN). */
    static final int FRAME_LENGTH = 128;
    static final int REAL_SERVERS = 4;
    /** Frames between two reads of the clock. */
    private static final int BATCH = 256;

    /** The blackhole's publication. */
    static volatile long published;

    /** One workload: its own model, frames sent in turn, and the path they must take. */
    static final class Case {
        final String name;
        final ReferenceDataplane dp;
        final Frame[] frames;
        final Verdict verdict;
        final Reason reason;
        /** The model's counters when measuring began, and the frames sent since. */
        Map<Reason, Counter> baseline = Map.of();
        long sent;
        int next;
        final List<Double> warmup = new ArrayList<>();
        final List<Double> measured = new ArrayList<>();

        Case(String name, ReferenceDataplane dp, Frame[] frames, Verdict verdict, Reason reason) {
            this.name = name;
            this.dp = dp;
            this.frames = frames;
            this.verdict = verdict;
            this.reason = reason;
        }

        /** Runs frames for at least {@code nanos}; returns frames per second. */
        double iterate(long nanos) {
            long frames = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                send(BATCH);
                frames += BATCH;
                elapsed = System.nanoTime() - start;
            } while (elapsed < nanos);
            return frames * 1e9 / elapsed;
        }

        /** Sends the next {@code count} frames of the case, in turn; the results go to the blackhole. */
        void send(int count) {
            long sink = 0;
            for (int i = 0; i < count; i++) {
                Result r = dp.process(frames[next]);
                next = next + 1 == frames.length ? 0 : next + 1;
                sink += r.verdict().ordinal() + r.output().byteAt(30);
            }
            published += sink;
            sent += count;
        }
    }

    public static void main(String[] args) {
        int warmup = 5;
        int iterations = 5;
        int iterationMs = 500;
        int table = 1 << 16;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--warmup" -> warmup = number(args[i], value, 0);
                case "--iterations" -> iterations = number(args[i], value, 1);
                case "--iteration-ms" -> iterationMs = number(args[i], value, 10);
                case "--table" -> table = number(args[i], value, 16);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (accepted: --warmup N, --iterations N, --iteration-ms N, --table N)");
            }
            i++;
        }
        long start = System.nanoTime();
        Limits limits = Limits.DEFAULT.withMaxAssociations(table);
        List<Case> cases = cases(limits);
        long gcCount0 = gcCount();
        long gcMs0 = gcMillis();
        long nanos = iterationMs * 1_000_000L;
        for (int it = 0; it < warmup; it++) {
            for (Case c : cases) {
                c.warmup.add(c.iterate(nanos));
            }
        }
        long gcCount1 = gcCount();
        long gcMs1 = gcMillis();
        for (int it = 0; it < iterations; it++) {
            for (Case c : cases) {
                c.measured.add(c.iterate(nanos));
            }
        }
        long gcCount2 = gcCount();
        long gcMs2 = gcMillis();
        for (Case c : cases) {
            checkCounters(c);
        }
        print(cases, limits, warmup, iterations, iterationMs, gcCount2 - gcCount1, gcMs2 - gcMs1,
                gcCount1 - gcCount0, gcMs1 - gcMs0);
        System.out.printf("model part took %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** The four workloads, each with its first frame checked against the expected path. */
    static List<Case> cases(Limits limits) {
        Net n = Net.V4;
        List<Case> cases = new ArrayList<>();

        ReferenceDataplane hit = model(limits);
        UdpFrame in = padded(n.toVip(n.client(0)));
        IpAddress rs = UdpFrame.parse(check(hit, in.toFrame(), Verdict.TX, Reason.INGRESS_NEW_NAT, null).output())
                .destination().address();
        check(hit, in.toFrame(), Verdict.TX, Reason.INGRESS_REUSED_NAT, Expect.dnat(in, rs).toFrame());
        cases.add(new Case("ingress hit v4", hit, new Frame[] {in.toFrame()}, Verdict.TX, Reason.INGRESS_REUSED_NAT));

        // Four times as many clients as the table holds, in turn: each comes back long after the
        // table evicted it, so every frame makes a new association and evicts.
        ReferenceDataplane fresh = model(limits);
        Frame[] clients = new Frame[4 * limits.maxAssociations()];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = padded(n.toVip(client(i))).toFrame();
        }
        check(fresh, clients[0], Verdict.TX, Reason.INGRESS_NEW_NAT, null);
        Frame[] rest = Arrays.copyOfRange(clients, 1, clients.length);
        cases.add(new Case("ingress new association v4 (table of " + limits.maxAssociations() + ", evicts)",
                fresh, rest, Verdict.TX, Reason.INGRESS_NEW_NAT));

        ReferenceDataplane egress = model(limits);
        in = padded(n.toVip(n.client(0)));
        rs = UdpFrame.parse(check(egress, in.toFrame(), Verdict.TX, Reason.INGRESS_NEW_NAT, null).output())
                .destination().address();
        UdpFrame out = padded(n.fromServer(rs, n.client(0)));
        check(egress, out.toFrame(), Verdict.TX, Reason.EGRESS_REUSED_NAT, Expect.snat(out, n.vip).toFrame());
        cases.add(new Case("egress hit v4 (owner replies)", egress, new Frame[] {out.toFrame()}, Verdict.TX,
                Reason.EGRESS_REUSED_NAT));

        ReferenceDataplane unbalanced = model(limits);
        Frame other = padded(UdpFrame.builder().source(n.client(0)).destination(n.vip, Net.OTHER_PORT)
                .payload("hello".getBytes()).build()).toFrame();
        check(unbalanced, other, Verdict.PASS, Reason.INGRESS_UNHANDLED_PORT, other);
        cases.add(new Case("unbalanced port v4 (passed)", unbalanced, new Frame[] {other}, Verdict.PASS,
                Reason.INGRESS_UNHANDLED_PORT));
        for (Case c : cases) { // from here on the counters count the benchmark's frames only
            c.baseline = c.dp.counters();
        }
        return cases;
    }

    private static ReferenceDataplane model(Limits limits) {
        ReferenceDataplane dp = new ReferenceDataplane(limits);
        dp.configure(Net.V4.config(REAL_SERVERS));
        return dp;
    }

    /** Client i of many: 198.19.0.0/16 (never a VIP or server of Net.V4), then the next port. */
    static Endpoint client(int i) {
        return new Endpoint(IpAddress.of(new byte[] {(byte) 198, 19, (byte) (i >>> 8), (byte) i}),
                Net.CLIENT_PORT + (i >>> 16));
    }

    private static Result check(ReferenceDataplane dp, Frame f, Verdict verdict, Reason reason, Frame output) {
        Result r = dp.process(f);
        if (r.verdict() != verdict || r.reason() != reason || output != null && !r.output().equals(output)) {
            throw new IllegalStateException("setup frame took " + r.verdict() + "/" + r.reason() + " with output "
                    + r.output().toHex() + ", expected " + verdict + "/" + reason
                    + (output == null ? "" : " with output " + output.toHex()));
        }
        return r;
    }

    static void checkCounters(Case c) {
        Map<Reason, Counter> after = c.dp.counters();
        for (Reason r : Reason.values()) {
            long moved = after.getOrDefault(r, Counter.ZERO).packets() - c.baseline.getOrDefault(r, Counter.ZERO).packets();
            long expected = r == c.reason ? c.sent : 0;
            if (moved != expected) {
                throw new IllegalStateException("case '" + c.name + "' did not take the intended path: counter " + r
                        + " moved by " + moved + ", expected " + expected);
            }
        }
    }

    private static void print(List<Case> cases, Limits limits, int warmup, int iterations, int iterationMs,
                              long gcs, long gcMs, long warmupGcs, long warmupGcMs) {
        System.out.println();
        System.out.printf("reference model (io.sbulb.sim.ReferenceDataplane.process), %s %s, %d CPU(s) visible to the JVM"
                        + " (taskset), GC %s, max heap %d MiB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), gcNames(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("frame %d bytes; %d real servers; %d warm-up and %d measured iterations of %d ms per case,"
                + " cases interleaved%n%n", FRAME_LENGTH, REAL_SERVERS, warmup, iterations, iterationMs);
        String header = String.format("%-52s | %13s | %-9s | %-23s | %s", "case (model, one core)", "frames/s mean",
                "± stddev", "min..max", "ns/frame");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Case c : cases) {
            double[] v = c.measured.stream().mapToDouble(Double::doubleValue).toArray();
            double mean = Arrays.stream(v).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1));
            System.out.printf("%-52s | %13s | ± %5.1f %% | %10s..%-11s | %8.0f%n", c.name, thousands(mean),
                    100 * sd / mean, thousands(Arrays.stream(v).min().orElseThrow()),
                    thousands(Arrays.stream(v).max().orElseThrow()), 1e9 / mean);
        }
        System.out.println();
        System.out.printf("GC during the measured iterations: %d collections, %d ms (warm-up: %d, %d ms)%n", gcs, gcMs,
                warmupGcs, warmupGcMs);
        System.out.println("paths confirmed: each case's setup frame gave the expected verdict, reason and output (built"
                + " from scratch); every measured and warm-up frame moved its reason counter, and no other");
    }

    // ---- helpers ------------------------------------------------------------------------

    static UdpFrame padded(UdpFrame f) {
        int headers = f.toFrame().length() - f.payload().length;
        return f.toBuilder().payload(Arrays.copyOf(f.payload(), FRAME_LENGTH - headers)).build();
    }

    private static String thousands(double v) {
        return String.format("%,.0f", v);
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static String gcNames() {
        return String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
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
}
