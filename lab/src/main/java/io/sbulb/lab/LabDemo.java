package io.sbulb.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The balancer at work, for a newcomer: builds the namespace {@link Lab}, runs the real
 * {@code sbulb} command attached to the load balancer's veth, sends real UDP from 60 client
 * ports to echo servers behind the virtual server, shows what went where, lets a real server
 * start a conversation, changes the real-server file live, stops sbulb with SIGTERM, and removes
 * everything it created, also when interrupted (Ctrl-C). Needs root.
 */
public final class LabDemo {

    private static final int PORT = 5683;
    private static final int CLIENTS = 60;
    private static final int REQUESTS = 5;
    private static final Duration REPLY = Duration.ofSeconds(2);
    private static final PrintStream OUT = System.out;

    private final Lab lab;
    private final Path dir;
    private final List<EchoServer> servers = new ArrayList<>();
    private final List<LabClient> clients = new ArrayList<>();
    private final InetSocketAddress vip;
    private int sequence;

    private LabDemo(Lab lab, Path dir) throws IOException {
        this.lab = lab;
        this.dir = dir;
        this.vip = new InetSocketAddress(InetAddress.getByName(Lab.VIP.toString()), PORT);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sbulb-demo");
        OUT.println("== Building the lab: a client, 3 real servers and a load balancer in network namespaces");
        List<AutoCloseable> toClose = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread cleanup = new Thread(() -> {
            closeAll(toClose);
            deleteTree(dir);
        }, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C or SIGTERM: stop sbulb, delete the namespaces
        int status;
        try {
            Lab lab = Lab.create("sbdemo" + ProcessHandle.current().pid(), 3);
            toClose.add(lab);
            status = new LabDemo(lab, dir).run(toClose);
        } finally {
            closeAll(toClose);
            Runtime.getRuntime().removeShutdownHook(cleanup);
            deleteTree(dir);
        }
        OUT.println("\n== Lab removed: its namespaces are deleted");
        System.exit(status);
    }

    private int run(List<AutoCloseable> toClose) throws Exception {
        OUT.println("   client " + Lab.CLIENT + ", real servers " + lab.realServer(1) + " " + lab.realServer(2) + " "
                + lab.realServer(3) + ", virtual server " + Lab.VIP + ":" + PORT + ", balancer on "
                + lab.lbNetns() + "/" + Lab.LB_INTERFACE);
        for (int i = 1; i <= 3; i++) {
            EchoServer s = EchoServer.start("rs" + i, lab.realServerNetns(i), PORT);
            servers.add(s);
            toClose.add(0, s);
        }
        Path cfg = dir.resolve("real-servers.cfg");
        lab.writeRealServerFile(cfg, 1, 2, 3);
        NotifyListener notify = new NotifyListener(dir.resolve("notify.sock"));
        toClose.add(0, notify);
        List<String> args = List.of(Lab.LB_INTERFACE, "-vs", Lab.VIP.toString(), "-cfg", cfg.toString(),
                "-p", String.valueOf(PORT));
        OUT.println("\n== Starting: sbulb " + String.join(" ", args));
        SbulbProcess sbulb = SbulbProcess.start(lab.lbNetns(), args, notify.address(), dir);
        toClose.add(0, sbulb);
        Optional<String> ready = notify.await(m -> m.contains("READY=1"), Duration.ofSeconds(60));
        if (ready.isEmpty()) {
            OUT.println("sbulb did not become ready:\n" + sbulb);
            return 1;
        }
        OUT.println(indent(sbulb.out()));
        OUT.println("   systemd would have received: " + ready.get().replace("\n", " "));
        Bpftool.Xdp xdp = Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE).orElseThrow();
        OUT.println("   bpftool: XDP program " + xdp.id() + " (" + Bpftool.programName(xdp.id()) + ") on "
                + Lab.LB_INTERFACE + " in " + xdp.mode() + " mode");

        OUT.println("\n== " + CLIENTS + " client ports send " + REQUESTS + " datagrams each to " + Lab.VIP + ":" + PORT);
        for (int p = 0; p < CLIENTS; p++) {
            LabClient c = LabClient.open(lab.clientNetns(), 40000 + p);
            clients.add(c);
            toClose.add(0, c);
        }
        Map<Integer, String> owners = traffic();
        printSpread(owners);
        OUT.println("   a few associations, as bpftool reads them from the kernel's table:");
        List<Bpftool.Association> table = new ArrayList<>(Bpftool.associations(xdp.id()));
        table.sort(Comparator.comparing(Bpftool.Association::peer));
        table.stream().limit(6).forEach(a -> OUT.println("     " + a.peer() + " -> " + a.realServer()));
        OUT.println("     ... " + table.size() + " in all");

        OUT.println("\n== A real server starts a conversation: rs2 sends to a client port nobody used yet");
        LabClient newcomer = LabClient.open(lab.clientNetns(), 41000);
        toClose.add(0, newcomer);
        servers.get(1).send(new InetSocketAddress(InetAddress.getByName(Lab.CLIENT.toString()), 41000), "hello");
        Optional<LabClient.Reply> hello = newcomer.receive(REPLY);
        OUT.println("   the client received " + hello.map(r -> "'" + r.text() + "' from "
                + r.from().getAddress().getHostAddress() + ":" + r.from().getPort()).orElse("nothing"));
        Optional<LabClient.Reply> back = newcomer.exchange(vip, "reply-" + (++sequence), REPLY);
        OUT.println("   it answers the virtual server, and reaches " + back.map(LabClient.Reply::server).orElse("nobody"));

        OUT.println("\n== The real-server file changes while sbulb runs: rs2 leaves");
        lab.writeRealServerFile(cfg, 1, 3);
        long t0 = System.nanoTime();
        Optional<String> applied = notify.await(m -> m.contains("over 2 real servers"), Duration.ofSeconds(5));
        OUT.println("   applied after " + (System.nanoTime() - t0) / 1_000_000 + " ms; systemd status: "
                + applied.map(m -> m.replace("\n", " ")).orElse("(none)"));
        OUT.println(indent(sbulb.out().lines().dropWhile(l -> !l.contains("running;")).skip(1)
                .takeWhile(l -> !l.contains("stopping")).reduce("", (a, b) -> a + b + "\n")));
        Map<Integer, String> after = traffic();
        int moved = 0;
        int movedNotOfRs2 = 0;
        for (Map.Entry<Integer, String> e : owners.entrySet()) {
            if (!e.getValue().equals(after.get(e.getKey()))) {
                moved++;
                if (!e.getValue().equals("rs2")) {
                    movedNotOfRs2++;
                }
            }
        }
        long ofRs2 = owners.values().stream().filter("rs2"::equals).count();
        printSpread(after);
        OUT.println("   " + moved + " clients moved; rs2 had " + ofRs2 + "; clients of other servers that moved: "
                + movedNotOfRs2);

        OUT.println("\n== Stopping sbulb with SIGTERM");
        OptionalInt exit = sbulb.terminate(Duration.ofSeconds(20));
        OUT.println(indent(sbulb.out().lines().dropWhile(l -> !l.contains("real servers now")).skip(1)
                .reduce("", (a, b) -> a + b + "\n")));
        OUT.println("   exit status " + (exit.isPresent() ? exit.getAsInt() : "(still running)") + "; bpftool: "
                + Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE).map(x -> "program " + x.id() + " still attached")
                        .orElse("no XDP program on " + Lab.LB_INTERFACE));
        return exit.orElse(1) == 0 ? 0 : 1;
    }

    /** Every client sends {@link #REQUESTS} datagrams; returns which server answered each port last. */
    private Map<Integer, String> traffic() {
        Map<Integer, String> owners = new LinkedHashMap<>();
        int lost = 0;
        int notFromVip = 0;
        for (int round = 0; round < REQUESTS; round++) {
            for (LabClient c : clients) {
                Optional<LabClient.Reply> r = c.exchange(vip, "req-" + (++sequence), REPLY);
                if (r.isEmpty()) {
                    lost++;
                } else {
                    if (!r.get().from().equals(vip)) {
                        notFromVip++;
                    }
                    owners.put(c.port(), r.get().server());
                }
            }
        }
        OUT.println("   " + clients.size() * REQUESTS + " datagrams sent, " + lost + " lost, " + notFromVip
                + " replies not from the virtual server");
        return owners;
    }

    private void printSpread(Map<Integer, String> owners) {
        Map<String, Integer> perServer = new TreeMap<>();
        owners.values().forEach(s -> perServer.merge(s, 1, Integer::sum));
        for (EchoServer s : servers) {
            OUT.printf("   %s (%s): %2d clients, %4d datagrams received so far%n", s.name(),
                    lab.realServer(Integer.parseInt(s.name().substring(2))), perServer.getOrDefault(s.name(), 0),
                    s.received());
        }
    }

    private static String indent(String text) {
        return text.lines().map(l -> "   | " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private static synchronized void closeAll(List<AutoCloseable> list) {
        for (AutoCloseable c : List.copyOf(list)) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("demo cleanup: " + e);
            }
        }
        list.clear();
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
