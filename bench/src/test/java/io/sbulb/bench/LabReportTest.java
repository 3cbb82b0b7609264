package io.sbulb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic: medians, the loss-free rate, the generator-limited flag, CPU per packet. */
class LabReportTest {

    static LoadRig.Step step(double target, double offered, long sent, long delivered, long wallNs, long busyNs) {
        return new LoadRig.Step(target, sent, offered, delivered, 0, wallNs, busyNs, 0, Map.of(), 0, 0, 0);
    }

    static LabReport.Run run(double idleBusy, LoadRig.Step... steps) {
        LabReport.Run r = new LabReport.Run("x", "x", 0);
        r.idleBusy = idleBusy;
        r.steps.addAll(List.of(steps));
        return r;
    }

    @Test
    void lossFreeRateIsTheHighestOfferedRateWithLessThanATenthOfAPercentLost() {
        LabReport.Run r = run(0,
                step(100e3, 99e3, 100_000, 100_000, 1, 1),
                step(200e3, 198e3, 200_000, 199_900, 1, 1), // 0.05 %: loss-free
                step(400e3, 390e3, 400_000, 399_000, 1, 1), // 0.25 %: not
                step(0, 900e3, 900_000, 899_999, 1, 1));    // the top step, loss-free
        assertThat(r.lossFreePps()).isEqualTo(900e3);
        assertThat(r.generatorLimited()).isTrue();
        r.steps.remove(3);
        assertThat(r.lossFreePps()).isEqualTo(198e3);
        assertThat(r.generatorLimited()).isFalse();
    }

    @Test
    void corePerPacketTakesTheIdleShareOff() {
        // 1 s, 300 ms busy, 10 % busy at rest: 200 ms for 100,000 frames
        LoadRig.Step s = new LoadRig.Step(100e3, 100_000, 100e3, 100_000, 0, 1_000_000_000L, 300_000_000L,
                120_000_000L, Map.of(), 0, 0, 50_000_000L);
        LabReport.Run r = run(0.1, s);
        assertThat(r.corePerPacketNs(100e3)).isEqualTo(2000.0);
        assertThat(r.cpuPerPacketNs(100e3)).as("the threads' own time").isEqualTo(1200.0);
        assertThat(r.capacityPps()).isCloseTo(1e9 / 1200, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void medianOfAnEvenNumberOfRoundsIsTheMeanOfTheMiddleTwo() {
        List<LabReport.Run> rs = List.of(run(1), run(4), run(2), run(3));
        assertThat(LabReport.median(rs, r -> r.idleBusy)).isEqualTo(2.5);
        assertThat(LabReport.median(rs.subList(0, 3), r -> r.idleBusy)).isEqualTo(2.0);
    }

    @Test
    void rttPercentilesAreNearestRank() {
        long[] ns = new long[100];
        for (int i = 0; i < 100; i++) {
            ns[i] = (i + 1) * 1000L;
        }
        LoadRig.Rtt rtt = new LoadRig.Rtt(ns, 0);
        assertThat(rtt.percentileUs(50)).isEqualTo(50.0);
        assertThat(rtt.percentileUs(99)).isEqualTo(99.0);
    }
}
