package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RealServer;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Service;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DrainReporterTest {

    private static final long S = 1_000_000_000L;
    private static final IpAddress VIP = IpAddress.parse("198.18.0.10");
    private static final ServerRef RS2 = new ServerRef("coap", IpAddress.parse("198.18.2.12"));

    private static DataplaneConfig config(int rs2Weight) {
        return DataplaneConfig.of(List.of(Service.of("coap", VIP, Set.of(5683),
                List.of(RealServer.of("198.18.2.11", 1), RealServer.of("198.18.2.12", rs2Weight)))));
    }

    @Test
    void aWeightZeroServerIsReportedDrainedOnceAfterTheQuietPeriodWithoutFrames() {
        DrainReporter r = new DrainReporter();
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 10L), 0)).containsExactly("service coap server 198.18.2.12 "
                + "draining: weight 0, it keeps its clients and takes no new one; drained after 30 s without a frame");
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 15L), 20 * S)).as("it still carries traffic").isEmpty();
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 15L), 49 * S)).as("29 s quiet, 30 needed").isEmpty();
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 15L), 50 * S))
                .containsExactly("service coap server 198.18.2.12 drained: no frame for 30 s");
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 15L), 51 * S)).as("said once").isEmpty();
        assertThat(r.status()).isEqualTo("; 1 drained");
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 16L), 52 * S)).as("a frame again").isEmpty();
        assertThat(r.status()).isEmpty();
        assertThat(r.sample(config(1), Map.of(), Map.of(RS2, 16L), 100 * S)).as("weight 1 again: not draining").isEmpty();
        assertThat(r.status()).isEmpty();
        assertThat(r.sample(config(0), Map.of(), Map.of(RS2, 16L), 101 * S)).as("draining again: said again")
                .hasSize(1).allMatch(l -> l.contains(" draining: weight 0"));
    }
}
