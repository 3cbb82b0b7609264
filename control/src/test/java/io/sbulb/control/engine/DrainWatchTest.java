package io.sbulb.control.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DrainWatchTest {

    private static final long S = 1_000_000_000L;

    @Test
    void drainedOnceTheCountStandsStillForTheQuietPeriod() {
        DrainWatch w = new DrainWatch(Duration.ofSeconds(3));
        assertThat(w.sample(10, 0)).isFalse();
        assertThat(w.sample(12, 2 * S)).as("it moved: the period starts again").isFalse();
        assertThat(w.sample(12, 4 * S)).isFalse();
        assertThat(w.quietFor(4 * S)).isEqualTo(Duration.ofSeconds(2));
        assertThat(w.sample(12, 5 * S)).as("3 s without a frame").isTrue();
        assertThat(w.sample(13, 6 * S)).as("a frame again: not drained any more").isFalse();
        assertThat(w.sample(13, 9 * S)).isTrue();
    }

    @Test
    void aQuietPeriodMustBePositive() {
        assertThatThrownBy(() -> new DrainWatch(Duration.ZERO)).hasMessageContaining("must be positive");
    }
}
