package io.sbulb.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sbulb.api.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The model benchmark's cases take their intended paths on every frame (paths, never times). */
@Timeout(60)
class ModelBenchmarkTest {

    @Test
    void everyModelCaseTakesItsIntendedPathOnEveryFrame() {
        Limits small = Limits.DEFAULT.withMaxAssociations(256);
        List<ModelBenchmark.Case> cases = ModelBenchmark.cases(small); // checks each setup frame's output
        assertThat(cases).extracting(c -> c.name).hasSize(4);
        for (ModelBenchmark.Case c : cases) {
            c.send(3 * 4 * small.maxAssociations()); // the new-association ring three times over
            assertThatCode(() -> ModelBenchmark.checkCounters(c)).as(c.name).doesNotThrowAnyException();
        }
    }

    @Test
    void aNewClientNeverFindsItselfInTheTable() {
        Limits small = Limits.DEFAULT.withMaxAssociations(256);
        ModelBenchmark.Case fresh = ModelBenchmark.cases(small).get(1);
        assertThat(fresh.frames.length).as("the ring of clients is larger than the table")
                .isGreaterThan(3 * small.maxAssociations());
        fresh.send(3 * fresh.frames.length); // each client comes back twice
        ModelBenchmark.checkCounters(fresh); // every frame INGRESS_NEW_NAT, none reused
        assertThat(fresh.dp.associations()).hasSizeLessThanOrEqualTo(small.maxAssociations());
    }
}
