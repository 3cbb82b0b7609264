package io.sbulb.bench;

import io.sbulb.lab.Bpftool;
import io.sbulb.lab.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The end-to-end benchmark in the namespace lab (issue 6, items 3 to 5; issue 12, item 3): sbulb
 * against nftables DNAT with conntrack, nginx's UDP stream proxy and the limit, the data-path
 * benchmark's minimal XDP NAT attached as sbulb is, with the same generator, sink and real
 * servers, in alternating rounds. Per balancer and round: the balancer core's CPU time per
 * packet at a fixed load, delivered packets and loss at each offered load, request/response
 * round trips between real sockets. Then sbulb's memory and control-plane latencies.
 *
 * <p>Bounded: every load step is bounded in frames and seconds, the whole run by the calling
 * script's timeout. Nothing here asserts on time: it prints figures and ratios ({@link LabReport}).
 * Run it with {@code ci/bench.sh --only lab} (root), which pins this JVM to the generator's core.
 */
public final class LabBenchmark {

    private static final BenchArgs ARGS = new BenchArgs("LabBenchmark");

    private LabBenchmark() {
    }

    /** The run's settings. */
    record Settings(int rounds, double stepSeconds, List<Double> loads, List<Double> cpuLoads,
                    int clients, int frameLength, int rttExchanges, int genCpu, int lbCpu, int configChanges,
                    List<String> balancers, Path out) {
    }

    public static void main(String[] args) throws IOException {
        Settings s = parse(args);
        Machine host = Machine.HOST;
        if (!host.root()) {
            ARGS.fail("the lab benchmark needs root: it makes network namespaces and loads XDP programs");
        }
        for (String tool : List.of("nft", "nginx", "bpftool", "taskset", "chrt")) {
            if (Commands.run(List.of("sh", "-c", "command -v " + tool), true).exitCode() != 0) {
                ARGS.fail(tool + " is missing: ci/install-deps.sh --bench installs what the lab benchmark needs");
            }
        }
        if (s.balancers().contains("nginx") && !host.exists(NginxBalancer.MODULE)) {
            ARGS.fail(NginxBalancer.MODULE + " is missing (Debian's libnginx-mod-stream)");
        }
        // a missing cpuidle is no reason to refuse: the report says how the core's busy time was read
        System.out.println("the balancer core's busy time: " + CpuMeter.source(host, s.lbCpu()));
        String allowed = host.cpusAllowed();
        if (!allowed.equals(Integer.toString(s.genCpu()))) {
            ARGS.fail("run this JVM pinned to the generator's CPU " + s.genCpu() + " (taskset -c " + s.genCpu()
                    + "), so that nothing of the rig runs on the balancer's CPU " + s.lbCpu() + "; it may run on " + allowed);
        }
        Files.createDirectories(s.out());
        Path work = Files.createTempDirectory("sbulb-lab-bench");
        long start = System.nanoTime();
        LabReport report = new LabReport(s);
        try (LoadRig rig = LoadRig.create(3, s.genCpu(), s.lbCpu(), s.clients(), s.frameLength())) {
            report.rig(rig.generator(), rig.busyMeter());
            System.out.println("generator: " + rig.generator());
            Map<String, Supplier<Balancer>> balancers = new LinkedHashMap<>();
            balancers.put("sbulb", () -> new SbulbBalancer(rig.lab(), work, SbulbBalancer.allServers(rig.lab())));
            balancers.put("nftables", () -> new NftablesBalancer(rig.lab(), work));
            balancers.put("nginx", () -> new NginxBalancer(rig.lab(), work, s.lbCpu()));
            balancers.put("minimal-nat", () -> new MinimalNatBalancer(rig.lab(), LoadRig.BASE_PORT, s.clients()));
            List<String> names = s.balancers();
            for (String n : names) {
                if (!balancers.containsKey(n)) {
                    ARGS.fail("unknown balancer " + n + " (known: " + String.join(", ", balancers.keySet()) + ")");
                }
            }
            for (int round = 0; round < s.rounds(); round++) {
                for (int k = 0; k < names.size(); k++) {
                    String name = names.get((k + round) % names.size()); // each round starts with the next one
                    System.out.printf("round %d/%d: %s%n", round + 1, s.rounds(), name);
                    try (Balancer b = balancers.get(name).get()) {
                        report.add(runOne(rig, b, s, round));
                    }
                }
            }
            if (names.contains("sbulb") && s.configChanges() > 0) {
                System.out.println("control plane: -cfg changes");
                report.configLatencies(ControlPlane.configChangeLatencies(rig, work, s.configChanges(), 20_000));
            }
        }
        report.print(System.out, (System.nanoTime() - start) / 1e9);
        report.write(s.out());
        System.out.println("written: " + s.out().resolve("lab-results.md") + ", " + s.out().resolve("lab-load.png")
                + ", " + s.out().resolve("lab-steps.csv"));
    }

