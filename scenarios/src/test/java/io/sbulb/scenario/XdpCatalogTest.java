package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import io.sbulb.api.LruParameters;
import io.sbulb.api.testing.Privileges;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every catalog scenario passes on the real XDP program (BPF_PROG_TEST_RUN, a fresh program and
 * fresh maps per scenario), and the XDP program and the reference model agree on every frame,
 * table and counter. Needs BPF: skips without it, fails under CI=true.
 */
@Timeout(60)
class XdpCatalogTest {

    static List<String> files() {
        return Catalog.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void scenarioPassesOnTheXdpProgram(String name) {
        Privileges.requireBpf();
        Scenario s = Catalog.read(name);
        LruParameters machine = LruParameters.detect();
        try (Dataplane xdp = Dataplanes.xdp(s.limits())) {
            ScenarioReport r = ScenarioRunner.run(s, xdp, machine);
            r.assertPassed();
            if (s.assumes() != null && !s.assumes().matches(machine)) {
                assertThat(r.notApplicable()).as("LRU expectations are reported as not applicable").isNotEmpty();
            } else {
                assertThat(r.notApplicable()).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void xdpProgramAndModelAgreeStepByStep(String name) {
        Privileges.requireBpf();
        Scenario s = Catalog.read(name);
        DifferentialReport r = new DifferentialRunner(Catalog::model, Dataplanes::xdp).run(s).assertAgreed();
        assertThat(r.framesCompared()).isPositive();
    }
}
