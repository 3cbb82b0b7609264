package io.sbulb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report's arithmetic: medians, the loss-free rate, the generator-limited flag, CPU per packet,
 * sbulb's ratios to the other balancers.
 */
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

    /** A step of {@code sent} frames in 1 s, {@code nsPerFrame} of the balancer's threads per frame delivered. */
    static LoadRig.Step step(double target, double offered, long sent, long delivered, long nsPerFrame) {
        return new LoadRig.Step(target, sent, offered, delivered, 0, 1_000_000_000L, 500_000_000L,
                nsPerFrame * delivered, Map.of(), 0, 0, 0);
    }

    static LabReport.Run named(String balancer, LoadRig.Rtt rtt, LoadRig.Step... steps) {
        LabReport.Run r = new LabReport.Run(balancer, balancer + " as run", 0);
        r.steps.addAll(List.of(steps));
        r.rtt = rtt;
        return r;
    }

    @Test
    void sbulbIsPrintedAsARatioToTheMinimalNatAndToEveryOtherBalancer() {
        LabBenchmark.Settings s = new LabBenchmark.Settings(1, 1, List.of(50e3, 1e6, 0.0), List.of(50e3), 1000, 128,
                10, 0, 1, 0, List.of("sbulb", "nftables", "minimal-nat"), Path.of("unused"));
        LabReport report = new LabReport(s);
        LoadRig.Rtt rtt = new LoadRig.Rtt(new long[] {100_000}, 0);
        // sbulb: loss-free up to 1 M/s, 3 % lost at its top step; 1,000 ns a frame at 50 k/s, 250 when busiest
        report.add(named("sbulb", rtt, step(50e3, 50e3, 50_000, 50_000, 1000), step(1e6, 1e6, 1_000_000, 1_000_000, 300),
                step(0, 1.6e6, 1_600_000, 1_552_000, 250)));
        // nftables: loss-free up to 50 k/s only; 4,000 ns a frame at 50 k/s, 1,000 when busiest
        report.add(named("nftables", rtt, step(50e3, 50e3, 50_000, 50_000, 4000),
                step(1e6, 1e6, 1_000_000, 600_000, 1000), step(0, 2e6, 2_000_000, 500_000, 1200)));
        // the minimal NAT: loss-free at the generator's top rate (so its loss-free rate is a lower bound),
        // 500 ns a frame at 50 k/s, 125 when busiest; no round trips (ingress only)
        report.add(named("minimal-nat", null, step(50e3, 50e3, 50_000, 50_000, 500),
                step(1e6, 1e6, 1_000_000, 1_000_000, 200), step(0, 2e6, 2_000_000, 2_000_000, 125)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.print(new PrintStream(out, true, StandardCharsets.UTF_8), -1);
        String md = out.toString(StandardCharsets.UTF_8);

        assertThat(md).contains("| sbulb against | loss-free rate | capacity | CPU/packet at 50 k/s | CPU/packet, busiest |");
        // the minimal NAT was limited by the generator, not sbulb: sbulb's share of its rate is at most this
        assertThat(md).contains("| minimal-nat | <= 0.50x | 0.50x | 2.00x | 2.00x |");
        assertThat(md).contains("| nftables | 20.00x | 4.00x | 0.25x | 0.25x |");
        assertThat(md).contains("| minimal-nat | >= 2.00 M/s (40.00x) | 8.00 M/s (8.00x) |")
                .as("the minimal NAT has no round trips").contains("no replies | no replies | -");
    }

    @Test
    void lossFreeRatiosSayWhichSideTheGeneratorBounded() {
        List<LabReport.Run> limited = List.of(named("a", null, step(0, 2e6, 2_000_000, 2_000_000, 100)));
        List<LabReport.Run> notLimited = List.of(named("b", null, step(1e6, 1e6, 1_000_000, 1_000_000, 100),
                step(0, 2e6, 2_000_000, 1_000_000, 100)));
        List<LabReport.Run> neverLossFree = List.of(named("c", null, step(0, 2e6, 2_000_000, 1_000_000, 100)));
        assertThat(LabReport.lossFreeRatio(limited, notLimited)).isEqualTo(">= 2.00x");
        assertThat(LabReport.lossFreeRatio(notLimited, limited)).isEqualTo("<= 0.50x");
        assertThat(LabReport.lossFreeRatio(limited, limited)).isEqualTo("1.00x, both loss-free at the generator's top rate");
        assertThat(LabReport.lossFreeRatio(limited, neverLossFree)).startsWith("not measurable");
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
