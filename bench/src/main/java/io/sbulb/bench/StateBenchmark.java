package io.sbulb.bench;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.lab.Commands;
import io.sbulb.lab.Lab;
import io.sbulb.lab.LabOptions;
import io.sbulb.xdp.SbulbAbi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What happens to traffic and to a full association table when sbulb's process goes and comes
 * back (issue 14): sbulb on the lab's balancer with {@code -ma 1048576}, its state pinned on the
 * host's bpffs, the table filled with 1,000,000 associations through its pinned map (the ABI's
 * layout) beside the generator's 1,000 live clients, then, under a steady load, in rounds: no
 * event (the baseline), SIGKILL and a new start (a crash), SIGTERM with --on-exit keep and a new
 * start (a restart). Each time: frames sent and counted at the sink (lost), frames counted at
 * another real server than their client's, the live clients whose association changed, the
 * table's size and content before and after, and how long the process took to go and to take
 * the data path over ({@link TimedSbulb}).
 *
 * <p>Bounded: every load is bounded in frames and seconds, the run by the calling script's
 * timeout. It prints figures; it asserts nothing on time ({@link StateReport}). Run it with
 * {@code ci/bench.sh --only state} (root).
 */
public final class StateBenchmark {

    private static final BenchArgs ARGS = new BenchArgs("StateBenchmark");

    private StateBenchmark() {
    }

    /** The run's settings. */
    record Settings(int rounds, double pps, int batch, double seconds, double eventAfter, int associations,
                    int maxAssociations, int clients, int genCpu, int lbCpu, Path out) {
    }

    /** The events measured, each under the same load. */
    enum Event {
        NONE("no event (baseline)"),
        KILL("SIGKILL, then a new start"),
        KEEP("SIGTERM with --on-exit keep, then a new start");

        final String words;

        Event(String words) {
            this.words = words;
        }
    }

    /** One event in one round. Times in ns; -1 where the event has none. */
    record Measure(Event event, int round, LoadRig.Step step, long atOtherServer, int liveMoved, int liveMissing,
                   PinnedTable.Digest before, PinnedTable.Digest after, long signalNs, long signalToExit,
                   TimedSbulb next, long nextRssKb) {
        long lost() {
            return Math.max(0, step.sent() - step.delivered());
        }

        /** From the signal to the next sbulb's running line (READY=1 sent just before), ns. */
        long signalToRunning() {
            return next == null ? -1 : next.startNs() + next.at(TimedSbulb.RUNNING) - signalNs;
        }
    }

    public static void main(String[] args) throws IOException {
        Settings s = parse(args);
        if (!Machine.HOST.root()) {
            ARGS.fail("the state benchmark needs root: it makes network namespaces and loads XDP programs");
        }
        if (Commands.run(List.of("sh", "-c", "command -v bpftool"), true).exitCode() != 0) {
            ARGS.fail("bpftool is missing: ci/install-deps.sh --bench installs what the benchmarks need");
        }
        Path work = Files.createTempDirectory("sbulb-state-bench");
        Files.createDirectories(s.out());
        long start = System.nanoTime();
        StateReport report = new StateReport(s);
        try (LoadRig rig = LoadRig.create(3, s.genCpu(), s.lbCpu(), s.clients(), 128, LabOptions.DEFAULT.withHostPins())) {
            Lab lab = rig.lab();
            report.generator(rig.generator());
            List<IpAddress> servers = new ArrayList<>();
            for (int i = 1; i <= lab.realServerCount(); i++) {
                servers.add(lab.realServer(i));
            }
            TimedSbulb sbulb = TimedSbulb.start(lab, arguments(lab, s), work, 60);
            try {
                report.firstStart(sbulb);
                List<Long> napi = rig.pinBalancer();
                rig.load(s.pps(), 0.5, napi, s.batch()); // every live client once at least: their associations
                try (PinnedTable table = PinnedTable.open(lab.pinDir())) {
                    long t0 = System.nanoTime();
                    table.fill(s.associations(), servers);
                    report.filled(System.nanoTime() - t0, table.digest());
                    for (int round = 0; round < s.rounds(); round++) {
                        for (Event e : Event.values()) {
                            System.out.printf("round %d/%d: %s%n", round + 1, s.rounds(), e.words);
                            Measure m = measure(rig, table, e, round, sbulb, s, work, napi);
                            if (m.next() != null) {
                                sbulb = m.next();
                            }
                            report.add(m);
                            System.out.println("  " + StateReport.describe(m));
                        }
                    }
                }
            } finally {
                sbulb.close(); // SIGTERM: --on-exit keep leaves the data path, which the lab's close removes
            }
        }
        report.print(System.out, (System.nanoTime() - start) / 1e9);
        report.write(s.out());
        System.out.println("written: " + s.out().resolve("state-results.md"));
    }

    /** sbulb's command line: the lab's three real servers, the table's size, the state pinned on the host, kept at a stop. */
    static List<String> arguments(Lab lab, Settings s) {
        List<String> args = new ArrayList<>(List.of(Lab.LB_INTERFACE, "-vs", Lab.VIP.toString()));
        args.addAll(SbulbBalancer.allServers(lab));
        args.addAll(List.of("-p", Integer.toString(Balancer.PORT), "-ma", Integer.toString(s.maxAssociations()),
                "--on-exit", "keep"));
        args.addAll(lab.pinDirArgs());
        return args;
    }

