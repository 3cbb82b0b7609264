package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.testing.Privileges;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Health checks against DTLS servers (issue 16): Eclipse Scandium DTLS servers (PSK) in three
 * of the lab's real-server namespaces behind one service with a `dtls` health check, Scandium
 * DTLS clients in the client namespace handshaking and exchanging application data through the
 * VIP, each answer naming its server. A stopped server is DOWN within fall x interval (plus
 * {@link #MARGIN_MS}); its clients' next records reach a live server that has no session for
 * them, get no answer, and the clients start a full handshake there and go on, which the servers'
 * handshake counts show. Started again, the server is UP within rise x interval (plus the
 * margin) and the clients that moved stay where they are, with their sessions.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DtlsHealthEndToEndTest {

    private static final int PORT = 5684;
    private static final int CLIENTS = 6;
    private static final int FIRST_PORT = 45000;
    private static final int INTERVAL_MS = 200;
    private static final int RISE = 2;
    private static final int FALL = 3;
    /**
     * What a state change may take beyond rise (fall) x interval: the phase of the first probe
     * after the change (up to one interval), one probe's timeout (150 ms, when the failure is not
     * an ICMP port unreachable at once), the log line's write and this test's 20 ms polls, and
     * the scheduling delays of the prober's thread and of the sbulb JVM while a CPU hog keeps
     * both cores busy.
     */
    private static final long MARGIN_MS = 1000;
    /**
     * How long a client waits for an answer before it takes its server for changed: generous, as a
     * false timeout would make a client of a live server handshake again and fail the counts.
     */
    private static final Duration REPLY = Duration.ofSeconds(3);
    private static final InetSocketAddress VIP = new InetSocketAddress(LabSession.address(Lab.VIP), PORT);

    @TempDir
    static Path dir;

    static final LabSession session = new LabSession();
    static final DtlsPeers.Server[] servers = new DtlsPeers.Server[4];
    static final List<DtlsPeers.Client> clients = new ArrayList<>();
    static final Map<Integer, String> owner = new HashMap<>();
    static final AtomicInteger sequence = new AtomicInteger();

    @BeforeAll
    static void startDtlsServersBehindAServiceWithADtlsHealthCheck() throws Exception {
        Privileges.requireNetAdmin();
        Lab lab = session.lab = Lab.create(Lab.uniquePrefix(), 3);
        for (int i = 1; i <= 3; i++) {
            startServer(i);
        }
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, session.oneService("dtls", PORT, "{probe: dtls, interval: " + INTERVAL_MS
                + "ms, timeout: 150ms, rise: " + RISE + ", fall: " + FALL + "}"));
        assertThat(session.startSbulb(dir, List.of(Lab.LB_INTERFACE, "--config", file.toString(), "-l", "info")))
                .as("READY=1 from %s", session.sbulb).isTrue();
    }

    @AfterAll
    static void tearDown() {
        session.close();
    }

    private static void startServer(int i) {
        servers[i] = DtlsPeers.Server.start("rs" + i, session.lab.realServerNetns(i), PORT, DtlsPeers.Cid.NONE);
        session.peers.add(servers[i]);
    }

    @Test
    @Order(1)
    void dtlsClientsHandshakeThroughTheVipOnePerServerInTurnAndProbesKeepEveryServerUp() {
        for (int i = 0; i < CLIENTS; i++) {
            DtlsPeers.Client c = DtlsPeers.Client.open(session.lab.clientNetns(), FIRST_PORT + i, DtlsPeers.Cid.NONE);
            session.peers.add(c);
            clients.add(c);
            owner.put(i, exchange(i));
        }
        assertThat(owner.values()).as("round robin over 3 servers").containsOnly("rs1", "rs2", "rs3");
        assertThat(handshakes()).as("one handshake per client, two clients per server").containsExactly(2, 2, 2);
        LabSession.sleep(1000); // five probe intervals: a server whose probes failed would be DOWN by now
        assertThat(session.sbulb.out()).as("DTLS ClientHellos answered: nobody DOWN").doesNotContain(" DOWN");
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(exchange(i)).as("client %d keeps its server", i).isEqualTo(owner.get(i));
        }
        assertThat(handshakes()).as("no handshake more: probes complete none, clients keep their sessions")
                .containsExactly(2, 2, 2);
        assertThat(clients).extracting(DtlsPeers.Client::handshakes).containsOnly(1);
    }

    @Test
    @Order(2)
    void aStoppedDtlsServerIsDownItsClientsHandshakeAgainOnALiveServerAndBackUpItLeavesThemThere() {
        servers[2].close();
        awaitState(2, "DOWN", System.nanoTime(), "fall", FALL);
        assertThat(session.awaitOut("over 2 real servers", 5000)).as("%s", session.sbulb).isTrue();

        int[] before = handshakes();
        List<Integer> moved = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String was = owner.get(i);
            String now = exchange(i);
            if (was.equals("rs2")) {
                assertThat(now).as("client %d of the stopped rs2", i).isNotEqualTo("rs2");
                assertThat(clients.get(i).handshakes()).as("client %d handshook again", i).isEqualTo(2);
                moved.add(i);
                owner.put(i, now);
            } else {
                assertThat(now).as("client %d of a live server stays", i).isEqualTo(was);
                assertThat(clients.get(i).handshakes()).as("client %d keeps its session", i).isEqualTo(1);
            }
        }
        assertThat(moved).as("rs2's clients").hasSize(CLIENTS / 3);
        int[] after = handshakes();
        int[] expected = before.clone();
        for (int i : moved) {
            expected[Integer.parseInt(owner.get(i).substring(2)) - 1]++;
        }
        System.out.println("handshakes per server before the move " + java.util.Arrays.toString(before)
                + ", after " + java.util.Arrays.toString(after) + " (rs2 stopped: its count is of the stopped one)");
        assertThat(after).as("one full handshake on its new server per moved client, none elsewhere")
                .containsExactly(expected);

        startServer(2);
        awaitState(2, "UP", System.nanoTime(), "rise", RISE);
        assertThat(session.awaitOut("over 3 real servers", 5000)).as("%s", session.sbulb).isTrue();
        int[] settled = handshakes();
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(exchange(i)).as("client %d stays where it is now", i).isEqualTo(owner.get(i));
        }
        assertThat(handshakes()).as("no handshake: every client keeps its server and its session")
                .containsExactly(settled);
        assertThat(settled[1]).as("the restarted rs2 has completed no handshake").isZero();
    }

    /**
     * Waits until sbulb reports real server {@code server} {@code state}, asserts that it took at
     * most {@code probes} ({@code rule}: rise or fall) x interval plus {@link #MARGIN_MS} from
     * {@code sinceNanos}, when its DTLS server stopped or started, and prints what it took.
     */
    private static void awaitState(int server, String state, long sinceNanos, String rule, int probes) {
        long ms = session.millisUntilOut("server " + session.lab.realServer(server) + " " + state, sinceNanos,
                Duration.ofSeconds(10));
        System.out.println("rs" + server + " marked " + state + " " + ms + " ms after its DTLS server "
                + (state.equals("UP") ? "started again" : "stopped") + " (" + rule + " " + probes + " x interval "
                + INTERVAL_MS + " ms = " + probes * INTERVAL_MS + " ms, margin " + MARGIN_MS + " ms)");
        assertThat(ms).as("ms until %s: %s", state, session.sbulb).isBetween(0L, probes * INTERVAL_MS + MARGIN_MS);
    }

    /** Handshakes completed by rs1, rs2, rs3 (the running server of each). */
    private static int[] handshakes() {
        return new int[] {servers[1].handshakes(), servers[2].handshakes(), servers[3].handshakes()};
    }

    /** Application data to the VIP and its answer: the answering server's name. */
    private static String exchange(int client) {
        Optional<LabClient.Reply> r = clients.get(client).exchange(VIP, "q" + sequence.incrementAndGet(), REPLY);
        assertThat(r).as("answer to DTLS client %d, %s", client, session.sbulb).isPresent();
        assertThat(r.get().from()).as("answer source").isEqualTo(VIP);
        return r.get().server();
    }
}
