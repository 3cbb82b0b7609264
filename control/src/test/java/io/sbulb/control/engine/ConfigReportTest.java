package io.sbulb.control.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.control.health.HealthCheck;
import io.sbulb.control.health.Probe;
import io.sbulb.control.health.ServiceHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sbulb check's words: the cycle is nginx's smooth weighted round robin (3:1 gives 0,0,1,0 by its definition). */
class ConfigReportTest {

    private static RealServer rs(String a, int w) {
        return new RealServer(IpAddress.parse(a), w);
    }

    @Test
    void eachServiceWithItsServersWeightsAndCycle() {
        DataplaneConfig c = DataplaneConfig.of(List.of(
                Service.of("coap", IpAddress.parse("198.18.0.10"), List.of(5684, 5683),
                        List.of(rs("198.18.2.11", 3), rs("198.18.2.12", 1), rs("198.18.2.13", 0))),
                Service.of("idle", IpAddress.parse("fd00::10"), List.of(5683), List.of(rs("fd00:2::11", 0)))));
        ServiceHealth health = new ServiceHealth(new HealthCheck(new Probe.Dtls(), 5684, Duration.ofMillis(500),
                Duration.ofMillis(200), 1, 2), ServiceHealth.OnDown.KEEP, ServiceHealth.AllDown.KEEP, Duration.ofMinutes(2));
        assertThat(ConfigReport.lines(new Limits(16, 32, 1 << 20, 64), c, Map.of("coap", health))).containsExactly(
                "limits: 64 services; per service 16 ports and 32 real servers (a round-robin cycle of at most 2048 "
                        + "picks); 1048576 associations per address family",
                "2 services, 4 real servers:",
                "service coap: virtual server 198.18.0.10, ports 5683,5684",
                "  [0] 198.18.2.11 weight 3",
                "  [1] 198.18.2.12 weight 1",
                "  [2] 198.18.2.13 weight 0 (draining: keeps its clients, takes no new one)",
                "  round robin, a cycle of 4 new clients: [0] [0] [1] [0]",
                "  health: dtls client-hello to port 5684 every 500ms, timeout 200ms, down after 2 failures, up after 1 "
                        + "answer; on-down keep (it keeps its clients), all-down keep (health ignored), drained after 2m quiet",
                "service idle: virtual server fd00::10, ports 5683",
                "  [0] fd00:2::11 weight 0 (draining: keeps its clients, takes no new one)",
                "  round robin: no real server takes new clients (no server, or all of weight 0)",
                "  no health check: its real servers are taken as up");
    }

    @Test
    void aDtlsCidServiceShowsItsLayoutAndEachServersNodeId() {
        DataplaneConfig c = DataplaneConfig.of(List.of(
                Service.of("dtls", IpAddress.parse("198.18.0.11"), List.of(5684), List.of(
                        new RealServer(IpAddress.parse("198.18.2.21"), 1, 1),
                        new RealServer(IpAddress.parse("198.18.2.22"), 0, 2)), io.sbulb.api.DtlsCid.ofLength(6)),
                Service.of("wide", IpAddress.parse("fd00::11"), List.of(5684), List.of(
                        new RealServer(IpAddress.parse("fd00:2::21"), 1, 0x0102)), new io.sbulb.api.DtlsCid(8, 2, 2))));
        assertThat(ConfigReport.lines(Limits.DEFAULT, c)).containsSubsequence(
                "service dtls: virtual server 198.18.0.11, ports 5684",
                "  [0] 198.18.2.21 weight 1 node-id 1",
                "  [1] 198.18.2.22 weight 0 node-id 2 (draining: keeps its clients, takes no new one)",
                "  round robin, a cycle of 1 new client: [0]",
                "  dtls-cid: connection ids of 6 bytes, the node id in byte 0: a DTLS record with a connection id goes "
                        + "to the server of its node id",
                "  [0] fd00:2::21 weight 1 node-id 258",
                "  dtls-cid: connection ids of 8 bytes, the node id in bytes 2..3 (big-endian): a DTLS record with a "
                        + "connection id goes to the server of its node id");
    }

    @Test
    void aLongCycleIsCut() {
        List<RealServer> list = new ArrayList<>();
        list.add(rs("198.18.2.1", 100));
        list.add(rs("198.18.2.2", 1));
        Service s = Service.of("s", IpAddress.parse("198.18.0.10"), List.of(1), list);
        assertThat(ConfigReport.cycle(s)).startsWith("round robin, a cycle of 101 new clients: [0] [0]")
                .endsWith(" ... (37 more)");
    }
}
