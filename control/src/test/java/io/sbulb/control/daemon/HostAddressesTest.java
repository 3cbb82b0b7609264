package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The balancer host's addresses the daemon gives the data path: the interface's, less what the configuration uses. */
class HostAddressesTest {

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void theInterfacesAddressesAreTheHostsButAVipOrServerOnItIsNot() {
        DataplaneConfig c = DataplaneConfig.of(ip("198.18.0.10"), List.of(5683), List.of(ip("198.18.2.11")));
        Daemon.Settings s = new Daemon.Settings("veth0", c, null, Daemon.FileFormat.REAL_SERVERS, Map.of(),
                Set.of(ip("198.18.3.2"), ip("198.18.0.10"), ip("fd00:3::2")));
        DataplaneConfig applied = Daemon.withHost(s, c);
        assertThat(applied.hostAddresses()).containsExactly(ip("198.18.3.2"), ip("fd00:3::2"));
        assertThat(applied.services()).isEqualTo(c.services());
        Daemon.Settings none = new Daemon.Settings("sim", c, null, Daemon.FileFormat.REAL_SERVERS, Map.of());
        assertThat(Daemon.withHost(none, c)).isSameAs(c);
    }
}
