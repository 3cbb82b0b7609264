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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * sbulb as it runs in production, end to end (docs/design.md §3): the real command, as a
 * process of its own, attached to the veth of a load-balancer namespace, between a client
 * namespace and three real-server namespaces running UDP echo servers; real datagrams between
 * real sockets. bpftool and ip, not sbulb, say what is attached and what the table holds.
 *
 * <p>The tests run in order on one balancer: each phase builds on the associations of the one
 * before, as traffic would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class BalancerEndToEndTest {

    private static final int PORT = 5683;
    private static final int CLIENT_PORTS = 30;
    private static final int FIRST_CLIENT_PORT = 40000;
    private static final Duration REPLY = Duration.ofSeconds(2);
    private static final InetSocketAddress VIP = new InetSocketAddress(address(Lab.VIP), PORT);

    @TempDir
    static Path dir;

    static Lab lab;
    static final List<EchoServer> servers = new ArrayList<>();
    static final Map<Integer, LabClient> clients = new LinkedHashMap<>();
    static NotifyListener notify;
    static SbulbProcess sbulb;
    static Path realServerFile;
    /** Which server each client port was answered by last. */
    static final Map<Integer, String> owner = new HashMap<>();
    static final AtomicInteger sequence = new AtomicInteger();

    @BeforeAll
    static void startTheBalancerInTheLab() throws IOException {
        Privileges.requireNetAdmin();
        lab = Lab.create(Lab.uniquePrefix(), 3);
        for (int i = 1; i <= 3; i++) {
            servers.add(EchoServer.start("rs" + i, lab.realServerNetns(i), PORT));
        }
        realServerFile = dir.resolve("real-servers.cfg");
        writeServers(1, 2, 3);
        notify = new NotifyListener(dir.resolve("notify.sock"));
        sbulb = SbulbProcess.start(lab.lbNetns(), List.of(Lab.LB_INTERFACE, "-vs", Lab.VIP.toString(),
                "-cfg", realServerFile.toString(), "-p", String.valueOf(PORT), "-l", "debug"), notify.address(), dir);
        Optional<String> ready = notify.await(m -> m.contains("READY=1"), Duration.ofSeconds(60));
        assertThat(ready).as("READY=1 from %s", sbulb).isPresent();
        assertThat(ready.get()).contains("STATUS=balancing " + Lab.VIP + " ports " + PORT);
    }

    @AfterAll
    static void tearDown() {
        LabSession.closeAll(clients.values(), servers, sbulb, notify, lab);
    }

    @Test
    @Order(1)
    void bpftoolSeesTheProgramAttachedInNativeMode() {
        Optional<Bpftool.Xdp> xdp = Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE);
        assertThat(xdp).as("%s", sbulb).isPresent();
        assertThat(xdp.get().mode()).isEqualTo("driver");
        assertThat(Bpftool.programName(xdp.get().id())).isEqualTo("sbulb_xdp");
        assertThat(Lab.xdpOn(lab.lbNetns(), Lab.LB_INTERFACE)).get().extracting(Lab.AttachedXdp::id)
                .isEqualTo(xdp.get().id());
        assertThat(sbulb.out()).contains("attached to " + Lab.LB_INTERFACE + " in native mode");
    }

    @Test
    @Order(2)
    void thirtyClientPortsAreSpreadRoundRobinAndEachKeepsItsServer() {
        for (int p = FIRST_CLIENT_PORT; p < FIRST_CLIENT_PORT + CLIENT_PORTS; p++) {
            clients.put(p, LabClient.open(lab.clientNetns(), p));
        }
        for (int round = 0; round < 3; round++) {
            for (LabClient c : clients.values()) {
                LabClient.Reply r = exchange(c);
                String before = owner.putIfAbsent(c.port(), r.server());
                assertThat(before == null ? r.server() : before).as("port %d, round %d", c.port(), round)
                        .isEqualTo(r.server());
            }
        }
        // the first round met the clients one by one: round robin in list order, from the start
        for (int i = 0; i < CLIENT_PORTS; i++) {
            assertThat(owner).containsEntry(FIRST_CLIENT_PORT + i, "rs" + (i % 3 + 1));
        }
        // the servers saw the clients themselves (destination NAT only), three datagrams each
        for (EchoServer s : servers) {
            owner.forEach((port, name) -> {
                if (name.equals(s.name())) {
                    assertThat(s.heard()).containsEntry(new InetSocketAddress(address(Lab.CLIENT), port), 3L);
                }
            });
        }
        // and the kernel's table, read by bpftool, says the same
        Map<Integer, IpAddress> table = tableOfClient();
        owner.forEach((port, name) -> assertThat(table).containsEntry(port, serverAddress(name)));
    }

    @Test
    @Order(3)
    void aRealServerStartsAConversationThroughTheVirtualServerAndKeepsTheClient() {
        int port = FIRST_CLIENT_PORT + 100;
        LabClient c = LabClient.open(lab.clientNetns(), port);
        clients.put(port, c);
        servers.get(1).send(new InetSocketAddress(address(Lab.CLIENT), port), "hello from the server");
        Optional<LabClient.Reply> first = c.receive(REPLY);
        assertThat(first).as("the server's datagram, %s", sbulb).isPresent();
        assertThat(first.get().from()).isEqualTo(VIP);
        assertThat(first.get().text()).isEqualTo("rs2|hello from the server");
        for (int i = 0; i < 3; i++) {
            assertThat(exchange(c).server()).isEqualTo("rs2");
        }
        owner.put(port, "rs2");
        assertThat(tableOfClient()).containsEntry(port, serverAddress("rs2"));
    }

    @Test
    @Order(4)
    void fileChangesRemoveAndAddARealServerWhileTrafficFlows() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        // 0: three servers; 1: rs2 removed (its STATUS received); 2: rs2 added back. An answer is
        // filed under the phase in which its datagram was sent.
        AtomicInteger phase = new AtomicInteger();
        List<String> problems = new ArrayList<>();
        Map<Integer, Integer> lost = new HashMap<>();
        Map<Integer, List<List<String>>> answers = new HashMap<>();
        for (Integer port : owner.keySet()) {
            answers.put(port, List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        }
        Thread traffic = new Thread(() -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            // bounded: until told to stop, at most 30 s and 100,000 rounds of one datagram per client
            for (int round = 0; round < 100_000 && !stop.get() && System.nanoTime() < deadline; round++) {
                int sentIn = phase.get();
                for (LabClient c : clients.values()) {
                    c.send(VIP, "t" + sequence.incrementAndGet());
                }
                for (LabClient c : clients.values()) {
                    Optional<LabClient.Reply> r = c.receive(Duration.ofMillis(500));
                    synchronized (answers) {
                        if (r.isEmpty()) {
                            lost.merge(c.port(), 1, Integer::sum);
                        } else if (!r.get().from().equals(VIP)) {
                            problems.add("port " + c.port() + " round " + round + ": " + r);
                        } else {
                            answers.get(c.port()).get(sentIn).add(r.get().server());
                        }
                    }
                }
            }
        }, "traffic");
        traffic.start();
        try {
            awaitAnswersIn(0, answers, owner.keySet());
            long t0 = System.nanoTime();
            writeServers(1, 3); // rs2 leaves: position 1 becomes rs3, position 2 goes; rs3 keeps its clients
            Optional<String> removed = notify.await(m -> m.contains("over 2 real servers"), Duration.ofSeconds(5));
            long appliedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(removed).as("STATUS after removing rs2, %s", sbulb).isPresent();
            System.out.println("real-server file change applied (STATUS received) after " + appliedMs + " ms");
            assertThat(appliedMs).as("a change applies within 1 s").isLessThan(1000);
            phase.set(1);
            awaitAnswersIn(1, answers, owner.keySet());
            writeServers(1, 3, 2); // rs2 comes back, appended
            assertThat(notify.await(m -> m.contains("over 3 real servers"), Duration.ofSeconds(5)))
                    .as("STATUS after adding rs2 back, %s", sbulb).isPresent();
            phase.set(2);
            awaitAnswersIn(2, answers, owner.keySet());
        } finally {
            stop.set(true);
            traffic.join(30_000);
        }
        assertThat(problems).as("replies not from the virtual server; %s", sbulb).isEmpty();
        // The only replies lost are those rs2 sent after it left: its clients' datagrams in flight
        // when the change applied. Once rs2 is out, it may no longer speak for the VIP.
        lost.forEach((port, n) -> assertThat(owner.get(port)).as("port %d lost %d replies", port, n).isEqualTo("rs2"));
        lost.forEach((port, n) -> assertThat(n).as("replies lost by port %d", port).isLessThanOrEqualTo(1));
        System.out.println("replies lost to the removal of rs2: " + lost.values().stream().mapToInt(i -> i).sum()
                + " (rs2 had " + owner.values().stream().filter("rs2"::equals).count() + " clients)");
        owner.forEach((port, was) -> {
            List<List<String>> seen = answers.get(port);
            if (was.equals("rs2")) {
                // re-bound when rs2 left, to a server still configured, and kept there: rs2 coming
                // back does not take it back (a datagram sent just before the STATUS may already
                // have gone to the new server)
                String now = seen.get(1).get(0);
                assertThat(now).as("port %d: %s", port, seen).isIn("rs1", "rs3");
                assertThat(seen.get(0)).as("port %d before the change", port).isSubsetOf("rs2", now);
                assertThat(seen.get(1)).as("port %d while rs2 is out", port).containsOnly(now);
                assertThat(seen.get(2)).as("port %d after rs2 is back", port).containsOnly(now);
            } else {
                assertThat(seen.get(0)).as("port %d before the change", port).containsOnly(was);
                assertThat(seen.get(1)).as("port %d (%s) while rs2 is out", port, was).containsOnly(was);
                assertThat(seen.get(2)).as("port %d (%s) after rs2 is back", port, was).containsOnly(was);
            }
        });
        // new clients after rs2 came back: round robin goes on, and rs2 is in it again
        Map<String, Integer> fresh = new HashMap<>();
        for (int p = FIRST_CLIENT_PORT + 200; p < FIRST_CLIENT_PORT + 203; p++) {
            LabClient c = LabClient.open(lab.clientNetns(), p);
            clients.put(p, c);
            fresh.merge(exchange(c).server(), 1, Integer::sum);
        }
        assertThat(fresh).containsOnly(Map.entry("rs1", 1), Map.entry("rs2", 1), Map.entry("rs3", 1));
        assertThat(sbulb.out()).contains("[1] 198.18.2.12 -> 198.18.2.13", "[2] add 198.18.2.12");
    }

    /** Waits (at most 10 s) until every port has had two answers to datagrams sent in {@code phase}. */
    private static void awaitAnswersIn(int phase, Map<Integer, List<List<String>>> answers, java.util.Set<Integer> ports)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            synchronized (answers) {
                if (ports.stream().allMatch(p -> answers.get(p).get(phase).size() >= 2)) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("every client answered in phase %d within 10 s: %s", phase, sbulb)
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    @Order(5)
    void anInvalidFileIsReportedAndTheRunningServersKept() throws Exception {
        Files.writeString(realServerFile, "[Real Servers]\n198.18.2.11\nnot-an-address\n");
        Optional<String> status = notify.await(m -> m.contains("invalid"), Duration.ofSeconds(5));
        assertThat(status).as("STATUS for the invalid file, %s", sbulb).isPresent();
        for (Map.Entry<Integer, String> e : owner.entrySet()) {
            if (!e.getValue().equals("rs2")) {
                assertThat(exchange(clients.get(e.getKey())).server()).isEqualTo(e.getValue());
            }
        }
        assertThat(sbulb.err()).contains("not-an-address");
    }

    @Test
    @Order(6)
    void aFileThatDisappearsKeepsTheServersAndIsPickedUpWhenItComesBack() throws Exception {
        Files.delete(realServerFile);
        assertThat(notify.await(m -> m.contains("is gone"), Duration.ofSeconds(5)))
                .as("STATUS for the missing file, %s", sbulb).isPresent();
        Map<Integer, String> stillServed = new HashMap<>();
        owner.forEach((port, was) -> {
            if (!was.equals("rs2")) {
                stillServed.put(port, exchange(clients.get(port)).server());
            }
        });
        owner.forEach((port, was) -> {
            if (!was.equals("rs2")) {
                assertThat(stillServed).containsEntry(port, was);
            }
        });
        writeServers(1, 3); // back, without rs2
        assertThat(notify.await(m -> m.contains("over 2 real servers") && !m.contains("gone"), Duration.ofSeconds(5)))
                .as("STATUS once the file is back, %s", sbulb).isPresent();
        assertThat(sbulb.out()).contains("real-servers.cfg is gone", "[2] remove 198.18.2.12");
        for (int p = FIRST_CLIENT_PORT + 300; p < FIRST_CLIENT_PORT + 304; p++) {
            LabClient c = LabClient.open(lab.clientNetns(), p);
            clients.put(p, c);
            assertThat(exchange(c).server()).as("a new client once rs2 is gone again").isIn("rs1", "rs3");
        }
    }

    @Test
    @Order(7)
    void sigtermDetachesAndTellsSystemd() {
        OptionalInt status = sbulb.terminate(Duration.ofSeconds(20));
        assertThat(status).as("%s", sbulb).hasValue(0);
        assertThat(notify.await(m -> m.contains("STOPPING=1"), Duration.ofSeconds(2))).isPresent();
        assertThat(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE)).as("bpftool after SIGTERM").isEmpty();
        assertThat(Lab.xdpOn(lab.lbNetns(), Lab.LB_INTERFACE)).as("ip link after SIGTERM").isEmpty();
        assertThat(sbulb.out()).contains("stopping: SIGTERM", "detached from " + Lab.LB_INTERFACE);
    }

    private static LabClient.Reply exchange(LabClient c) {
        String text = "q" + sequence.incrementAndGet();
        Optional<LabClient.Reply> r = c.exchange(VIP, text, REPLY);
        assertThat(r).as("reply to port %d, %s", c.port(), sbulb).isPresent();
        assertThat(r.get().from()).as("reply source").isEqualTo(VIP);
        return r.get();
    }

    /** The association table per client port (the lab's only client address). */
    private static Map<Integer, IpAddress> tableOfClient() {
        return Bpftool.realServersByPort(Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE).orElseThrow().id(), Lab.CLIENT);
    }

    private static IpAddress serverAddress(String name) {
        return lab.realServer(Integer.parseInt(name.substring(2)));
    }

    private static void writeServers(int... indexes) throws IOException {
        lab.writeRealServerFile(realServerFile, indexes);
    }

    private static InetAddress address(IpAddress a) {
        try {
            return InetAddress.getByName(a.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
