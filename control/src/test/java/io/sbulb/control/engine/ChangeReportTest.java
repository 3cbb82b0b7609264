package io.sbulb.control.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words of a change: per service once there are services, the seed's lines without them. */
class ChangeReportTest {

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    private static Service svc(String name, String vip, List<Integer> ports, RealServer... servers) {
        return Service.of(name, ip(vip), ports, List.of(servers));
    }

    private static RealServer rs(String a, int w) {
        return new RealServer(ip(a), w);
    }

    @Test
    void eachServiceIsAddedRemovedOrChangedByName() {
        DataplaneConfig before = DataplaneConfig.of(List.of(
                svc("a", "198.18.0.10", List.of(5683), rs("198.18.2.11", 1), rs("198.18.2.12", 1)),
                svc("b", "198.18.0.11", List.of(5683), rs("198.18.2.21", 1))));
        DataplaneConfig after = DataplaneConfig.of(List.of(
                svc("a", "198.18.0.10", List.of(5683, 5684), rs("198.18.2.12", 3), rs("198.18.2.11", 1)),
                svc("c", "fd00::10", List.of(5683), rs("fd00:2::11", 0))));
        assertThat(ChangeReport.changes(before, after)).containsExactly(
                "  service a ports 5683 -> 5683,5684",
                "  service a [0] 198.18.2.11 -> 198.18.2.12*3",
                "  service a [1] 198.18.2.12 -> 198.18.2.11",
                "  add service c: virtual server fd00::10, ports 5683, real servers [0] fd00:2::11*0",
                "  remove service b (198.18.0.11 ports 5683): its clients are forgotten");
        assertThat(ChangeReport.changes(after, after)).isEmpty();
        assertThat(ChangeReport.configuration(after)).containsExactly(
                "service a: virtual server 198.18.0.10, ports 5683,5684, real servers [0] 198.18.2.12*3 [1] 198.18.2.11",
                "service c: virtual server fd00::10, ports 5683, real servers [0] fd00:2::11*0");
        assertThat(ChangeReport.status(after, "eth0")).isEqualTo("balancing 2 services on eth0 over 3 real servers");
        assertThat(ChangeReport.status(DataplaneConfig.empty(), "eth0")).isEqualTo("balancing nothing on eth0 over 0 "
                + "real servers");
    }

    @Test
    void theSeedsConfigurationIsWordedAsTheOriginal() {
        DataplaneConfig c = DataplaneConfig.of(ip("198.18.0.10"), List.of(5683), List.of(ip("198.18.2.11")));
        assertThat(ChangeReport.configuration(c)).containsExactly(
                "virtual server 198.18.0.10, ports 5683, real servers [0] 198.18.2.11");
        assertThat(ChangeReport.changes(c, c.withRealServers(List.of(ip("198.18.2.12"), ip("198.18.2.11")))))
                .containsExactly("  [0] 198.18.2.11 -> 198.18.2.12", "  [1] add 198.18.2.11");
    }
}
