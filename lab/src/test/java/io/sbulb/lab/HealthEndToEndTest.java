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
 * Health checks end to end (issue 16): the real command with a services file whose service has
 * a udp health check, probing the lab's echo servers from the balancer's own address through the
 * XDP program attached to the same interface (whose replies it must not take for flows of the
 * servers). A server whose echo server stops is marked DOWN after `fall` probes and its clients'
 * next datagrams are answered by a live server through the VIP; restarted, it is UP again after
 * `rise` probes and takes new clients, while the clients that moved stay where they are now.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class HealthEndToEndTest {

    private static final int PORT = 5683;
    private static final int CLIENTS = 12;
    private static final int FIRST_PORT = 43000;
    private static final Duration REPLY = Duration.ofSeconds(2);
    private static final InetSocketAddress VIP = new InetSocketAddress(LabSession.address(Lab.VIP), PORT);

    @TempDir
    static Path dir;

    static final LabSession session = new LabSession();
    static final Map<Integer, String> owner = new HashMap<>();
    static final AtomicInteger sequence = new AtomicInteger();

    @BeforeAll
    static void startTheBalancerWithAHealthCheck() throws IOException {
        Privileges.requireNetAdmin();
        Lab lab = session.lab = Lab.create(Lab.uniquePrefix(), 3);
        for (int i = 1; i <= 3; i++) {
            session.servers.add(EchoServer.start("rs" + i, lab.realServerNetns(i), PORT));
        }
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, session.oneService("echo", PORT,
                "{probe: udp, payload: probe, expect: \"rs\", interval: 200ms, timeout: 150ms, rise: 2, fall: 2}"));
        assertThat(session.startSbulb(dir, List.of(Lab.LB_INTERFACE, "--config", file.toString(), "-l", "info")))
                .as("READY=1 from %s", session.sbulb).isTrue();
    }

    @AfterAll
    static void tearDown() {
        session.close();
    }

    @Test
    @Order(1)
    void probesOfLiveServersAreAnsweredThroughTheDataPathSoNobodyIsDown() {
        for (int i = 0; i < CLIENTS; i++) {
            session.clients.put("c" + i, LabClient.open(session.lab.clientNetns(), FIRST_PORT + i));
            owner.put(i, exchange(i));
        }
        LabSession.sleep(1000); // five probe intervals: a server whose probe replies were lost would be DOWN by now
        assertThat(session.sbulb.out()).as("no server taken DOWN while all answer").doesNotContain(" DOWN");
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(exchange(i)).as("client %d keeps its server", i).isEqualTo(owner.get(i));
        }
        assertThat(session.servers.get(0).heard().keySet()).as("the probes come from the balancer's own address")
                .extracting(InetSocketAddress::getAddress).contains(LabSession.address(Lab.LB));
    }

    @Test
    @Order(2)
    void aDeadServersClientsMoveToALiveServerAndCameBackItTakesNewClientsOnly() {
        Lab lab = session.lab;
        session.servers.get(1).close();
        long stopped = System.nanoTime();
        awaitOut("server " + lab.realServer(2) + " DOWN", Duration.ofSeconds(5));
        long downMs = (System.nanoTime() - stopped) / 1_000_000;
        // the state is logged, then the change it makes applied and reported
        awaitOut("now balancing 1 service on " + Lab.LB_INTERFACE + " over 2 real servers", Duration.ofSeconds(5));
        System.out.println("rs2 marked DOWN " + downMs + " ms after its echo server stopped (fall 2 x interval 200 ms)");
        List<Integer> moved = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String was = owner.get(i);
            String now = exchange(i);
            if (was.equals("rs2")) {
                assertThat(now).as("client %d of the dead rs2", i).isNotEqualTo("rs2");
                moved.add(i);
                owner.put(i, now);
            } else {
                assertThat(now).as("client %d of a live server stays", i).isEqualTo(was);
            }
        }
        assertThat(moved).as("rs2's clients").hasSize(CLIENTS / 3);

        session.servers.set(1, EchoServer.start("rs2", lab.realServerNetns(2), PORT));
        long restarted = System.nanoTime();
        awaitOut("server " + lab.realServer(2) + " UP", Duration.ofSeconds(5));
        awaitOut("now balancing 1 service on " + Lab.LB_INTERFACE + " over 3 real servers", Duration.ofSeconds(5));
        System.out.println("rs2 marked UP " + (System.nanoTime() - restarted) / 1_000_000
                + " ms after its echo server restarted (rise 2 x interval 200 ms)");
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(exchange(i)).as("client %d stays where it is now", i).isEqualTo(owner.get(i));
        }
        int toRs2 = 0;
        for (int i = 0; i < 6; i++) {
            int id = 100 + i;
            session.clients.put("c" + id, LabClient.open(lab.clientNetns(), FIRST_PORT + id));
            toRs2 += exchange(id).equals("rs2") ? 1 : 0;
        }
        assertThat(toRs2).as("new clients reach rs2 again").isPositive();
    }

    private static void awaitOut(String text, Duration timeout) {
        assertThat(session.awaitOut(text, timeout.toMillis())).as("sbulb's output holds '%s': %s", text,
                session.sbulb.out()).isTrue();
    }

    /** One datagram and its echo through the VIP: the answering server's name. */
    private static String exchange(int client) {
        Optional<LabClient.Reply> r = session.clients.get("c" + client).exchange(VIP, "q" + sequence.incrementAndGet(),
                REPLY);
        assertThat(r).as("reply to client %d, %s", client, session.sbulb).isPresent();
        assertThat(r.get().from()).as("reply source").isEqualTo(VIP);
        return r.get().server();
    }


}
