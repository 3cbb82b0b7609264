package io.sbulb.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneProvider;
import io.sbulb.api.Limits;
import org.junit.jupiter.api.Test;

/** The reference model is found by the name {@code sim} through its registered provider. */
class ReferenceDataplaneProviderTest {

    @Test
    void theModelIsFoundAsSimAndMadeWithTheLimitsGiven() {
        assertThat(DataplaneProvider.available()).extracting(DataplaneProvider::name).containsExactly("sim");
        DataplaneProvider sim = DataplaneProvider.named("sim").orElseThrow();
        assertThat(sim.description()).isNotBlank();
        Limits limits = new Limits(2, 3, 16);
        try (Dataplane dp = sim.create(limits)) {
            assertThat(dp).isInstanceOf(ReferenceDataplane.class);
            assertThat(dp.name()).isEqualTo("sim");
            assertThat(dp.limits()).isEqualTo(limits);
        }
        assertThat(DataplaneProvider.named("xdp")).as("not on this module's classpath").isEmpty();
    }
}
