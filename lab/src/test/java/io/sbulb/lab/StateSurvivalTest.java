package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.IpAddress;
import io.sbulb.api.testing.Privileges;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * State that outlives the process (issue 14), end to end: real sbulb processes in the lab,
 * their state pinned on the host's bpffs ({@link Lab#pinDir()}), 200 clients (source ports of the
 * client namespace) sending 4,000 datagrams a second to the VIP, every datagram answered by a
 * real server's echo server, which says who it is. Across a crash, a restart, a takeover and a
 * refused second sbulb, every datagram sent is answered (none lost) and every client is always
 * answered by the same real server (none moved). bpftool and ip, not sbulb, say what is attached.
 *
 * <p>Each test starts from nothing pinned and leaves nothing pinned or attached.
 */
@Timeout(60)
class StateSurvivalTest {

    private static final int PORT = 5683;
    private static final int CLIENTS = 200;
    private static final double RATE = 4000;
    /** Bounds of a traffic run: datagrams, and seconds. */
    private static final int MAX_DATAGRAMS = 80_000;
    private static final Duration MAX_TRAFFIC = Duration.ofSeconds(20);
    /** Datagrams to see answered at each stage: two rounds of every client. */
    private static final int TWO_ROUNDS = 2 * CLIENTS;
    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration EXIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static Lab lab;
    static final List<EchoServer> servers = new ArrayList<>();
    static InetSocketAddress vip;
    /** Each test's clients on ports of their own, so that no late answer crosses tests. */
    static int nextPort = 42000;

    private final List<SbulbProcess> started = new ArrayList<>();
    private final List<NotifyListener> listeners = new ArrayList<>();
    private SteadyClients traffic;

    @BeforeAll
    static void lab() throws IOException {
        Privileges.requireNetAdmin();
        lab = Lab.create(Lab.uniquePrefix(), 3, LabOptions.DEFAULT.withHostPins());
        for (int i = 1; i <= 3; i++) {
            servers.add(EchoServer.start("rs" + i, lab.realServerNetns(i), PORT));
        }
        vip = new InetSocketAddress(InetAddress.getByName(Lab.VIP.toString()), PORT);
    }

    @AfterAll
    static void tearDown() {
        servers.forEach(EchoServer::close);
        if (lab != null) {
            lab.close();
        }
    }

