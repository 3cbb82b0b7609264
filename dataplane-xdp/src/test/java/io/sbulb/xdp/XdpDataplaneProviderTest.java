package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneProvider;
import io.sbulb.api.Limits;
import io.sbulb.api.testing.Privileges;
import org.junit.jupiter.api.Test;

/** The XDP program is found by the name {@code xdp} through its registered provider. */
class XdpDataplaneProviderTest {

    @Test
    void theProviderIsRegisteredAsXdp() {
        assertThat(DataplaneProvider.named("xdp")).get().isInstanceOf(XdpDataplaneProvider.class)
                .extracting(DataplaneProvider::description).asString().contains("needs root");
    }

    @Test
    void itLoadsTheProgramWithTheLimitsGiven() {
        Privileges.requireBpf();
        Limits limits = new Limits(2, 3, 16);
        try (Dataplane dp = DataplaneProvider.named("xdp").orElseThrow().create(limits)) {
            assertThat(dp).isInstanceOf(XdpDataplane.class);
            assertThat(dp.name()).isEqualTo("xdp");
            assertThat(dp.limits()).isEqualTo(limits);
        }
    }
}
