package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.sim.ReferenceDataplane;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The {@code restart} step: both runners go on with the instance a restart returns and close it,
 * check that it kept what it must, and report a dataplane that cannot restart with that reason
 * rather than crash; the differential runner's reproducers keep the restart steps.
 */
class RestartStepTest {

    static final LruParameters HERE = new LruParameters(2, BatchRule.SINCE_6_16);
    static final String SCENARIO = """
            name: restart-self-test
            limits: {maxPorts: 4, maxRealServers: 4, maxAssociations: 16}
            config: {vip: 198.18.0.1, ports: [5683], realServers: [198.18.1.1, 198.18.1.2]}
            steps:
              - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
              - frame: {src: "198.18.2.1:1001", dst: "198.18.0.1:5683"}
                expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.2:5683"}
              - restart: {}
              - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                expect: {reason: INGRESS_REUSED_NAT, dst: "198.18.1.1:5683"}
              - restart: {}
                note: twice
              - frame: {src: "198.18.2.1:1002", dst: "198.18.0.1:5683"}
                expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
              - expectCounters: {INGRESS_NEW_NAT: 3, INGRESS_REUSED_NAT: 1}
            """;

    static Scenario scenario() {
        return ScenarioReader.read(SCENARIO, "restart-self-test.yaml");
    }

    static Dataplane model() {
        return Catalog.model(scenario().limits());
    }

    @Test
    void theRunnerGoesOnWithEachRestartedInstanceAndClosesTheLast() {
        TrackedDataplane first = TrackedDataplane.of(model());
        ScenarioReport r;
        try (first) {
            r = ScenarioRunner.run(scenario(), first, HERE);
        }
        assertThat(r.passed()).as(r.failure()).isTrue();
        assertThat(r.checks()).isEqualTo(5);
        List<TrackedDataplane> lineage = first.lineage();
        assertThat(lineage).extracting(TrackedDataplane::frames).containsExactly(2, 1, 1);
        assertThat(lineage).allMatch(TrackedDataplane::closed);
    }

    @Test
    void aDataplaneThatCannotRestartFailsTheStepWithTheReason() {
        try (Dataplane stateless = new TamperingDataplane(model(), "stateless")) {
            ScenarioReport r = ScenarioRunner.run(scenario(), stateless, HERE);
            assertThat(r.failedStep()).isEqualTo(3);
            assertThat(r.failure()).isEqualTo("scenario 'restart-self-test' on stateless: step 3 (restart): the scenario "
                    + "restarts the dataplane, which stateless cannot do: the stateless dataplane cannot restart over its state");
            assertThat(r.framesSent()).isEqualTo(2);
        }
    }

    @Test
    void aRestartThatLosesTheConfigurationIsReported() {
        TrackedDataplane amnesiac = TrackedDataplane.of(model(), d -> {
            d.close();
            return Catalog.model(d.limits());
        });
        ScenarioReport r = ScenarioRunner.run(scenario(), amnesiac, HERE);
        assertThat(r.failure()).contains("step 3 (restart): the restart lost the configuration in force: default: "
                + "vip=198.18.0.1 ports=[5683] realServers=[198.18.1.1, 198.18.1.2] before, no service after");
        assertThat(amnesiac.lineage()).allMatch(TrackedDataplane::closed);
    }

    @Test
    void twoModelsRestartedInLockstepAgreeAndTheirRestartedInstancesAreClosed() {
        TrackedDataplane a = TrackedDataplane.of(model());
        TrackedDataplane b = TrackedDataplane.of(model());
        DifferentialReport r = DifferentialRunner.compare(scenario(), a, b);
        assertThat(r.agreed()).as(r.message()).isTrue();
        assertThat(r.framesCompared()).isEqualTo(4);
        assertThat(r.countersA()).containsOnlyKeys(io.sbulb.api.Reason.INGRESS_NEW_NAT, io.sbulb.api.Reason.INGRESS_REUSED_NAT);
        assertThat(a.lineage()).hasSize(3).allMatch(TrackedDataplane::closed);
        assertThat(b.lineage()).extracting(TrackedDataplane::frames).containsExactly(2, 1, 1);
        assertThat(b.lineage().get(2).closed()).isTrue();
    }

