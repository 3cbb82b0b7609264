package io.sbulb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.testing.Privileges;
import io.sbulb.lab.Lab;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's rig counts what it claims: every frame the generator sends (live frames, or
 * the AF_PACKET fallback where the kernel refuses them; printed as "generator: ...") goes
 * through the real balancer (sbulb attached in native mode, nftables DNAT, nginx's proxy, the
 * minimal XDP NAT attached as sbulb is, its table filled beforehand as sbulb's round robin would
 * fill it) and is counted at the sink under the real server that client was given. 30 clients in turn, 100
 * frames each, new to the balancer: round robin gives each of the 3 servers 10 clients, 1000
 * frames, exactly. A rig that lost, duplicated or misattributed frames would fail here.
 */
@Timeout(120)
class LoadRigTest {

    private static final int CLIENTS = 30;
    private static final int FRAMES = 3000;

    @TempDir
    static Path dir;

    static LoadRig rig;

    @BeforeAll
    static void buildTheRig() {
        Privileges.requireNetAdmin();
        if (Machine.HOST.onlineCpus() < 2) {
            Privileges.skipOrFail("the rig needs 2 CPUs, this machine has " + Machine.HOST.onlineCpus());
        }
        rig = LoadRig.create(3, 0, 1, CLIENTS, 128);
        System.out.println("generator: " + rig.generator());
        System.out.println("the balancer core's busy time: " + rig.busyMeter());
    }

    @AfterAll
    static void removeTheRig() {
        if (rig != null) {
            rig.close();
        }
    }

    static Map<String, BiFunction<LoadRig, Integer, Balancer>> balancers() {
        return Map.of(
                "sbulb", (r, basePort) -> new SbulbBalancer(r.lab(), dir, SbulbBalancer.allServers(r.lab())),
                "nftables", (r, basePort) -> new NftablesBalancer(r.lab(), dir),
                "nginx", (r, basePort) -> new NginxBalancer(r.lab(), dir, 1),
                "minimal-nat", (r, basePort) -> new MinimalNatBalancer(r.lab(), basePort, CLIENTS));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sbulb", "nftables", "nginx", "minimal-nat"})
    void everyFrameReachesTheSinkUnderItsClientsRealServer(String name) {
        // fresh client ports for each balancer: the ones before may still be known (conntrack)
        int basePort = LoadRig.BASE_PORT + CLIENTS * List.of("sbulb", "nftables", "nginx", "minimal-nat").indexOf(name);
        rig.clients(basePort, CLIENTS);
        try (Balancer b = balancers().get(name).apply(rig, basePort)) {
            b.start();
            List<Long> napi = rig.pinBalancer();
            assertThat(napi).as("the balancer's NAPI thread").isNotEmpty();

            LoadRig.Step step = rig.load(20_000, (double) FRAMES / 20_000, napi, 16);

            assertThat(step.sent()).isEqualTo(FRAMES);
            assertThat(step.delivered()).as("frames counted at the sink").isEqualTo(FRAMES);
            Map<Integer, Long> perServer = new java.util.TreeMap<>();
            step.perServer().forEach((octet, c) -> perServer.put(octet, c.frames()));
            assertThat(perServer).isEqualTo(Map.of(11, 1000L, 12, 1000L, 13, 1000L));
            assertThat(step.lbTasksNs()).as("the balancer's NAPI thread ran (schedstat, ns)").isPositive();
            if (CpuMeter.precise(Machine.HOST, 1)) { // with /proc/stat's 10 ms ticks a short step may read 0
                assertThat(step.busyNs()).as("the balancer core did some work").isPositive();
            }
        }
        assertThat(Lab.xdpOn(rig.lab().lbNetns(), Lab.LB_INTERFACE)).as("nothing left attached").isEmpty();
    }
}
