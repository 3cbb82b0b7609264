package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The differential runner finds divergences, reports both sides, and writes a reproducer. */
class DifferentialRunnerTest {

    static final Limits LIMITS = new Limits(4, 4, 16);
    static final DataplaneConfig CONFIG = DataplaneConfig.of(IpAddress.parse("198.18.0.1"), Set.of(5683),
            List.of(IpAddress.parse("198.18.1.1"), IpAddress.parse("198.18.1.2")));

    static Scenario scenario() {
        return Catalog.read("nat-ipv4-both-ways.yaml");
    }

    @Test
    void twoModelsAgree() {
        DifferentialReport r = new DifferentialRunner(Catalog::model, Catalog::model).run(scenario());
        assertThat(r.agreed()).as(r.message()).isTrue();
        assertThat(r.framesCompared()).isEqualTo(3);
        assertThat(r.reproducer()).isNull();
    }

    @Test
    void oneFlippedOutputByteIsADivergenceAtItsStep() {
        Scenario s = scenario();
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "flipped").flipOutputByte(2, 30)).run(s);
        assertThat(r.agreed()).isFalse();
        Divergence d = r.divergence();
        assertThat(d.step()).isEqualTo(2);
        assertThat(d.difference()).contains("output bytes differ").contains("destination address");
        assertThat(d.resultA().output()).isNotEqualTo(d.resultB().output());
        assertThat(r.message()).contains("sim:").contains("flipped:").contains("sim table:").contains("flipped table:")
                .contains("198.18.2.1:40000 -> 198.18.1.1");
        assertThatThrownBy(r::assertAgreed).isInstanceOf(AssertionError.class).hasMessageContaining("step 2");
    }

    @Test
    void reproducerIsAFileThatPassesOnTheReferenceAndFailsOnTheOther() {
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "flipped").flipOutputByte(2, 30)).run(scenario());
        String yaml = ScenarioWriter.toYaml(r.reproducer());
        Scenario repro = ScenarioReader.read(yaml, "reproducer.yaml");
        assertThat(repro.steps()).hasSize(3); // two frames and the reference's table
        try (Dataplane model = Catalog.model(repro.limits())) {
            ScenarioRunner.run(repro, model, LruParameters.detect()).assertPassed();
        }
        try (Dataplane flipped = new TamperingDataplane(Catalog.model(repro.limits()), "flipped").flipOutputByte(2, 30)) {
            ScenarioReport rr = ScenarioRunner.run(repro, flipped, LruParameters.detect());
            assertThat(rr.failedStep()).isEqualTo(2);
        }
    }

    @Test
    void differentAssociationTablesAreADivergence() {
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "forgetful").tamperTable(t -> t.isEmpty() ? t
                        : t.subList(1, t.size()))).run(scenario());
        assertThat(r.divergence().step()).isEqualTo(1);
        assertThat(r.divergence().difference()).isEqualTo("association tables differ");
        assertThat(r.divergence().tableA()).hasSize(1);
        assertThat(r.divergence().tableB()).isEmpty();
    }

    @Test
    void differentEventsAreADivergence() {
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "silent").tamperEvents(e -> List.of())).run(scenario());
        assertThat(r.agreed()).isFalse();
        assertThat(r.divergence().step()).isEqualTo(1);
        assertThat(r.divergence().difference()).startsWith("events differ: [INGRESS_NEW_NAT ").endsWith(" vs []");
    }

    @Test
    void differentFinalCountersAreADivergence() {
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "miscounting").tamperCounters(c -> {
                    EnumMap<Reason, Counter> m = new EnumMap<>(Reason.class);
                    m.putAll(c);
                    m.put(Reason.NOT_IP, new Counter(1, 60));
                    return m;
                })).run(Catalog.read("nat-ipv6-both-ways.yaml"));
        assertThat(r.agreed()).isFalse();
        assertThat(r.divergence().difference()).contains("counters differ").contains("NOT_IP");
    }

    @Test
    void plainListOfStepsWithoutExpectationsRunsAndItsReproducerCarriesTheReferenceOutcomes() {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            UdpFrame f = UdpFrame.builder().source("198.18.2.1", 1000 + i).destination("198.18.0.1", 5683).build();
            steps.add(FrameStep.of(f.toFrame(), null));
        }
        steps.add(ConfigureStep.replaceAll(CONFIG.withRealServers(List.of(IpAddress.parse("198.18.1.2")))));
        steps.add(FrameStep.of(FrameSpec.of(Endpoint.of("198.18.1.2", 5683), Endpoint.of("198.18.2.1", 1000)), null));
        DifferentialRunner runner = new DifferentialRunner(Catalog::model, Catalog::model);
        assertThat(runner.run(LIMITS, CONFIG, steps).agreed()).isTrue();

        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "flipped").flipOutputByte(6, 0)).run(LIMITS, CONFIG, steps);
        assertThat(r.divergence().step()).isEqualTo(7);
        Scenario repro = ScenarioReader.read(ScenarioWriter.toYaml(r.reproducer()), "generated-reproducer.yaml");
        FrameStep last = (FrameStep) repro.steps().get(6);
        assertThat(last.expect().reason()).isEqualTo(Reason.EGRESS_NEW_NAT);
        assertThat(last.note()).contains("diverged here");
        try (Dataplane model = Catalog.model(LIMITS)) {
            ScenarioRunner.run(repro, model, LruParameters.detect()).assertPassed();
        }
    }

    @Test
    void healthStepsReachBothDataplanesAndTheReproducerKeepsThem() {
        Scenario s = Catalog.read("health-down-clients-move.yaml");
        assertThat(new DifferentialRunner(Catalog::model, Catalog::model).run(s).agreed()).isTrue();
        // frame 5 is the dead server's client moving to 198.18.1.1, step 6 of the scenario
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "flipped").flipOutputByte(5, 30)).run(s);
        assertThat(r.divergence().step()).isEqualTo(6);
        Scenario repro = ScenarioReader.read(ScenarioWriter.toYaml(r.reproducer()), "health-reproducer.yaml");
        assertThat(repro.steps().get(3)).isInstanceOf(HealthStep.class);
        try (Dataplane model = Catalog.model(repro.limits())) {
            ScenarioRunner.run(repro, model, LruParameters.detect()).assertPassed();
        }
        try (Dataplane flipped = new TamperingDataplane(Catalog.model(repro.limits()), "flipped").flipOutputByte(5, 30)) {
            assertThat(ScenarioRunner.run(repro, flipped, LruParameters.detect()).failedStep()).isEqualTo(6);
        }
    }

    @Test
    void differentFramesPerServerAreADivergenceAtTheFrame() {
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "deaf").tamperServerFrames(f -> {
                    java.util.Map<io.sbulb.api.ServerRef, Long> m = new java.util.TreeMap<>(f);
                    m.replaceAll((k, v) -> 0L);
                    return m;
                })).run(scenario());
        assertThat(r.agreed()).isFalse();
        assertThat(r.divergence().step()).isEqualTo(1);
        assertThat(r.divergence().difference()).startsWith("frames forwarded per server differ: sim {default/198.18.1.1=1");
    }

    @Test
    void differentClientsMovedPerServerAreADivergenceAtTheFrame() {
        DifferentialReport r = new DifferentialRunner(Catalog::model,
                l -> new TamperingDataplane(Catalog.model(l), "restless").tamperServerMoves(f -> {
                    java.util.Map<io.sbulb.api.ServerRef, Long> m = new java.util.TreeMap<>(f);
                    m.replaceAll((k, v) -> v + 1);
                    return m;
                })).run(scenario());
        assertThat(r.agreed()).isFalse();
        assertThat(r.divergence().step()).isEqualTo(1);
        assertThat(r.divergence().difference())
                .startsWith("clients moved away per server differ: sim {default/198.18.1.1=0");
    }
}
