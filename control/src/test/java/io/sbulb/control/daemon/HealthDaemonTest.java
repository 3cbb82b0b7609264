package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.RealServer;
import io.sbulb.api.Reason;
import io.sbulb.control.config.ServicesFile;
import io.sbulb.control.health.HealthCheck;
import io.sbulb.control.health.HealthEvent;
import io.sbulb.control.health.Peers;
import io.sbulb.control.health.Probes;
import io.sbulb.control.health.RiseFall.State;
import io.sbulb.control.health.Target;
import io.sbulb.sim.ReferenceDataplane;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with health checks, against the reference model: state changes logged, one line
 * each, and turned into the configuration the data path runs (decision 1); the status line counts
 * the servers down. States are fed through the daemon's hook, and, in the last test, by the real
 * prober watching UDP servers on loopback.
 */
@Timeout(30)
class HealthDaemonTest {

    private static final long ALL = Reason.eventMask(EnumSet.allOf(Reason.class));
    private static final String SERVICES = """
            limits: {max-ports: 4, max-real-servers: 3, max-associations: 64}
            services:
              - name: coap
                vip: 198.18.0.1
                ports: [5683]
                real-servers: [198.18.1.1, 198.18.1.2, 198.18.1.3]
                health: {probe: coap}
              - name: dtls
                vip: 198.18.0.2
                ports: [5684]
                real-servers: [198.18.1.4, 198.18.1.5]
                health: {probe: dtls, on-down: keep, all-down: keep}
              - name: plain
                vip: 198.18.0.3
                ports: [5685]
                real-servers: [198.18.1.6]
            """;

