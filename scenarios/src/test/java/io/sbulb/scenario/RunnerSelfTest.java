package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner can fail: wrong expectations, corrupted output and wrong tables are reported, with the step. */
class RunnerSelfTest {

    static final String HEAD = """
            name: self-test
            limits: {maxPorts: 4, maxRealServers: 4, maxAssociations: 16}
            config: {vip: 198.18.0.1, ports: [5683], realServers: [198.18.1.1, 198.18.1.2]}
            """;
    static final String NEW = """
              - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683", payload: "hi"}
                expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
            """;
    static final LruParameters HERE = new LruParameters(2, BatchRule.SINCE_6_16);

    static ScenarioReport run(String steps, Dataplane dp) {
        Scenario s = ScenarioReader.read(HEAD + "steps:\n" + steps, "self-test.yaml");
        try (dp) {
            return ScenarioRunner.run(s, dp, HERE);
        }
    }

    static Dataplane model() {
        return Catalog.model(new Limits(4, 4, 16));
    }

    @Test
    void correctScenarioPasses() {
        ScenarioReport r = run(NEW, model());
        assertThat(r.passed()).as(r.failure()).isTrue();
        assertThat(r.checks()).isEqualTo(1);
    }

    @Test
    void wrongRewriteIsReportedWithStepNumberFrameAndBothOutputs() {
        ScenarioReport r = run(NEW + """
                  - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                    expect: {reason: INGRESS_REUSED_NAT, dst: "198.18.1.2:5683"}
                """, model());
        assertThat(r.passed()).isFalse();
        assertThat(r.failedStep()).isEqualTo(2);
        assertThat(r.failure()).contains("scenario 'self-test' on sim: step 2 (frame 198.18.2.1:1000 -> 198.18.0.1:5683)")
                .contains("TX output differs").contains("destination address").contains("IPv4 header checksum").contains("expected:").contains("actual:");
        assertThatThrownBy(r::assertPassed).isInstanceOf(AssertionError.class).hasMessageContaining("step 2");
    }

    @Test
    void wrongReasonIsReportedWithExpectedAndActual() {
        ScenarioReport r = run("""
                  - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                    expect: {reason: INGRESS_REUSED_NAT, dst: "198.18.1.1:5683"}
                """, model());
        assertThat(r.failedStep()).isEqualTo(1);
        assertThat(r.failure()).contains("expected TX INGRESS_REUSED_NAT, got TX INGRESS_NEW_NAT");
    }

    @Test
    void failingRepetitionIsNamed() {
        ScenarioReport r = run("""
                  - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                    repeat: 3
                    expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
                """, model());
        assertThat(r.failure()).contains("step 1").contains("repetition 2 of 3");
    }

    @Test
    void corruptedChecksumIsCaughtByTheIndependentOracle() {
        // byte 40 is the UDP checksum's first byte in an IPv4 frame without options
        ScenarioReport r = run(NEW, new TamperingDataplane(model(), "liar").flipOutputByte(1, 40));
        assertThat(r.failure()).contains("step 1").contains("UDP checksum");
    }

    @Test
    void aPassedFrameThatWasModifiedIsReported() {
        TamperingDataplane dp = new TamperingDataplane(model(), "liar").tamperResults((n, res) -> {
            byte[] b = res.output().bytes();
            b[0] ^= 1;
            return res.verdict() == Verdict.PASS ? new Result(res.verdict(), io.sbulb.api.Frame.of(b), res.reason()) : res;
        });
        ScenarioReport r = run("""
                  - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:22"}
                    expect: {reason: INGRESS_UNHANDLED_PORT}
                """, dp);
        assertThat(r.failure()).contains("must leave the data path unchanged").contains("destination MAC");
    }

    @Test
    void wrongAssociationTableIsReported() {
        ScenarioReport r = run(NEW + """
                  - expectAssociations: {"198.18.2.1:1000": 198.18.1.2}
                """, model());
        assertThat(r.failedStep()).isEqualTo(2);
        assertThat(r.failure()).contains("198.18.2.1:1000 should be bound to 198.18.1.2 but is bound to [198.18.1.1]");
    }

    @Test
    void associatedToIsChecked() {
        ScenarioReport r = run("""
                  - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                    expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683", associatedTo: 198.18.1.2}
                """, model());
        assertThat(r.failure()).contains("step 1").contains("should be bound to 198.18.1.2");
    }

    @Test
    void hiddenAssociationIsReported() {
        TamperingDataplane dp = new TamperingDataplane(model(), "liar").tamperTable(t -> List.of());
        ScenarioReport r = run(NEW + """
                  - expectAssociationCount: 1
                """, dp);
        assertThat(r.failure()).contains("step 2").contains("expected 1 associations, got 0");
    }