    private static LabReport.Run runOne(LoadRig rig, Balancer b, Settings s, int round) {
        b.start();
        List<Long> napi = rig.pinBalancer();
        List<Long> tasks = new ArrayList<>(napi);
        tasks.addAll(b.userTasks());
        LabReport.Run run = new LabReport.Run(b.name(), b.description(), round);
        if (b instanceof SbulbBalancer sb) {
            run.readyNs = sb.readyNs();
        }
        rig.load(100_000, 0.3, tasks); // every client once at least: associations, conntrack, sessions
        run.idleBusy = rig.idleBusy(1.0);
        for (double pps : s.loads()) {
            LoadRig.Step step = rig.load(pps, s.stepSeconds(), tasks);
            run.steps.add(step);
            System.out.printf("  %s%n", LabReport.describe(step, run.idleBusy));
        }
        if (b.carriesReplies()) {
            run.rtt = rig.rtt(s.rttExchanges(), 100, 8);
            System.out.printf("  rtt p50 %.1f us, p99 %.1f us, %d lost%n", run.rtt.percentileUs(50),
                    run.rtt.percentileUs(99), run.rtt.lost());
        }
        if (b instanceof SbulbBalancer sb) {
            run.maps = Bpftool.maps(sb.programId());
            run.rssKb = Machine.HOST.rssKb(sb.pid());
        }
        return run;
    }

    private static Settings parse(String[] args) {
        int rounds = 3;
        double step = 2;
        List<Double> loads = List.of(50e3, 100e3, 200e3, 300e3, 400e3, 500e3, 700e3, 1e6, 1.5e6, 2e6, 0.0);
        List<Double> cpuLoads = List.of(50e3, 200e3);
        int clients = 1000;
        int frame = 128;
        int rtt = 2000;
        int cpus = Machine.HOST.onlineCpus();
        int genCpu = 0;
        int lbCpu = 1;
        int changes = 5;
        List<String> balancers = List.of("sbulb", "nftables", "nginx", "minimal-nat");
        Path out = Path.of("bench/target/lab");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rounds" -> rounds = (int) ARGS.number(args[i], v, 1, 100);
                case "--step-seconds" -> step = ARGS.number(args[i], v, 0.1, 60);
                case "--loads" -> loads = loads(v);
                case "--cpu-loads" -> cpuLoads = loads(v);
                case "--clients" -> clients = (int) ARGS.number(args[i], v, 1, 40000);
                case "--frame" -> frame = (int) ARGS.number(args[i], v, 60, 1500);
                case "--rtt" -> rtt = (int) ARGS.number(args[i], v, 10, 1_000_000);
                case "--gen-cpu" -> genCpu = (int) ARGS.number(args[i], v, 0, 1023);
                case "--lb-cpu" -> lbCpu = (int) ARGS.number(args[i], v, 0, 1023);
                case "--config-changes" -> changes = (int) ARGS.number(args[i], v, 0, 100);
                case "--balancers" -> balancers = List.of((v == null ? "" : v).split(","));
                case "--out" -> out = Path.of(v == null ? "" : v);
                default -> ARGS.fail("unknown argument " + args[i] + " (accepted: --rounds N, --step-seconds S, "
                        + "--loads PPS,PPS,...,0 (0: as fast as the generator goes), "
                        + "--cpu-loads PPS,... (of --loads), --clients N, --frame BYTES, --rtt N, --gen-cpu N, --lb-cpu N, "
                        + "--config-changes N, --balancers sbulb,nftables,nginx,minimal-nat, --out DIR)");
            }
            i++;
        }
        if (genCpu == lbCpu) {
            ARGS.fail("the generator and the balancer need CPUs of their own; both are " + genCpu);
        }
        if (cpus < 2) {
            ARGS.fail("the lab benchmark needs 2 CPUs (the generator's and the balancer's); this machine has " + cpus);
        }
        for (double l : cpuLoads) {
            if (l == 0 || !loads.contains(l)) {
                ARGS.fail("--cpu-loads " + l + " is not one of the --loads steps " + loads);
            }
        }
        return new Settings(rounds, step, loads, cpuLoads, clients, frame, rtt, genCpu, lbCpu, changes, balancers, out);
    }

    private static List<Double> loads(String v) {
        if (v == null || v.isBlank()) {
            ARGS.fail("--loads needs a list of frame rates, e.g. 100000,200000,0");
        }
        List<Double> l = new ArrayList<>();
        for (String p : v.split(",")) {
            l.add(ARGS.number("--loads", p.strip(), 0, 50e6));
        }
        return l;
    }
}