    /** Whatever a test left: its sbulbs killed, the pinned state removed; then nothing may be attached. */
    @AfterEach
    void nothingIsLeft() {
        if (traffic != null) {
            traffic.close();
        }
        for (SbulbProcess p : started) {
            if (p.isAlive()) {
                p.kill(EXIT);
            }
        }
        listeners.forEach(NotifyListener::close);
        lab.removePinnedState();
        assertThat(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE)).as("XDP on %s after the test", Lab.LB_INTERFACE)
                .isEmpty();
    }

    @Test
    void aCrashLeavesTheDataPathServingAndTheNextStartTakesItOverWithNoDatagramLostAndNoClientMoved()
            throws Exception {
        SbulbProcess first = start();
        int prog = attachedProgram();
        traffic = steadyTraffic();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", first).isTrue();

        int killed = traffic.next();
        assertThat(first.kill(EXIT)).as("SIGKILL").hasValue(128 + 9);
        assertThat(attachedProgram()).as("the program attached after the crash").isEqualTo(prog);
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5)))
                .as("the data path serves with no sbulb running").isTrue();

        int restarted = traffic.next();
        SbulbProcess second = start();
        int ready = traffic.next();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", second).isTrue();
        SteadyClients.Run run = traffic.finish(Duration.ofSeconds(2));
        System.out.println("crash: " + run + "; no sbulb ran from datagram " + killed + " to " + ready);

        assertThat(second.out()).contains("took over the data path pinned at " + lab.pinDir() + ": " + CLIENTS
                + " associations kept", "took over the BPF link on " + Lab.LB_INTERFACE + " in native mode");
        noDatagramLostNoClientMoved(run, List.of(0, killed, restarted, ready, run.sent()));
        assertThat(attachedProgram()).as("the new program runs the interface").isNotEqualTo(prog);
        tableAgrees(run);
    }

    @Test
    void onExitKeepThenAStartWithTheSameConfigurationLosesNoDatagramAndMovesNoClient() throws Exception {
        SbulbProcess first = start("--on-exit", "keep");
        traffic = steadyTraffic();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", first).isTrue();

        int stopping = traffic.next();
        assertThat(first.terminate(EXIT)).as("%s", first).hasValue(0);
        int stopped = traffic.next();
        assertThat(first.out()).contains("left the data path running on " + Lab.LB_INTERFACE
                + " with the last configuration; the next start takes it over (sbulb detach " + Lab.LB_INTERFACE
                + " removes it)");
        assertThat(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE)).as("XDP after the stop").isPresent();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("served while stopped").isTrue();

        SbulbProcess second = start("--on-exit", "keep");
        int ready = traffic.next();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", second).isTrue();
        SteadyClients.Run run = traffic.finish(Duration.ofSeconds(2));
        // what the issue asks to count: the datagrams sent from the stop to the next start's READY=1
        int lostBetween = run.lost(stopping, ready).size();
        System.out.println("restart: " + run + "; " + (ready - stopping) + " datagrams sent between SIGTERM and the "
                + "next READY=1 (" + (stopped - stopping) + " while the first stopped), " + lostBetween + " of them lost");

        assertThat(lostBetween).as("datagrams lost between the stop and the start").isZero();
        assertThat(second.out()).contains("took over the data path pinned at " + lab.pinDir() + ": " + CLIENTS
                + " associations kept");
        noDatagramLostNoClientMoved(run, List.of(0, stopping, ready, run.sent()));
        tableAgrees(run);
    }

    @Test
    void aStartWithAnotherTableSizeIsRefusedAndLeavesTheDataPathAsItWas() throws Exception {
        SbulbProcess first = start("--on-exit", "keep");
        int prog = attachedProgram();
        traffic = steadyTraffic();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", first).isTrue();
        assertThat(first.terminate(EXIT)).as("%s", first).hasValue(0);

        SbulbProcess bigger = launch(List.of("-ma", "131072"));
        assertThat(bigger.await(READY)).as("%s", bigger).hasValue(2);
        assertThat(bigger.err()).contains("the state pinned at " + lab.pinDir() + " holds an association table of "
                + "65536 entries (-ma 65536); this start asks 131072: start with the same value, or remove the state");
        assertThat(attachedProgram()).as("the program left running").isEqualTo(prog);
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("served after the refusal").isTrue();

        SbulbProcess same = start();
        assertThat(same.out()).contains("took over the data path pinned at " + lab.pinDir() + ": " + CLIENTS
                + " associations kept");
        SteadyClients.Run run = traffic.finish(Duration.ofSeconds(2));
        noDatagramLostNoClientMoved(run, List.of(0, run.sent()));
    }

    @Test
    void theDefaultStopDetachesAndRemovesThePinnedState() throws Exception {
        SbulbProcess sbulb = start();
        assertThat(lab.pinDir().resolve("link")).exists();
        assertThat(lab.pinDir().resolve("maps").resolve("sbulb_assoc4")).exists();
        traffic = steadyTraffic();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", sbulb).isTrue();
        traffic.finish(Duration.ofSeconds(2));

        assertThat(sbulb.terminate(EXIT)).as("%s", sbulb).hasValue(0);
        assertThat(sbulb.out()).contains("stopping: SIGTERM", "detached from " + Lab.LB_INTERFACE);
        assertThat(lab.pinDir()).as("the pin directory after SIGTERM").doesNotExist();
        assertThat(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE)).as("bpftool after SIGTERM").isEmpty();
        assertThat(Lab.xdpOn(lab.lbNetns(), Lab.LB_INTERFACE)).as("ip link after SIGTERM").isEmpty();
    }

    @Test
    void oneOwnerASecondIsRefusedReplaceTakesOverAndDetachWaitsForTheKeepStop() throws Exception {
        SbulbProcess first = start(); // the default --on-exit detach: a takeover must leave it running anyway
        traffic = steadyTraffic();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", first).isTrue();

        SbulbProcess refused = launch(List.of());
        assertThat(refused.await(READY)).as("%s", refused).hasValue(3);
        assertThat(refused.err()).contains("sbulb (PID " + first.pid() + ") already runs " + Lab.LB_INTERFACE
                + "'s data path (state pinned at " + lab.pinDir() + "): stop it, or give --replace to take over from it");
        SbulbProcess detach = detach();
        assertThat(detach.await(READY)).as("%s", detach).hasValue(3);
        assertThat(detach.err()).contains("sbulb (PID " + first.pid() + ") runs " + Lab.LB_INTERFACE);
        assertThat(first.isAlive()).isTrue();
        assertThat(lab.pinDir().resolve("link")).exists();

        int replacing = traffic.next();
        SbulbProcess second = start("--replace", "--on-exit", "keep");
        int ready = traffic.next();
        assertThat(first.await(EXIT)).as("%s", first).hasValue(0);
        assertThat(first.out()).contains("another sbulb takes over " + Lab.LB_INTERFACE);
        assertThat(second.out()).contains("took over the data path pinned at " + lab.pinDir() + ": " + CLIENTS
                + " associations kept");
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", second).isTrue();
        SteadyClients.Run run = traffic.finish(Duration.ofSeconds(2));
        System.out.println("--replace: " + run);
        noDatagramLostNoClientMoved(run, List.of(0, replacing, ready, run.sent()));

        assertThat(second.terminate(EXIT)).as("%s", second).hasValue(0);
        assertThat(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE)).as("XDP after the keep stop").isPresent();
        SbulbProcess detached = detach();
        assertThat(detached.await(READY)).as("%s", detached).hasValue(0);
        assertThat(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE)).as("bpftool after sbulb detach").isEmpty();
        assertThat(lab.pinDir().resolve("maps").resolve("sbulb_assoc4")).as("the state, kept by detach").exists();
        SbulbProcess purged = detach("--purge");
        assertThat(purged.await(READY)).as("%s", purged).hasValue(0);
        assertThat(lab.pinDir()).as("the pin directory after detach --purge").doesNotExist();
    }

    @Test
    void thePinsAreRootsOnlyAnotherUserCanNeitherReadTheClientsNorDetach() throws Exception {
        SbulbProcess sbulb = start();
        int prog = attachedProgram();
        traffic = steadyTraffic();
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("traffic through %s", sbulb).isTrue();

        Path pin = lab.pinDir();
        assertThat(mode(pin)).isEqualTo("700");
        assertThat(mode(pin.resolve("maps"))).isEqualTo("700");
        assertThat(mode(pin.resolve("link"))).isEqualTo("600");
        try (Stream<Path> maps = Files.list(pin.resolve("maps"))) {
            maps.forEach(m -> assertThat(mode(m)).as("%s", m).isEqualTo("600"));
        }
        // The lab's own directories above the pin directory are root's only too: opened for the
        // moment to everyone's lookups (not listing), so that only sbulb's modes stand in the way.
        Map<Path, String> above = new HashMap<>();
        for (Path p = pin.getParent(); p.startsWith(HostPins.ROOT); p = p.getParent()) {
            above.put(p, mode(p));
        }
        String assoc = pin.resolve("maps").resolve("sbulb_assoc4").toString();
        String link = pin.resolve("link").toString();
        Commands.Output dump;
        Commands.Output open;
        Commands.Output unpin;
        Commands.Output detachLink;
        try {
            above.keySet().forEach(p -> Commands.run("chmod", "0711", p.toString()));
            dump = asNobody("bpftool", "map", "dump", "pinned", assoc);
            // opening the pin is what the modes refuse (a dump would fail later anyway, on BTF)
            open = asNobody("bpftool", "map", "show", "pinned", assoc);
            unpin = asNobody("rm", "-f", link);
            detachLink = asNobody("bpftool", "link", "detach", "pinned", link);
        } finally {
            above.forEach((p, m) -> Commands.run("chmod", m, p.toString()));
        }
        assertThat(dump.exitCode()).as("nobody dumping the associations: %s", dump.out()).isNotZero();
        // bpftool's statfs of the directory is refused before its BPF_OBJ_GET would be
        assertThat(dump.out()).containsAnyOf("Permission denied", "not in bpf file system");
        assertThat(open.exitCode()).as("nobody opening the associations' pin: %s", open.out()).isNotZero();
        assertThat(unpin.exitCode()).as("nobody removing the link's pin: %s", unpin.out()).isNotZero();
        assertThat(detachLink.exitCode()).as("nobody detaching the link: %s", detachLink.out()).isNotZero();

        assertThat(Path.of(link)).exists();
        assertThat(attachedProgram()).as("the program still attached").isEqualTo(prog);
        assertThat(traffic.awaitAnswered(TWO_ROUNDS, Duration.ofSeconds(5))).as("still served").isTrue();
        SteadyClients.Run run = traffic.finish(Duration.ofSeconds(2));
        noDatagramLostNoClientMoved(run, List.of(0, run.sent()));
        assertThat(sbulb.isAlive()).isTrue();
    }

    /** sbulb on the lab's balancer, its state pinned on the host, READY=1 received. */
    private SbulbProcess start(String... more) throws IOException {
        NotifyListener notify = new NotifyListener(Files.createTempDirectory(dir, "notify").resolve("notify.sock"));
        listeners.add(notify);
        SbulbProcess p = launch(List.of(more), notify);
        Optional<String> ready = notify.await(m -> m.contains("READY=1"), READY);
        assertThat(ready).as("READY=1 from %s", p).isPresent();
        return p;
    }

    private SbulbProcess launch(List<String> more) throws IOException {
        return launch(more, null);
    }

    private SbulbProcess launch(List<String> more, NotifyListener notify) throws IOException {
        List<String> args = new ArrayList<>(List.of(Lab.LB_INTERFACE, "-vs", Lab.VIP.toString(), "-rs"));
        for (int i = 1; i <= 3; i++) {
            args.add(lab.realServer(i).toString());
        }
        args.addAll(List.of("-p", String.valueOf(PORT)));
        if (!more.contains("-ma")) {
            args.addAll(List.of("-ma", "65536")); // a table loaded quicker than the default's 112 MiB
        }
        args.addAll(lab.pinDirArgs());
        args.addAll(more);
        SbulbProcess p = SbulbProcess.start(lab.lbNetns(), args, notify == null ? null : notify.address(),
                Files.createTempDirectory(dir, "sbulb"));
        started.add(p);
        return p;
    }

    /** {@code sbulb detach veth0 --pin-dir DIR MORE}, a process of its own. */
    private SbulbProcess detach(String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("detach", Lab.LB_INTERFACE));
        args.addAll(lab.pinDirArgs());
        args.addAll(List.of(more));
        SbulbProcess p = SbulbProcess.start(lab.lbNetns(), args, null, Files.createTempDirectory(dir, "detach"));
        started.add(p);
        return p;
    }

    private SteadyClients steadyTraffic() {
        SteadyClients c = new SteadyClients(lab.clientNetns(), vip, nextPort, CLIENTS, MAX_DATAGRAMS);
        nextPort += CLIENTS;
        c.start(RATE, MAX_TRAFFIC);
        return c;
    }

    /**
     * Nothing lost, nothing but echoes, and every client answered by one real server: in each of
     * the stages {@code [bounds[i], bounds[i+1])} (before and after each event) it was answered,
     * by that same server.
     */
    /**
     * Each real server's namespace's UDP RcvbufErrors (/proc/net/snmp): datagrams its socket had
     * no room for. Non-zero beside lost datagrams: the echo server fell behind, not the balancer.
     */
    private static String receiveBufferErrors() {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= lab.realServerCount(); i++) {
            String snmp = Commands.run("ip", "netns", "exec", lab.realServerNetns(i), "cat", "/proc/net/snmp");
            String[] lines = snmp.lines().filter(l -> l.startsWith("Udp:")).toArray(String[]::new);
            String value = "?";
            if (lines.length >= 2) {
                java.util.List<String> names = java.util.List.of(lines[0].split("\\s+"));
                String[] values = lines[1].split("\\s+");
                int k = names.indexOf("RcvbufErrors");
                value = k > 0 && k < values.length ? values[k] : "?";
            }
            out.append(out.length() == 0 ? "" : ", ").append("rs").append(i).append(' ').append(value);
        }
        return out.toString();
    }

    private static void noDatagramLostNoClientMoved(SteadyClients.Run run, List<Integer> bounds) {
        assertThat(run.problems()).as("%s", run).isEmpty();
        assertThat(run.lost()).as("datagrams lost: %s; UDP receive buffer errors in the real servers' namespaces: %s",
                run, receiveBufferErrors()).isEmpty();
        assertThat(run.moved()).as("clients answered by more than one real server: %s", run).isEmpty();
        for (int i = 0; i + 1 < bounds.size(); i++) {
            assertThat(run.unanswered(bounds.get(i), bounds.get(i + 1)))
                    .as("clients not answered between datagrams %d and %d", bounds.get(i), bounds.get(i + 1)).isEmpty();
        }
        // each test starts from an empty table: the first round (in reverse port order) met the
        // clients one by one, round robin in the order they came
        Map<Integer, String> roundRobin = new TreeMap<>();
        for (int seq = 0; seq < CLIENTS; seq++) {
            roundRobin.put(run.portOf(seq), "rs" + (seq % 3 + 1));
        }
        assertThat(run.owners()).as("each client's server").isEqualTo(roundRobin);
    }

    /** The association table, read by bpftool, binds each client to the server that answered it. */
    private static void tableAgrees(SteadyClients.Run run) {
        Map<Integer, IpAddress> table = Bpftool.realServersByPort(attachedProgram(), Lab.CLIENT);
        run.owners().forEach((port, name) -> assertThat(table).as("client port %d", port)
                .containsEntry(port, lab.realServer(Integer.parseInt(name.substring(2)))));
    }

    private static int attachedProgram() {
        return Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE).orElseThrow(
                () -> new AssertionError("no XDP program on " + Lab.LB_INTERFACE)).id();
    }

    /** The octal mode of {@code p}, as stat says it ("700"). */
    private static String mode(Path p) {
        return Commands.run("stat", "-c", "%a", p.toString()).strip();
    }

    /** {@code command} as user nobody, without groups or capabilities. */
    private static Commands.Output asNobody(String... command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "--"));
        cmd.addAll(List.of(command));
        return Commands.run(cmd, true);
    }
}