    @Test
    void wrongCountersAreReported() {
        ScenarioReport r = run(NEW + """
                  - expectCounters: {INGRESS_NEW_NAT: 2}
                """, model());
        assertThat(r.failure()).contains("step 2").contains("INGRESS_NEW_NAT expected 2 got 1");
    }

    @Test
    void dataplaneExceptionIsAFailureWithItsCause() {
        TamperingDataplane dp = new TamperingDataplane(model(), "broken").tamperTable(t -> {
            throw new IllegalStateException("map dump failed");
        });
        ScenarioReport r = run(NEW + "  - expectAssociationCount: 1\n", dp);
        assertThat(r.failure()).contains("step 2").contains("map dump failed");
        assertThat(r.cause()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void lruExpectationsAreNotApplicableUnderOtherAssumptionsAndNeverCountedAsMet() {
        String yaml = """
                name: lru-self-test
                limits: {maxPorts: 4, maxRealServers: 4, maxAssociations: 4}
                config: {vip: 198.18.0.1, ports: [5683], realServers: [198.18.1.1]}
                assumes: {possibleCpus: 64, batchRule: BEFORE_6_16}
                steps:
                  - frame: {src: "198.18.2.1:1", dst: "198.18.0.1:5683"}
                    repeat: 5
                    srcPortStep: 1
                    expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
                  - note: deliberately wrong for this machine (nothing would be evicted)
                    expectAssociations: {"198.18.2.1:1-5": 198.18.1.1}
                  - frame: {src: "198.18.2.1:1", dst: "198.18.0.1:5683"}
                    expect: {reason: INGRESS_REUSED_NAT, dst: "198.18.1.1:5683"}
                    dependsOnLru: true
                """;
        Scenario s = ScenarioReader.read(yaml, "lru-self-test.yaml");
        try (Dataplane dp = Catalog.model(s.limits())) {
            ScenarioReport r = ScenarioRunner.run(s, dp, HERE);
            assertThat(r.passed()).as(r.failure()).isTrue();
            assertThat(r.notApplicable()).as("%s", r.notApplicable()).hasSize(2).allMatch(n -> n.contains("assumes possibleCpus 64"));
            assertThat(r.checks()).isEqualTo(5);
            assertThat(r.summary()).contains("2 steps not applicable on this machine");
        }
        try (Dataplane dp = Catalog.model(s.limits())) {
            ScenarioReport r = ScenarioRunner.run(s, dp, s.assumes().toLruParameters());
            assertThat(r.passed()).as("under matching parameters the wrong expectation is checked").isFalse();
            assertThat(r.failedStep()).as(r.failure()).isEqualTo(2);
        }
    }

    @Test
    void refusedConfigurationChangeIsAFailure() {
        // the file allows 4 real servers, the dataplane was made with room for 3
        ScenarioReport r = run(NEW + "  - configure: {realServers: [198.18.1.1, 198.18.1.2, 198.18.1.3, 198.18.1.4]}\n",
                Catalog.model(new Limits(4, 3, 16)));
        assertThat(r.failure()).contains("step 2 (configure)").contains("4 real servers configured, at most 3");
    }

    /**
     * The runner gives the dataplane the effective configuration and keeps the health across a
     * later configure: 198.18.1.1, down, stays out of the list when 198.18.1.3 is added (its late
     * reply is dropped, its client moves); a scenario that expects otherwise fails at that step.
     */
    @Test
    void healthOutlivesALaterConfigureStep() {
        String steps = NEW + """
                  - health: {server: 198.18.1.1, state: down}
                  - configure: {addRealServers: [198.18.1.3]}
                  - frame: {src: "198.18.1.1:5683", dst: "198.18.2.1:1000"}
                    expect: {verdict: DROP, reason: EGRESS_REMOVED_REAL_SERVER}
                  - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                    expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.3:5683"}
                """;
        ScenarioReport r = run(steps, model());
        assertThat(r.passed()).as(r.failure()).isTrue();
        ScenarioReport wrong = run(steps.replace("198.18.1.3:5683\"}", "198.18.1.1:5683\"}"), model());
        assertThat(wrong.failedStep()).isEqualTo(5);
        ScenarioReport up = run(NEW + """
                  - health: {server: 198.18.1.1, state: down}
                  - configure: {addRealServers: [198.18.1.3]}
                  - health: {server: 198.18.1.1, state: up}
                  - frame: {src: "198.18.1.1:5683", dst: "198.18.2.1:1000"}
                    expect: {reason: EGRESS_REUSED_NAT, src: "198.18.0.1:5683"}
                """, model());
        assertThat(up.passed()).as(up.failure()).isTrue();
    }
}