    @Test
    void aDataplaneThatCannotRestartIsADivergenceNamingItAndTheReproducerEndsWithTheRestart() {
        DifferentialReport r = new DifferentialRunner(Catalog::model, l -> new TamperingDataplane(Catalog.model(l),
                "stateless")).run(scenario());
        assertThat(r.agreed()).isFalse();
        assertThat(r.divergence().step()).isEqualTo(3);
        assertThat(r.divergence().difference()).isEqualTo("stateless cannot restart: the stateless dataplane cannot "
                + "restart over its state");
        assertThat(r.reproducer().steps()).hasSize(4).element(2).isInstanceOf(RestartStep.class);
        assertThat(ScenarioWriter.toYaml(r.reproducer())).contains("\n  - restart: {}\n");
    }

    @Test
    void aRestartThatLosesTheCountersIsADivergence() {
        DifferentialReport r = new DifferentialRunner(Catalog::model, l -> TrackedDataplane.of(Catalog.model(l), d -> {
            ReferenceDataplane fresh = new ReferenceDataplane(d.limits(), HERE, Dataplanes.ALL_EVENTS);
            fresh.configure(d.configuration());
            d.close();
            return fresh;
        })).run(scenario());
        assertThat(r.divergence().step()).isEqualTo(3);
        assertThat(r.divergence().difference()).startsWith("counters differ after the restart: sim {INGRESS_NEW_NAT=");
    }

    /** The other dataplane's first frame after a restart has its destination address flipped. */
    static Dataplane wrongAfterRestart(Dataplane model) {
        return TrackedDataplane.of(model, d -> new TamperingDataplane(d.restart(), "sim").flipOutputByte(1, 30));
    }

    @Test
    void aReproducerKeepsTheRestartStepsAndFailsOnTheOtherAfterItsRestart() {
        DifferentialReport r = new DifferentialRunner(Catalog::model, l -> wrongAfterRestart(Catalog.model(l)))
                .run(scenario());
        assertThat(r.divergence().step()).isEqualTo(4);
        Scenario repro = ScenarioReader.read(ScenarioWriter.toYaml(r.reproducer()), "reproducer.yaml");
        assertThat(repro.steps()).extracting(Step::kind).containsExactly("frame", "frame", "restart", "frame",
                "expectAssociations");
        try (Dataplane model = Catalog.model(repro.limits())) {
            ScenarioRunner.run(repro, model, HERE).assertPassed();
        }
        try (Dataplane other = wrongAfterRestart(Catalog.model(repro.limits()))) {
            assertThat(ScenarioRunner.run(repro, other, HERE).failedStep()).isEqualTo(4);
        }
    }

    @Provide
    Arbitrary<RandomTraffic.Run> runsWithRestarts() {
        return RandomTraffic.runs(100, 200, true);
    }

    /** The random differential test's traffic with restarts, on two models: they agree, every instance is closed. */
    @Property(tries = 60)
    void twoModelsAgreeOverRandomTrafficWithRestarts(@ForAll("runsWithRestarts") RandomTraffic.Run run) {
        List<TrackedDataplane> made = new java.util.ArrayList<>();
        DifferentialReport r = new DifferentialRunner(l -> {
            TrackedDataplane d = TrackedDataplane.of(Catalog.model(l));
            made.add(d);
            return d;
        }, Catalog::model).run(run.limits(), run.initial(), run.steps());
        assertThat(r.agreed()).as(r.message()).isTrue();
        long restarts = run.steps().stream().filter(s -> s instanceof RestartStep).count();
        assertThat(made.get(0).lineage()).hasSize((int) restarts + 1).allMatch(TrackedDataplane::closed);
    }
}
