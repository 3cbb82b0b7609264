package io.sbulb.control.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.IpAddress;
import io.sbulb.control.health.RiseFall.State;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.scandium.DTLSConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prober against real servers on loopback: Californium (CoAP), Scandium (DTLS) and a UDP
 * echo. Short intervals keep the tests quick; every wait is bounded, no assertion is on time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProberTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofMillis(50);
    private static final int RISE = 2;
    private static final int FALL = 3;

    /** What the listener saw, in order: "ok", "fail: why", "UP", "DOWN". */
    private final List<String> seen = new ArrayList<>();
    private final List<HealthEvent> events = new ArrayList<>();
    private final Prober prober = new Prober(new Prober.Listener() {
        @Override
        public void changed(HealthEvent event) {
            synchronized (seen) {
                seen.add(event.state().name());
                events.add(event);
                seen.notifyAll();
            }
        }

        @Override
        public void probed(Target target, boolean ok, String error) {
            synchronized (seen) {
                seen.add(ok ? "ok" : "fail: " + error);
                seen.notifyAll();
            }
        }
    });

    @AfterEach
    void close() {
        prober.close();
    }

    private static HealthCheck check(Probe probe, int port) {
        return new HealthCheck(probe, port, INTERVAL, TIMEOUT, RISE, FALL);
    }

    private static Target target(String host) throws Exception {
        return new Target("svc", IpAddress.of(InetAddress.getByName(host).getAddress()));
    }

    /** Waits (bounded by the test's timeout) until what was seen satisfies the condition; returns a copy. */
    private List<String> await(Predicate<List<String>> condition) throws InterruptedException {
        synchronized (seen) {
            while (!condition.test(seen)) {
                seen.wait(1_000);
            }
            return List.copyOf(seen);
        }
    }

    private static Predicate<List<String>> count(String what, int n) {
        return l -> l.stream().filter(s -> s.startsWith(what)).count() >= n;
    }

    /**
     * The results just before the first {@code state} entry: for DOWN, fall failures in a row and
     * an ok before them; for UP, rise successes in a row and a failure before them.
     */
    private static void assertExactRun(List<String> seen, String state, int from) {
        int at = seen.subList(from, seen.size()).indexOf(state) + from;
        assertThat(at).as("%s in %s", state, seen).isGreaterThanOrEqualTo(from);
        List<String> results = seen.subList(0, at).stream().filter(s -> s.equals("ok") || s.startsWith("fail")).toList();
        int run = state.equals("DOWN") ? FALL : RISE;
        String inRun = state.equals("DOWN") ? "fail" : "ok";
        String before = state.equals("DOWN") ? "ok" : "fail";
        List<String> tail = results.subList(results.size() - run - 1, results.size());
        assertThat(tail.get(0)).as("before the run, in %s", seen).startsWith(before);
        assertThat(tail.subList(1, run + 1)).as("the run, in %s", seen).allMatch(s -> s.startsWith(inRun));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void coapServerStoppedIsDownAfterFallFailuresAndRestartedUpAfterRise(String host) throws Exception {
        Target t = target(host);
        CoapServer server = Peers.coap(new InetSocketAddress(host, 0));
        int port = Peers.port(server);
        try {
            prober.watch(Map.of(t, check(new Probe.Coap(), port)));
            await(count("ok", 3));
            server.destroy();
            List<String> down = await(l -> l.contains("DOWN"));
            assertExactRun(down, "DOWN", 0);
            assertThat(down.subList(0, down.indexOf("DOWN"))).doesNotContain("UP");
            assertThat(prober.states()).containsEntry(t, State.DOWN);
            HealthEvent e = events.get(0);
            assertThat(e.kind()).isEqualTo("coap");
            assertThat(e.lastError()).isEqualTo("port unreachable (ICMP)");
            assertThat(e.toString()).isEqualTo("service svc server " + t.server()
                    + " DOWN: coap probe failed 3 times in a row, last: port unreachable (ICMP)");

            server = Peers.coap(new InetSocketAddress(host, port));
            List<String> up = await(l -> l.contains("UP"));
            assertExactRun(up, "UP", up.indexOf("DOWN"));
            assertThat(prober.states()).containsEntry(t, State.UP);
            assertThat(events.get(1).toString()).endsWith(" UP: coap probe answered 2 times in a row");
        } finally {
            server.destroy();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void dtlsServerAnswersTheClientHelloAndKeepsNoConnection(String host) throws Exception {
        Target t = target(host);
        DTLSConnector server = Peers.dtls(new InetSocketAddress(host, 0), true);
        int port = server.getAddress().getPort();
        try {
            prober.watch(Map.of(t, check(new Probe.Dtls(), port)));
            assertThat(await(count("ok", 5))).doesNotContain("DOWN");
            // the cookie exchange is stateless: five probes later, no connection, no handshake under way
            assertThat(Peers.dtlsConnections(server)).containsExactly(0, 0);

            server.destroy();
            List<String> down = await(l -> l.contains("DOWN"));
            assertExactRun(down, "DOWN", 0);

            server = Peers.dtls(new InetSocketAddress(host, port), true);
            List<String> up = await(l -> l.contains("UP"));
            assertExactRun(up, "UP", up.indexOf("DOWN"));
            assertThat(events).extracting(HealthEvent::kind).containsOnly("dtls");
        } finally {
            server.destroy();
        }
    }

    @Test
    void dtlsServerWithoutCookiesAnswersWithServerHelloAndTheProbeAbortsTheHandshake() throws Exception {
        Target t = target("127.0.0.1");
        DTLSConnector server = Peers.dtls(new InetSocketAddress("127.0.0.1", 0), false);
        try {
            // a generous timeout: the server's first ServerHello is slow (its key exchange code is cold)
            Duration slow = Duration.ofMillis(500);
            prober.watch(Map.of(t, new HealthCheck(new Probe.Dtls(), server.getAddress().getPort(), slow, slow, RISE, FALL)));
            assertThat(await(count("ok", 3))).noneMatch(s -> s.startsWith("fail"));
            prober.watch(Map.of());
            // the server made a connection per probe (no cookie), each with its handshake ended by the alert
            int[] held = Peers.dtlsConnections(server);
            while (held[1] > 0) { // the alert is handled on the server's own threads
                Thread.sleep(20);
                held = Peers.dtlsConnections(server);
            }
            // the count works: a ClientHello without the alert leaves a handshake under way
            try (java.net.DatagramSocket raw = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                raw.setSoTimeout(10_000);
                byte[] hello = DtlsClientHello.request(1, new byte[32]);
                raw.send(new java.net.DatagramPacket(hello, hello.length, server.getAddress()));
                byte[] reply = new byte[2048];
                java.net.DatagramPacket p = new java.net.DatagramPacket(reply, reply.length);
                raw.receive(p);
                assertThat(reply[DtlsClientHello.RECORD_HEADER]).isEqualTo((byte) DtlsClientHello.SERVER_HELLO);
                assertThat(Peers.dtlsConnections(server)[1]).as("handshakes under way").isEqualTo(1);
            }
        } finally {
            server.destroy();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void udpEchoStoppedIsDownAndRestartedIsUp(String host) throws Exception {
        Target t = target(host);
        byte[] hello = "sbulb-health".getBytes(StandardCharsets.US_ASCII);
        Peers.Echo echo = new Peers.Echo(new InetSocketAddress(host, 0), true);
        int port = echo.port();
        try {
            prober.watch(Map.of(t, check(new Probe.Udp(hello, "sbulb".getBytes(StandardCharsets.US_ASCII)), port)));
            await(count("ok", 3));
            // sent from the host's own (loopback) address, from one socket
            assertThat(echo.senders).extracting(InetSocketAddress::getAddress).containsOnly(InetAddress.getByName(host));
            echo.close();
            List<String> down = await(l -> l.contains("DOWN"));
            assertExactRun(down, "DOWN", 0);

            echo = new Peers.Echo(new InetSocketAddress(host, port), true);
            List<String> up = await(l -> l.contains("UP"));
            assertExactRun(up, "UP", up.indexOf("DOWN"));
        } finally {
            echo.close();
        }
    }

    @Test
    void aServerThatNeverAnswersIsDownAfterFallTimeouts() throws Exception {
        Target t = target("127.0.0.1");
        try (Peers.Echo silent = new Peers.Echo(new InetSocketAddress("127.0.0.1", 0), false)) {
            prober.watch(Map.of(t, check(new Probe.Coap(), silent.port())));
            List<String> down = await(l -> l.contains("DOWN"));
            assertThat(down).containsExactly("fail: no answer within 50ms", "fail: no answer within 50ms",
                    "fail: no answer within 50ms", "DOWN");
            assertThat(silent.senders).hasSizeGreaterThanOrEqualTo(FALL);
        }
    }

    @Test
    void aWrongAnswerIsAFailureThatSaysWhy() throws Exception {
        Target t = target("127.0.0.1");
        try (Peers.Echo echo = new Peers.Echo(new InetSocketAddress("127.0.0.1", 0), true)) {
            // an echo sends the Confirmable ping back: not a Reset
            prober.watch(Map.of(t, check(new Probe.Coap(), echo.port())));
            List<String> down = await(l -> l.contains("DOWN"));
            assertThat(down.get(0)).isEqualTo("fail: CoAP type 0 code 0 for a ping, expected a Reset (type 3, code 0)");
            assertThat(events.get(0).lastError()).startsWith("CoAP type 0");
        }
        try (Peers.Echo echo = new Peers.Echo(new InetSocketAddress("127.0.0.1", 0), true)) {
            Target u = target("127.0.0.2");
            seen.clear();
            prober.watch(Map.of(u, check(new Probe.Udp(new byte[] {1, 2}, new byte[] {1, 3}), echo.port())));
            List<String> down = await(l -> l.contains("DOWN"));
            assertThat(down.get(0)).isEqualTo("fail: port unreachable (ICMP)"); // 127.0.0.2: nothing there
        }
    }

    @Test
    void aPrefixMismatchNamesTheBytes() throws Exception {
        Target t = target("127.0.0.1");
        try (Peers.Echo echo = new Peers.Echo(new InetSocketAddress("127.0.0.1", 0), true)) {
            prober.watch(Map.of(t, check(new Probe.Udp(new byte[] {1, 2}, new byte[] {1, 3}), echo.port())));
            List<String> down = await(l -> l.contains("DOWN"));
            assertThat(down.get(0)).isEqualTo("fail: the reply (2 bytes) does not start with the expected 2 bytes; it starts with 0102");
        }
    }

    @Test
    void aTargetWatchedAgainKeepsItsStateAndOneDroppedIsForgotten() throws Exception {
        Target t = target("127.0.0.1");
        try (Peers.Echo silent = new Peers.Echo(new InetSocketAddress("127.0.0.1", 0), false)) {
            HealthCheck c = check(new Probe.Coap(), silent.port());
            prober.watch(Map.of(t, c));
            await(l -> l.contains("DOWN"));
            prober.watch(Map.of(t, c));
            await(count("fail", FALL + 2));
            assertThat(prober.states()).containsEntry(t, State.DOWN);
            prober.watch(Map.of());
            while (!prober.states().isEmpty()) {
                Thread.sleep(10);
            }
        }
    }
}
