package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.api.testing.Privileges;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The XDP program and the reference model, driven in lockstep by random traffic (see
 * {@link RandomTraffic}), must agree after every frame: verdict, output bytes, reason, the
 * association table, and at the end the counters. A divergence fails with a minimal (shrunk)
 * scenario file that reproduces it; jqwik prints the seed of every run.
 *
 * <p>Before anything, the LRU model is calibrated against this kernel ({@link LruCalibration}),
 * so a machine with other LRU parameters fails loudly instead of reporting divergences.
 */
class RandomDifferentialTest {

    /** At least this many frames are compared per run of the suite. */
    static final long MIN_FRAMES = 10_000;
    static final int TRIES = 80;

    private static final AtomicLong FRAMES = new AtomicLong();
    private static final AtomicLong RUNS = new AtomicLong();
    private static final Map<Reason, Long> REASONS = new ConcurrentSkipListMap<>();
    private static boolean calibrated;

    @BeforeContainer
    static void calibrate() {
        Privileges.requireBpf();
        LruParameters lru = LruParameters.detect();
        LruCalibration.check(lru);
        calibrated = true;
        System.out.println("LRU calibration passed: " + lru);
    }

    @Provide
    Arbitrary<RandomTraffic.Run> runs() {
        return RandomTraffic.runs(160, 240, RandomTraffic.XDP_RESTARTS);
    }

    /** No edge-case mixing: the generators weigh their edge values (TTL 0 and 1, empty payloads, zero checksums) themselves. */
    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void xdpProgramAndModelAgreeFrameByFrame(@ForAll("runs") RandomTraffic.Run run) {
        DifferentialReport report = new DifferentialRunner(Dataplanes::model, Dataplanes::xdp)
                .run(run.limits(), run.initial(), run.steps());
        FRAMES.addAndGet(report.framesCompared());
        RUNS.incrementAndGet();
        // which reasons the generated traffic reached, by the model's counters (kept across restarts)
        report.countersA().forEach((r, c) -> REASONS.merge(r, c.packets(), Long::sum));
        if (!report.agreed()) {
            throw new AssertionError(report.message());
        }
    }

    @AfterContainer
    static void enoughFramesWereCompared() {
        if (!calibrated) {
            return;
        }
        System.out.printf("XDP vs model: %d frames compared in %d runs; reasons reached: %s%n", FRAMES.get(),
                RUNS.get(), REASONS);
        assertThat(FRAMES.get()).as("frames compared by the random differential test").isGreaterThanOrEqualTo(MIN_FRAMES);
        Set<Reason> unreachable = EnumSet.of(Reason.INGRESS_CANNOT_CREATE_ASSO, Reason.EGRESS_CANNOT_CREATE_ASSO,
                // codes reserved for ICMP errors and fragments (issue 20's other parts): no data path emits them yet
                Reason.ICMP_ERROR_TO_REAL_SERVER, Reason.ICMP_ERROR_NO_ASSOCIATION, Reason.FRAGMENT_TO_VIP,
                Reason.FRAGMENT_FROM_REAL_SERVER);
        assertThat(REASONS.keySet()).as("reasons the generated traffic reached (a table full refusing an entry "
                + "needs several CPUs racing, so the CANNOT_CREATE reasons cannot occur here)")
                .containsAll(EnumSet.complementOf(EnumSet.copyOf(unreachable)));
    }
}
