package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataplaneConfigTest {

    private static final Limits LIMITS = new Limits(2, 3, 10);
    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");

    private static List<IpAddress> rs(String... a) {
        return java.util.Arrays.stream(a).map(IpAddress::parse).toList();
    }

    @Test
    void errorsNameTheValueAndTheLimit() {
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1, 2, 3), List.of()).validate(LIMITS))
                .hasMessage("3 ports configured, at most 2 allowed (-mp)");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1", "198.18.1.2", "198.18.1.3",
                "198.18.1.4")).validate(LIMITS)).hasMessage("4 real servers configured, at most 3 allowed (-mrs)");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(70000), List.of()).validate(LIMITS))
                .hasMessage("port 70000 is outside 1..65535");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1", "fd00::1")).validate(LIMITS))
                .hasMessage("real server fd00::1 is IPv6 but the virtual server 198.18.0.1 is IPv4");
        assertThatThrownBy(() -> DataplaneConfig.of(VIP, Set.of(1), rs("198.18.1.1", "198.18.1.1")).validate(LIMITS))
                .hasMessage("real server 198.18.1.1 is listed twice (positions 0 and 1)");
        assertThatThrownBy(() -> DataplaneConfig.of(null, Set.of(1), rs("198.18.1.1", "fd00::1")).validate(LIMITS))
                .hasMessageContaining("mix IPv4 and IPv6");
        assertThatThrownBy(() -> new Limits(0, 1, 1)).hasMessage("max ports (-mp) is 0, must be between 1 and 65535");
    }

    @Test
    void positionsIndexEachServer() {
        DataplaneConfig c = DataplaneConfig.of(VIP, Set.of(5683), rs("198.18.1.2", "198.18.1.1"));
        c.validate(LIMITS);
        assertThat(c.realServerPositions()).isEqualTo(Map.of(IpAddress.parse("198.18.1.2"), 0,
                IpAddress.parse("198.18.1.1"), 1));
    }

    @Test
    void configurationsAreValuesAndCopiesChangeOneField() {
        DataplaneConfig c = DataplaneConfig.of(VIP, Set.of(5683), rs("198.18.1.1"));
        assertThat(c).isEqualTo(DataplaneConfig.of(VIP, List.of(5683), rs("198.18.1.1")));
        assertThat(c.withPorts(Set.of(1)).ports()).containsExactly(1);
        assertThat(c.withPorts(Set.of(1)).realServers()).isEqualTo(c.realServers());
        assertThat(c.withVirtualServer(null).virtualServer()).isEmpty();
    }
}
