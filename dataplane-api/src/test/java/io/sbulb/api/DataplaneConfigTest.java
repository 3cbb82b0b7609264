package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataplaneConfigTest {

    private static final Limits LIMITS = new Limits(2, 3, 10, 2);
    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");
    private static final IpAddress VIP6 = IpAddress.parse("fd00::1");

    private static List<IpAddress> rs(String... a) {
        return java.util.Arrays.stream(a).map(IpAddress::parse).toList();
    }

    private static Service svc(String name, IpAddress vip, Set<Integer> ports, String... servers) {
        return Service.unweighted(name, vip, ports, rs(servers));
    }

    @Test
    void errorsNameTheServiceTheValueAndTheLimit() {
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1, 2, 3), List.of()).validate(LIMITS))
                .hasMessage("service default: 3 ports configured, at most 2 allowed (-mp)");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1", "198.18.1.2", "198.18.1.3",
                "198.18.1.4")).validate(LIMITS))
                .hasMessage("service default: 4 real servers configured, at most 3 allowed (-mrs)");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(70000), List.of()))
                .hasMessage("service default: port 70000 is outside 1..65535");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1", "fd00::1")))
                .hasMessage("service default: real server fd00::1 is IPv6 but the virtual server 198.18.0.1 is IPv4");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1", "198.18.1.1")))
                .hasMessage("service default: real server 198.18.1.1 is listed twice (positions 0 and 1)");
        assertThatThrownBy(() -> new Limits(0, 1, 1)).hasMessage("max ports (-mp) is 0, must be between 1 and 65535");
        assertThatThrownBy(() -> Service.unweighted("bad name", VIP, Set.of(1), List.of()))
                .hasMessageContaining("service name 'bad name'");
        assertThatThrownBy(() -> RealServer.of("198.18.1.1", 256))
                .hasMessage("real server 198.18.1.1 has weight 256, must be between 0 and 255");
    }

    @Test
    void servicesMustNotShareAnEndpointNorTurnAServerIntoAVip() {
        assertThatThrownBy(() -> DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1)), svc("b", VIP, Set.of(1, 2))))
                .validate(LIMITS)).hasMessage("services a and b both balance 198.18.0.1:1");
        assertThatThrownBy(() -> DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1), "198.18.1.1"),
                svc("b", IpAddress.parse("198.18.0.2"), Set.of(1), "198.18.1.1"))).validate(LIMITS))
                .hasMessageStartingWith("real server 198.18.1.1:1 is in services a and b on the same port");
        assertThatThrownBy(() -> DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1), "198.18.1.1"),
                svc("b", IpAddress.parse("198.18.1.1"), Set.of(2)))).validate(LIMITS))
                .hasMessage("address 198.18.1.1 is the virtual server of service b and a real server of service a");
        assertThatThrownBy(() -> DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1)), svc("a", VIP6, Set.of(1))))
                .validate(LIMITS)).hasMessage("service name a is used twice (services 0 and 1)");
        assertThatThrownBy(() -> DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1)), svc("b", VIP6, Set.of(1)),
                svc("c", IpAddress.parse("198.18.0.3"), Set.of(1)))).validate(LIMITS))
                .hasMessage("3 services configured, at most 2 allowed (--max-services)");
        // shared VIP on other ports, shared server on other ports, both families: fine
        DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1), "198.18.1.1"), svc("b", VIP, Set.of(2), "198.18.1.1")))
                .validate(LIMITS);
        DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1), "198.18.1.1"), svc("b", VIP6, Set.of(1), "fd00:2::1")))
                .validate(LIMITS);
    }

    @Test
    void aCycleLongerThanTheLimitIsRefused() {
        Limits tiny = new Limits(2, 1, 10, 2); // cycles of at most 64 picks
        Service heavy = Service.of("w", VIP, Set.of(1), List.of(RealServer.of("198.18.1.1", 65)));
        heavy.validate(new Limits(2, 2, 10, 2)); // 65 / gcd 65 = 1 pick
        Service skewed = Service.of("w", VIP, Set.of(1), List.of(RealServer.of("198.18.1.1", 64),
                RealServer.of("198.18.1.2", 1)));
        skewed.validate(new Limits(2, 2, 10, 2)); // 65 picks, at most 128
        assertThatThrownBy(() -> DataplaneConfig.of(List.of(skewed)).validate(tiny))
                .hasMessageContaining("2 real servers configured, at most 1 allowed");
        Service wide = Service.of("w", VIP, Set.of(1), List.of(RealServer.of("198.18.1.1", 200),
                RealServer.of("198.18.1.2", 1)));
        assertThatThrownBy(() -> wide.validate(new Limits(2, 2, 10, 2)))
                .hasMessage("service w: the weights [200, 1] make a round-robin cycle of 201 picks (their sum divided "
                        + "by their greatest common divisor), at most 128 allowed (64 x -mrs)");
    }

    @Test
    void configurationsAreValuesAndCopiesChangeOneField() {
        DataplaneConfig c = DataplaneConfig.of(VIP, Set.of(5683), rs("198.18.1.1"));
        assertThat(c).isEqualTo(DataplaneConfig.of(VIP, List.of(5683), rs("198.18.1.1")));
        assertThat(c.withPorts(Set.of(1)).ports()).containsExactly(1);
        assertThat(c.withPorts(Set.of(1)).realServers()).isEqualTo(c.realServers());
        assertThat(c.withVirtualServer(null).virtualServer()).isEmpty();
        assertThat(c.withVirtualServer(null)).isEqualTo(DataplaneConfig.empty());
        assertThat(c.services()).singleElement().extracting(Service::name).isEqualTo(Service.DEFAULT_NAME);
        DataplaneConfig two = DataplaneConfig.of(List.of(svc("a", VIP, Set.of(1)), svc("b", VIP6, Set.of(1))));
        assertThatThrownBy(two::realServers).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hostAddressesAreNeitherAVipNorARealServerAndOutliveEdits() {
        IpAddress host4 = IpAddress.parse("198.18.0.254");
        IpAddress host6 = IpAddress.parse("fd00::fe");
        DataplaneConfig c = DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1")).withHostAddresses(Set.of(host6, host4));
        c.validate(LIMITS);
        assertThat(c.hostAddresses()).containsExactly(host4, host6);
        assertThat(DataplaneConfig.empty().hostAddresses()).isEmpty();
        assertThat(c).isNotEqualTo(c.withHostAddresses(Set.of())).isEqualTo(c.withHostAddresses(Set.of(host4, host6)));
        assertThat(c.toString()).endsWith("; host addresses [198.18.0.254, fd00::fe]");
        assertThat(c.withRealServers(rs("198.18.1.2")).hostAddresses()).containsExactly(host4, host6);
        assertThat(c.withPorts(Set.of(2)).hostAddresses()).containsExactly(host4, host6);
        assertThat(c.withVirtualServer(null).hostAddresses()).containsExactly(host4, host6);
        assertThat(c.withServices(List.of(svc("x", VIP6, Set.of(1)))).hostAddresses()).containsExactly(host4, host6);
        assertThatThrownBy(() -> c.withHostAddresses(Set.of(VIP)).validate(LIMITS))
                .hasMessage("host address 198.18.0.1 is the virtual server of service default: the balancer host's own "
                        + "addresses are never balanced");
        assertThatThrownBy(() -> c.withHostAddresses(Set.of(IpAddress.parse("198.18.1.1"))).validate(LIMITS))
                .hasMessage("host address 198.18.1.1 is a real server of service default: the balancer host's own "
                        + "addresses are never balanced");
        java.util.Set<IpAddress> withNull = new java.util.HashSet<>();
        withNull.add(null);
        assertThatThrownBy(() -> c.withHostAddresses(withNull)).hasMessage("a host address is missing (null)");
    }
}