    /**
     * Offers the load from another thread, runs the event {@code eventAfter} seconds into it,
     * then reads what the sink counted and what the table holds against what it held before.
     */
    private static Measure measure(LoadRig rig, PinnedTable table, Event event, int round, TimedSbulb running,
                                   Settings s, Path work, List<Long> napi) {
        Map<Integer, byte[]> before = table.lookup(Lab.CLIENT, LoadRig.BASE_PORT, s.clients());
        PinnedTable.Digest digestBefore = table.digest();
        CompletableFuture<LoadRig.Step> load = CompletableFuture.supplyAsync(
                () -> rig.load(s.pps(), s.seconds(), napi, s.batch()));
        Pause.ms((long) (s.eventAfter() * 1000));
        long signalToExit = -1;
        long signalNs = System.nanoTime();
        TimedSbulb next = null;
        if (event != Event.NONE) {
            signalToExit = running.stop(event == Event.KILL);
            next = TimedSbulb.start(rig.lab(), arguments(rig.lab(), s), work, 60);
        }
        LoadRig.Step step = load.join();
        long rss = next == null ? -1 : Machine.HOST.rssKb(next.pid());
        Map<Integer, byte[]> after = table.lookup(Lab.CLIENT, LoadRig.BASE_PORT, s.clients());
        long missing = after.values().stream().filter(v -> v == null).count();
        return new Measure(event, round, step, atOtherServer(step, before, s.clients(), table::server),
                PinnedTable.changed(before, after), (int) missing, digestBefore, table.digest(), signalNs, signalToExit,
                next, rss);
    }

    /**
     * Frames the sink counted at a real server beyond what that server's clients sent (per the
     * table before the event): frames that went to another server than their client's. The
     * generator sends its clients in turn from the first port on, so client c sent
     * {@code sent / clients} frames, one more for the first {@code sent % clients}.
     */
    static long atOtherServer(LoadRig.Step step, Map<Integer, byte[]> owners, int clients,
                              java.util.function.Function<byte[], IpAddress> serverOf) {
        long[] expected = new long[256];
        int c = 0;
        for (Map.Entry<Integer, byte[]> e : owners.entrySet()) {
            if (e.getValue() != null) {
                byte[] address = serverOf.apply(e.getValue()).bytes();
                expected[address[address.length - 1] & 0xff] += step.sent() / clients + (c < step.sent() % clients ? 1 : 0);
            }
            c++;
        }
        long other = 0;
        for (Map.Entry<Integer, Sink.Count> e : step.perServer().entrySet()) {
            other += Math.max(0, e.getValue().frames() - expected[e.getKey()]);
        }
        return other;
    }

    private static Settings parse(String[] args) {
        int rounds = 3;
        double pps = 50e3;
        int batch = 8;
        double seconds = 8;
        double eventAfter = 1.5;
        int associations = 1_000_000;
        int ma = 1 << 20;
        int clients = 1000;
        int genCpu = 0;
        int lbCpu = 1;
        Path out = Path.of("bench/target/state");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rounds" -> rounds = (int) ARGS.number(args[i], v, 1, 20);
                case "--pps" -> pps = ARGS.number(args[i], v, 1000, 2e6);
                case "--batch" -> batch = (int) ARGS.number(args[i], v, 1, 64);
                case "--seconds" -> seconds = ARGS.number(args[i], v, 2, 60);
                case "--event-after" -> eventAfter = ARGS.number(args[i], v, 0.1, 30);
                case "--associations" -> associations = (int) ARGS.number(args[i], v, 0, 1 << 20);
                case "--ma" -> ma = (int) ARGS.number(args[i], v, 1024, 1 << 26);
                case "--clients" -> clients = (int) ARGS.number(args[i], v, 1, 40000);
                case "--gen-cpu" -> genCpu = (int) ARGS.number(args[i], v, 0, 1023);
                case "--lb-cpu" -> lbCpu = (int) ARGS.number(args[i], v, 0, 1023);
                case "--out" -> out = Path.of(v == null ? "" : v);
                default -> ARGS.fail("unknown argument " + args[i] + " (accepted: --rounds N, --pps PPS, --seconds S, "
                        + "--batch N, --event-after S, --associations N, --ma N, --clients N, --gen-cpu N, --lb-cpu N, --out DIR)");
            }
            i++;
        }
        if (genCpu == lbCpu) {
            ARGS.fail("the generator and the balancer need CPUs of their own; both are " + genCpu);
        }
        if (associations + clients > ma) {
            ARGS.fail(associations + " associations and " + clients + " live clients do not fit in -ma " + ma);
        }
        if (eventAfter >= seconds) {
            ARGS.fail("the event (--event-after " + eventAfter + ") must come within the load (--seconds " + seconds + ")");
        }
        return new Settings(rounds, pps, batch, seconds, eventAfter, associations, ma, clients, genCpu, lbCpu, out);
    }
}