    @TempDir
    Path dir;

    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);
    private final ReferenceDataplane model = new ReferenceDataplane(new Limits(4, 3, 64), LruParameters.detect(), ALL);
    private final List<Map<Target, HealthCheck>> watched = new ArrayList<>();
    private long now;

    /** Records what the daemon asks to be probed; probes nothing (the states are fed by the test). */
    private final class Recorder implements Probes {
        @Override
        public void watch(Map<Target, HealthCheck> targets) {
            watched.add(targets);
        }

        @Override
        public void close() {
        }
    }

    private Daemon start(Path file, String yaml) {
        ServicesFile.Contents c = ServicesFile.parse(yaml, file.toString());
        Daemon d = Daemon.start(new Daemon.Settings("eth0", c.config(), file, Daemon.FileFormat.SERVICES, c.health()),
                model, out, SdNotify.disabled(), () -> { }, e -> { }, l -> new Recorder());
        d.scheduler(now);
        return d;
    }

    private void pass(Daemon d, long millis) {
        now = DaemonTest.pass(d, now, millis);
    }

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    /** A state change found by the service's check of this file ({@link #SERVICES}: coap or dtls, port as the service's). */
    private HealthEvent event(String service, String server, State state) {
        Target t = new Target(service, ip(server));
        return new HealthEvent(t, watched.get(watched.size() - 1).get(t), state, state == State.DOWN ? 3 : 2,
                "no answer within 1s");
    }

    private List<RealServer> servers(String service) {
        return model.configuration().service(service).orElseThrow().realServers();
    }

    private static List<RealServer> rs(Object... addressesAndWeights) {
        List<RealServer> l = new ArrayList<>();
        for (int i = 0; i < addressesAndWeights.length; i += 2) {
            l.add(new RealServer(ip((String) addressesAndWeights[i]), (Integer) addressesAndWeights[i + 1]));
        }
        return l;
    }

    @Test
    void stateChangesAreLoggedAndMakeTheConfigurationAsDecisionOneSays() throws IOException {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, SERVICES);
        Daemon d = start(f, SERVICES);
        DataplaneConfig file = model.configuration();
        assertThat(watched).hasSize(1);
        assertThat(watched.get(0).keySet()).extracting(Target::service).containsOnly("coap", "dtls").hasSize(5);
        assertThat(d.status()).isEqualTo("balancing 3 services on eth0 over 6 real servers; 0 of 5 probed real servers down");

        d.healthChanged(event("coap", "198.18.1.2", State.DOWN)); // on-down move: it leaves the list
        d.healthChanged(event("dtls", "198.18.1.4", State.DOWN)); // on-down keep: weight 0
        pass(d, 100);
        assertThat(servers("coap")).isEqualTo(rs("198.18.1.1", 1, "198.18.1.3", 1));
        assertThat(servers("dtls")).isEqualTo(rs("198.18.1.4", 0, "198.18.1.5", 1));
        assertThat(text.toString().lines()).contains(
                "sbulb: service coap server 198.18.1.2 DOWN: coap probe failed 3 times in a row, last: no answer within 1s",
                "sbulb: service dtls server 198.18.1.4 DOWN: dtls probe failed 3 times in a row, last: no answer within 1s");
        assertThat(d.status()).isEqualTo("balancing 3 services on eth0 over 5 real servers; 2 of 5 probed real servers down");

        d.healthChanged(event("dtls", "198.18.1.5", State.DOWN)); // all down, all-down keep: health ignored
        d.healthChanged(event("coap", "198.18.1.1", State.DOWN));
        d.healthChanged(event("coap", "198.18.1.3", State.DOWN)); // all down, all-down drop: nobody
        pass(d, 100);
        assertThat(servers("dtls")).isEqualTo(file.service("dtls").orElseThrow().realServers());
        assertThat(servers("coap")).isEmpty();
        assertThat(servers("plain")).isEqualTo(rs("198.18.1.6", 1));
        assertThat(d.status()).endsWith("; 5 of 5 probed real servers down");

        d.healthChanged(event("coap", "198.18.1.2", State.UP)); // back in its place
        pass(d, 100);
        assertThat(servers("coap")).isEqualTo(rs("198.18.1.2", 1));
        assertThat(text.toString().lines()).contains("sbulb: service coap server 198.18.1.2 UP: coap probe answered 2 "
                + "times in a row");

        // the health sections alone change: on-down keep for coap, its servers down keep their clients
        Files.writeString(f, SERVICES.replace("health: {probe: coap}", "health: {probe: coap, on-down: keep}"));
        pass(d, 300);
        assertThat(text.toString().lines()).contains("sbulb: " + f + ": the health checks changed");
        assertThat(servers("coap")).isEqualTo(rs("198.18.1.1", 0, "198.18.1.2", 1, "198.18.1.3", 0));

        // a server removed from the file is no longer probed; its late event is ignored
        Files.writeString(f, SERVICES.replace("health: {probe: coap}", "health: {probe: coap, on-down: keep}")
                .replace("198.18.1.2, 198.18.1.3]", "198.18.1.2]"));
        pass(d, 300);
        assertThat(watched.get(watched.size() - 1)).doesNotContainKey(new Target("coap", ip("198.18.1.3")));
        d.healthChanged(new HealthEvent(new Target("coap", ip("198.18.1.3")),
                watched.get(0).get(new Target("coap", ip("198.18.1.1"))), State.UP, 2, null));
        pass(d, 100);
        assertThat(servers("coap")).isEqualTo(rs("198.18.1.1", 0, "198.18.1.2", 1));
        assertThat(d.status()).endsWith("; 3 of 4 probed real servers down");
        d.close();
    }

    /** The clients of a server DOWN (on-down move) that moved away meanwhile are counted in its UP line. */
    @Test
    void aServerBackUpSaysHowManyOfItsClientsMovedAwayWhileItWasDown() throws IOException {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, SERVICES);
        Daemon d = start(f, SERVICES);
        List<String> bound = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bound.add(send(i));
        }
        assertThat(bound).containsExactly("198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.1.1", "198.18.1.2",
                "198.18.1.3");
        d.healthChanged(event("coap", "198.18.1.2", State.DOWN));
        pass(d, 100);
        send(1); // one of its two clients sends while it is down: it moves
        send(1);
        d.healthChanged(event("coap", "198.18.1.2", State.UP));
        pass(d, 100);
        assertThat(text.toString().lines()).containsSubsequence(
                "sbulb: service coap server 198.18.1.2 UP: coap probe answered 2 times in a row",
                "sbulb: service coap server 198.18.1.2: 1 client moved away while it was down");
        assertThat(send(4)).as("the one that did not send is its own again").isEqualTo("198.18.1.2");
    }

    /** Client {@code i}'s datagram to service coap; the real server it went to. */
    private String send(int i) {
        io.sbulb.api.Result r = model.process(io.sbulb.api.frame.UdpFrame.builder()
                .source(ip("198.18.5." + (i + 1)), 40000).destination(ip("198.18.0.1"), 5683).build().toFrame());
        assertThat(r.verdict()).isEqualTo(io.sbulb.api.Verdict.TX);
        return io.sbulb.api.frame.UdpFrame.parse(r.output()).destination().address().toString();
    }

    @Test
    void theProberMarksAStoppedServerDownAndItsRestartUp() throws Exception {
        try (Peers.Echo one = new Peers.Echo(new InetSocketAddress("127.0.0.1", 0), true)) {
            int port = one.port();
            Peers.Echo two = new Peers.Echo(new InetSocketAddress("127.0.0.2", port), true);
            String yaml = """
                    services:
                      - name: echo
                        vip: 198.18.0.1
                        ports: [5683]
                        real-servers: [127.0.0.1, 127.0.0.2]
                        health: {probe: udp, payload: ping, port: %d, interval: 100ms, timeout: 50ms}
                    """.formatted(port);
            model.close();
            ReferenceDataplane dataplane = new ReferenceDataplane(Limits.DEFAULT, LruParameters.detect(), ALL);
            ServicesFile.Contents c = ServicesFile.parse(yaml, "services.yaml");
            Daemon d = Daemon.start(new Daemon.Settings("lo", c.config(), null, Daemon.FileFormat.SERVICES, c.health()),
                    dataplane, out, SdNotify.disabled(), () -> { }, e -> { });
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    d.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                two.close();
                while (dataplane.configuration().realServerCount() != 1) {
                    Thread.sleep(10); // bounded by the test's timeout: fall (3) x interval (100 ms) and a little
                }
                assertThat(dataplane.configuration().service("echo").orElseThrow().addresses())
                        .containsExactly(ip("127.0.0.1"));
                two = new Peers.Echo(new InetSocketAddress("127.0.0.2", port), true);
                while (dataplane.configuration().realServerCount() != 2) {
                    Thread.sleep(10);
                }
            } finally {
                d.requestStop("test over");
                running.get(10, TimeUnit.SECONDS);
                d.close();
                two.close();
            }
            List<String> lines = text.toString().lines().toList();
            assertThat(lines).containsSubsequence(
                    "sbulb: service echo server 127.0.0.2 DOWN: udp probe failed 3 times in a row, last: port unreachable (ICMP)",
                    "sbulb:   service echo [1] remove 127.0.0.2",
                    "sbulb: now balancing 1 service on lo over 1 real server; 1 of 2 probed real servers down",
                    "sbulb: service echo server 127.0.0.2 UP: udp probe answered 2 times in a row",
                    "sbulb:   service echo [1] add 127.0.0.2",
                    "sbulb: now balancing 1 service on lo over 2 real servers; 0 of 2 probed real servers down");
            assertThat(d.status()).endsWith("; 0 of 2 probed real servers down");
        }
    }
}
