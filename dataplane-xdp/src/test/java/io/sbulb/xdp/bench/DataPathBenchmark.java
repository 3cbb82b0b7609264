package io.sbulb.xdp.bench;

import io.sbulb.api.Limits;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.XdpDataplane;
import io.sbulb.xdp.bpf.LibC;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the sbulb data path with BPF_PROG_TEST_RUN through the restoring wrapper
 * ({@code src/test/bpf/bench_wrapper.bpf.c}, docs/design.md §4) and prints each case as a
 * ratio to two baselines measured in the same rounds, through the same wrapper: an XDP_PASS
 * program, and a minimal NAT ({@code src/test/bpf/bench_minimal.bpf.c}: one LRU lookup, a
 * destination rewrite with incremental checksums, XDP_TX).
 *
 * <p>Every measured run is checked to have taken the intended path ({@link CaseRunner}). A
 * violated check stops the benchmark: a figure for the wrong path is worse than none.
 *
 * <p>Not a test: nothing here asserts on time. Run it with {@code ci/bench.sh} (root needed).
 * Arguments: {@code [--repeat N] [--rounds N] [--cpu N]}.
 */
public final class DataPathBenchmark {

    /** Clients of the cold-cache hit case: a power of two (the wrapper's mask), ~ the default table. */
    static final int MANY_CLIENTS = 1 << 20;

    private final CaseRunner runner;
    private final BenchCases cases;
    private final int repeat;
    private final int rounds;
    /** Case name -> ns per frame, one sample per round. */
    private final Map<String, int[]> samples = new LinkedHashMap<>();
    private final Map<String, String> checked = new LinkedHashMap<>();

    private DataPathBenchmark(CaseRunner runner, BenchCases cases, int repeat, int rounds) {
        this.runner = runner;
        this.cases = cases;
        this.repeat = repeat;
        this.rounds = rounds;
    }

    public static void main(String[] args) {
        int repeat = 2_000_000;
        int rounds = 5;
        int cpu = BenchReport.lastOnlineCpu();
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
        long start = System.nanoTime();
        LibC.pinCurrentThread(cpu);
        try (BenchWrapper w = BenchWrapper.load();
             BenchCases cases = new BenchCases(w, Limits.DEFAULT, MANY_CLIENTS, repeat, cpu)) {
            DataPathBenchmark b = new DataPathBenchmark(new CaseRunner(w), cases, repeat, rounds);
            b.run();
            new BenchReport(cases, b.samples, b.checked, rounds, cpu, w.frameLength(), w.possibleCpus()).print();
        }
        System.out.printf("XDP part took %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private void run() {
        for (BenchCases.Case c : cases.prefill()) {
            measure(c);
        }
        System.out.printf("association table after prefill: %d of %d entries%n", cases.fullTableEntries(),
                cases.limits().maxAssociations());
        for (int round = 0; round < rounds; round++) {
            for (BenchCases.Case c : cases.fixed()) {
                record(c, round, measure(c));
            }
            // A table with room: a fresh program each round, filled at most half.
            try (XdpDataplane room = cases.roomDataplane()) {
                BenchCases.Case c = cases.newWithRoom(room, repeat);
                record(c, round, measure(c));
            }
        }
    }

    private int measure(BenchCases.Case c) {
        CaseRunner.Outcome o = runner.run(c);
        if (!o.wrongPath().isEmpty()) {
            throw new IllegalStateException("case '" + c.name() + "' did not take the intended path: " + o.wrongPath());
        }
        return o.durationNs();
    }

    private void record(BenchCases.Case c, int round, int ns) {
        samples.computeIfAbsent(c.name(), k -> new int[rounds])[round] = ns;
        checked.put(c.name(), "[repeat " + c.repeat() + "] " + CaseRunner.checked(c));
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
