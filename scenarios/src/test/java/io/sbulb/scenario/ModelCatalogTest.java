package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every catalog scenario passes on the reference model. The model is created with the LRU
 * parameters the scenario assumes, so its LRU expectations are checked on any machine.
 */
class ModelCatalogTest {

    static List<String> files() {
        return Catalog.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void scenarioPassesOnTheReferenceModel(String name) {
        Scenario s = Catalog.read(name);
        try (Dataplane model = Catalog.modelFor(s)) {
            ScenarioReport r = ScenarioRunner.run(s, model, Catalog.lruFor(s)).assertPassed();
            assertThat(r.notApplicable()).as("every expectation is checked on the model").isEmpty();
            assertThat(r.framesSent()).isPositive();
        }
    }
}
