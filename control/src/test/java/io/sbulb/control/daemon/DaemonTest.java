package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Association;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.DataplaneFailure;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.ForwardingControl;
import io.sbulb.sim.ReferenceDataplane;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon against the reference model, without root: the file watch reconciled into the data
 * path, refusals, a server removed under its clients, the event drain and the watchdog. Time is
 * driven through the daemon's scheduler (no sleeping), except in the one test of run().
 */
@Timeout(30)
class DaemonTest {

    private static final Net N = Net.V4;
    private static final long ALL = Reason.eventMask(EnumSet.allOf(Reason.class));

    @TempDir
    Path dir;

    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);
    private final List<DataplaneEvent> events = new ArrayList<>();
    private final Model model = new Model(new ReferenceDataplane(new Limits(4, 3, 64), LruParameters.detect(), ALL));
    private long now;

    /** The model, with a watchdog a test can fail and a count of closes. */
    private static final class Model extends ForwardingControl {
        final ReferenceDataplane inner;
        String failure;
        int closes;

        Model(ReferenceDataplane inner) {
            this.inner = inner;
        }

        @Override
        protected DataplaneControl delegate() {
            return inner;
        }

        Result send(UdpFrame f) {
            return inner.process(f.toFrame());
        }

        @Override
        public void checkRunning() {
            if (failure != null) {
                throw new DataplaneFailure(failure);
            }
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private Path file(List<IpAddress> servers) throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.writeString(f, "[Real Servers]\n" + servers.stream().map(IpAddress::toString)
                .collect(Collectors.joining("\n")) + "\n");
        return f;
    }

    private Daemon start(Path file) {
        DataplaneConfig config = N.config(3);
        Daemon d = Daemon.start(new Daemon.Settings("eth0", config, file), model, out, SdNotify.disabled(),
                () -> out.println("sbulb: live"), events::add);
        d.scheduler(now);
        return d;
    }

    /** Lets {@code millis} of scheduled time pass, 100 ms at a time. */
    private void pass(Daemon d, long millis) {
        now = pass(d, now, millis);
    }

    /** Lets {@code millis} of scheduled time pass from {@code now}, 100 ms at a time; returns the new now. */
    static long pass(Daemon d, long now, long millis) {
        long t = now;
        for (long end = now + millis; t < end; ) {
            t += Daemon.POLL_MILLIS;
            d.scheduler(0).runDue(t);
        }
        return t;
    }

    private List<String> lines() {
        return text.toString().lines().toList();
    }

    @Test
    void itConfiguresThenGoesLiveThenWatchesTheFileAndAppliesAChangeWhole() throws IOException {
        Path f = file(N.servers(0, 3));
        Daemon d = start(f);
        assertThat(lines()).containsExactly(
                "sbulb: virtual server 198.18.0.1, ports 5683, real servers [0] 198.18.1.1 [1] 198.18.1.2 "
                        + "[2] 198.18.1.3 (from " + f + ")",
                "sbulb: live");
        assertThat(d.status()).isEqualTo("balancing 198.18.0.1 ports 5683 on eth0 over 3 real servers");
        pass(d, 300);
        assertThat(lines()).hasSize(2);

        file(List.of(N.rs(2), N.rs(0)));
        pass(d, 300);
        assertThat(lines()).containsSubsequence(
                "sbulb:   [0] 198.18.1.1 -> 198.18.1.3",
                "sbulb:   [1] 198.18.1.2 -> 198.18.1.1",
                "sbulb:   [2] remove 198.18.1.3 (it stays at [0] with its clients)",
                "sbulb: real servers now [0] 198.18.1.3 [1] 198.18.1.1");
        assertThat(model.configuration().realServers()).containsExactly(N.rs(2), N.rs(0));
        assertThat(d.status()).endsWith("over 2 real servers");
    }

    @Test
    void aBadFileOrOneTheLimitsRefuseIsReportedOnceAndTheRunningListKept() throws IOException {
        Path f = file(N.servers(0, 3));
        Daemon d = start(f);
        pass(d, 300);
        Files.writeString(f, "[Real Servers]\n198.18.1.1\nnot-an-address\n");
        pass(d, 500);
        List<String> refused = lines().stream().filter(l -> l.startsWith("sbulb: new real-server list not applied"))
                .toList();
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0)).contains(f.toString(), "line 3", "not-an-address", "the running one is kept");

        file(N.servers(0, 4)); // -mrs 3
        pass(d, 500);
        assertThat(lines()).filteredOn(l -> l.startsWith("sbulb: new real-server list not applied")).hasSize(2)
                .last().asString().contains("4 real servers").contains("at most 3");
        assertThat(model.configuration()).isEqualTo(N.config(3));
    }

    @Test
    void aServerRemovedUnderItsClientsLosesThemOnTheirNextDatagramAndItsLateRepliesAreDropped() throws IOException {
        Path f = file(N.servers(0, 3));
        Daemon d = start(f);
        Endpoint[] clients = {N.client(0), N.client(1), N.client(2)};
        for (Endpoint c : clients) {
            assertThat(model.send(N.toVip(c)).reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
        }
        assertThat(model.associations()).extracting(Association::realServer).containsExactly(N.rs(0), N.rs(1), N.rs(2));
        pass(d, 200);
        assertThat(events).extracting(DataplaneEvent::reason).containsOnly(Reason.INGRESS_NEW_NAT).hasSize(3);
        assertThat(events.get(1).source()).isEqualTo(clients[1]);
        assertThat(events.get(1).nat()).isEqualTo(N.rs(1));
        events.clear();

        file(List.of(N.rs(0), N.rs(2))); // 198.18.1.2 leaves; 198.18.1.3 moves to [1]
        pass(d, 300);
        assertThat(model.configuration().realServers()).containsExactly(N.rs(0), N.rs(2));

        Result late = model.send(N.fromServer(N.rs(1), clients[1]));
        assertThat(late.verdict()).isEqualTo(Verdict.DROP);
        assertThat(late.reason()).isEqualTo(Reason.EGRESS_REMOVED_REAL_SERVER);
        assertThat(model.send(N.toVip(clients[2])).reason()).as("a server that moved keeps its client")
                .isEqualTo(Reason.INGRESS_REUSED_NAT);
        Result moved = model.send(N.toVip(clients[1]));
        assertThat(moved.reason()).as("re-balanced on its next datagram").isEqualTo(Reason.INGRESS_NEW_NAT);
        assertThat(UdpFrame.parse(moved.output()).destination().address()).isIn(N.rs(0), N.rs(2));
        pass(d, 100);
        assertThat(events).extracting(DataplaneEvent::reason).containsExactly(Reason.EGRESS_REMOVED_REAL_SERVER,
                Reason.INGRESS_REUSED_NAT, Reason.INGRESS_NEW_NAT);
    }

    @Test
    void aFullBudgetOfEventsIsDrainedAgainAtOnce() {
        Daemon d = start(null);
        for (int i = 0; i < Daemon.EVENTS_PER_DRAIN + 10; i++) {
            model.send(N.toVip(N.client(i % 200, 1024 + i / 200)));
        }
        Scheduler s = d.scheduler(0);
        now += Daemon.POLL_MILLIS;
        assertThat(s.runDue(now)).as("more waiting: due again at once").isEqualTo(now);
        assertThat(events).hasSize(Daemon.EVENTS_PER_DRAIN);
        s.runDue(now);
        assertThat(events).hasSize(Daemon.EVENTS_PER_DRAIN + 10);
    }

    @Test
    void aWatchdogFailureIsFatalAndClosingClosesTheDataplaneOnce() {
        Daemon d = start(null);
        pass(d, 1000);
        model.failure = "XDP program 7 is no longer attached to eth0";
        assertThatThrownBy(() -> pass(d, 1000)).isInstanceOf(DataplaneFailure.class)
                .hasMessage("XDP program 7 is no longer attached to eth0");
        d.close();
        d.close();
        assertThat(model.closes).isEqualTo(1);
        assertThat(lines()).last().isEqualTo("sbulb: detached from eth0");
    }

    @Test
    void aFailureWhileGoingLiveClosesTheDataplane() {
        assertThatThrownBy(() -> Daemon.start(new Daemon.Settings("eth0", N.config(3), null), model, out,
                SdNotify.disabled(), () -> {
                    throw new IllegalStateException("attach refused");
                }, events::add)).hasMessage("attach refused");
        assertThat(model.closes).isEqualTo(1);
    }

    @Test
    void runTicksUntilAStopIsRequestedThenDrainsTheLastEvents() throws Exception {
        Daemon d = start(null);
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                d.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        model.send(N.toVip(N.client(0)));
        d.requestStop("test over");
        running.get(10, TimeUnit.SECONDS);
        assertThat(events).extracting(DataplaneEvent::reason).containsExactly(Reason.INGRESS_NEW_NAT);
        assertThat(lines()).contains("sbulb: running; SIGINT or SIGTERM detaches and stops", "sbulb: stopping: test over");
    }

    private static final String SERVICES = """
            limits: {max-ports: 4, max-real-servers: 3, max-associations: 64}
            services:
              - name: coap
                vip: 198.18.0.1
                ports: [5683]
                real-servers: [198.18.1.1, {address: 198.18.1.2, weight: 2}]
              - name: dtls
                vip: 198.18.0.2
                ports: [5684]
                real-servers: [198.18.1.3]
            """;

    private Daemon startServices(Path file) {
        DataplaneConfig config = io.sbulb.control.config.ServicesFile.parse(SERVICES, file.toString()).config();
        Daemon d = Daemon.start(new Daemon.Settings("eth0", config, file, Daemon.FileFormat.SERVICES), model, out,
                SdNotify.disabled(), () -> out.println("sbulb: live"), events::add);
        d.scheduler(now);
        return d;
    }

    @Test
    void aServicesFileChangeIsAppliedWholeAndReportedPerService() throws IOException {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, SERVICES);
        Daemon d = startServices(f);
        assertThat(lines()).containsExactly("sbulb: 2 services (from " + f + "):",
                "sbulb:   service coap: virtual server 198.18.0.1, ports 5683, real servers [0] 198.18.1.1 [1] 198.18.1.2*2",
                "sbulb:   service dtls: virtual server 198.18.0.2, ports 5684, real servers [0] 198.18.1.3",
                "sbulb: live");
        assertThat(d.status()).isEqualTo("balancing 2 services on eth0 over 3 real servers");

        Files.writeString(f, SERVICES.replace("weight: 2}", "weight: 0}").replace("[5684]", "[5684, 5685]"));
        pass(d, 200);
        assertThat(lines()).containsSubsequence("sbulb:   service coap [1] 198.18.1.2*2 -> 198.18.1.2*0",
                "sbulb:   service dtls ports 5684 -> 5684,5685",
                "sbulb: now balancing 2 services on eth0 over 3 real servers");
        assertThat(model.configuration().service("dtls").orElseThrow().ports()).containsExactly(5684, 5685);
    }

    @Test
    void aBadServicesFileKeepsTheRunningConfigurationAndIsReportedOnceWithItsLine() throws IOException {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, SERVICES);
        Daemon d = startServices(f);
        DataplaneConfig running = model.configuration();
        Files.writeString(f, SERVICES.replace("[198.18.1.3]", "[198.18.1.3, 198.18.1.4, 198.18.1.5, 198.18.1.6]"));
        pass(d, 1000);
        assertThat(lines()).filteredOn(l -> l.startsWith("sbulb: new configuration not applied")).containsExactly(
                "sbulb: new configuration not applied: " + f + " line 7, column 5: service dtls: 4 real servers "
                        + "configured, at most 3 allowed (limits: max-real-servers); the running one is kept");
        Files.writeString(f, SERVICES.replace("max-associations: 64", "max-associations: 128"));
        pass(d, 500);
        assertThat(lines()).filteredOn(l -> l.startsWith("sbulb: new configuration not applied")).hasSize(2).last()
                .asString().contains("line 1, column 45: max-associations is 128 but the data path runs with 64");
        assertThat(model.configuration()).isEqualTo(running);
        Files.writeString(f, SERVICES);
        pass(d, 200);
        assertThat(lines()).last().isEqualTo("sbulb: " + f + " is readable and valid again; it holds the running "
                + "configuration");
    }

    @Test
    void aNewContentIsConfirmedASettleTimeLaterNotAPollLater() throws IOException {
        Path f = file(N.servers(0, 3));
        Daemon d = start(f);
        Scheduler s = d.scheduler(0);
        pass(d, 200);
        file(N.servers(0, 2));
        now += Daemon.POLL_MILLIS;
        s.runDue(now);
        assertThat(model.configuration()).as("seen once, not yet applied").isEqualTo(N.config(3));
        assertThat(s.nextDue()).isEqualTo(now + Daemon.SETTLE_MILLIS);
        now += Daemon.SETTLE_MILLIS;
        s.runDue(now);
        assertThat(model.configuration()).isEqualTo(N.config(2));
    }

    @Test
    void runReadsAChangeWhenInotifyReportsIt() throws Exception {
        Path f = file(N.servers(0, 3));
        Daemon d = Daemon.start(new Daemon.Settings("eth0", N.config(3), f), model, out, SdNotify.disabled(), () -> { },
                events::add);
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                d.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            file(N.servers(1, 3));
            for (int i = 0; i < 500 && !model.configuration().equals(N.config(3).withRealServers(N.servers(1, 3))); i++) {
                Thread.sleep(10); // bounded wait for the other thread; the latency itself is measured by ConfigChangeLatency
            }
            assertThat(model.configuration().realServers()).containsExactly(N.rs(1), N.rs(2));
        } finally {
            d.requestStop("test over");
            running.get(10, TimeUnit.SECONDS);
        }
    }
}
