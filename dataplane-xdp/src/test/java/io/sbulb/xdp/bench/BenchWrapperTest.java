package io.sbulb.xdp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.Expect;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpDataplane;
import io.sbulb.xdp.bpf.BpfProgram;
import java.util.EnumMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The measuring wrapper really restores the frame before every repetition (docs/design.md §4):
 * otherwise a benchmark of the NAT path would measure the program on its own output.
 */
@Timeout(60)
class BenchWrapperTest {

    private static final int REPEAT = 1000;
    /** CPU of the dataplanes' control thread. The test thread is not pinned (it is JUnit's): a
     * test run never migrates, and the counters are summed over CPUs. */
    private static final int CPU = 0;
    private final Net n = Net.V4;

    @Test
    void everyRepetitionNatsTheOriginalFrame() {
        Privileges.requireBpf();
        try (BenchWrapper w = BenchWrapper.load();
             XdpDataplane dp = XdpDataplane.create(new SbulbProgramSpec(Limits.DEFAULT, 0), CPU)) {
            dp.configure(n.config(2));
            UdpFrame in = BenchCases.padded(n.toVip(n.client(0)), w.frameLength());
            Result once = dp.process(in.toFrame()); // the association, made without the wrapper
            assertThat(once.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
            IpAddress rs = UdpFrame.parse(once.output()).destination().address();
            Frame oneNat = Expect.dnat(in, rs).toFrame();
            assertThat(once.output()).as("one NAT, checksums recomputed in full").isEqualTo(oneNat);

            w.call(dp.programFd());
            w.frame(in.toFrame(), 0, 0);
            Map<Reason, Counter> before = dp.counters();
            BenchWrapper.Ctl ctlBefore = w.ctl();
            BpfProgram.TestRun run = w.run(REPEAT);

            assertThat(Verdict.ofXdpAction(run.retval())).isEqualTo(Verdict.TX);
            assertThat(Frame.of(run.output())).as("the output of %d repetitions is one NAT of the original", REPEAT)
                    .isEqualTo(oneNat);
            assertThat(UdpFrame.parse(Frame.of(run.output())).ttl()).isEqualTo(in.ttl() - 1);
            assertThat(moved(before, dp.counters()))
                    .as("every repetition took the hit path, and nothing else was counted")
                    .containsExactly(Map.entry(Reason.INGRESS_REUSED_NAT,
                            new Counter(REPEAT, (long) REPEAT * in.toFrame().length())));
            assertThat(w.ctl().minus(ctlBefore)).isEqualTo(new BenchWrapper.Ctl(REPEAT, 0, 0));
        }
    }

    @Test
    void theBaselineCalleePassesTheRestoredFrameUnchanged() {
        Privileges.requireBpf();
        try (BenchWrapper w = BenchWrapper.load()) {
            Frame in = BenchCases.padded(n.toVip(n.client(0)), w.frameLength()).toFrame();
            w.callPass();
            w.frame(in, 0, 0);
            BenchWrapper.Ctl before = w.ctl();
            BpfProgram.TestRun run = w.run(REPEAT);
            assertThat(Verdict.ofXdpAction(run.retval())).isEqualTo(Verdict.PASS);
            assertThat(Frame.of(run.output())).isEqualTo(in);
            assertThat(w.ctl().minus(before)).isEqualTo(new BenchWrapper.Ctl(REPEAT, 0, 0));
        }
    }

    @Test
    void varyingTheSourceAddressMakesEveryRepetitionANewClient() {
        Privileges.requireBpf();
        try (BenchWrapper w = BenchWrapper.load();
             XdpDataplane dp = XdpDataplane.create(new SbulbProgramSpec(Limits.DEFAULT, 0), CPU)) {
            dp.configure(n.config(2));
            Frame in = BenchCases.padded(n.toVip(BenchCases.VARIED_CLIENT), w.frameLength()).toFrame();
            w.call(dp.programFd());
            w.frame(in, BenchCases.IPV4_SADDR_OFFSET, -1);
            BpfProgram.TestRun run = w.run(REPEAT);
            assertThat(Verdict.ofXdpAction(run.retval())).isEqualTo(Verdict.TX);
            assertThat(moved(Map.of(), dp.counters())).containsOnlyKeys(Reason.INGRESS_NEW_NAT);
            assertThat(dp.counters().get(Reason.INGRESS_NEW_NAT).packets()).isEqualTo(REPEAT);
            assertThat(dp.associations()).hasSize(REPEAT)
                    .extracting(Association::realServer).containsOnly(n.rs(0), n.rs(1));
        }
    }

    @Test
    void theMinimalBaselineNatsEveryRepetitionOnItsHitPath() {
        Privileges.requireBpf();
        try (BenchWrapper w = BenchWrapper.load(); MinimalProgram m = MinimalProgram.load(1024)) {
            UdpFrame in = BenchCases.padded(n.toVip(n.client(0)), w.frameLength());
            m.bind(in, n.rs(2));
            w.call(m.fd());
            w.frame(in.toFrame(), 0, 0);
            BenchWrapper.Ctl before = w.ctl();
            BpfProgram.TestRun run = w.run(REPEAT);

            assertThat(Verdict.ofXdpAction(run.retval())).as("a hit is sent back out").isEqualTo(Verdict.TX);
            Frame out = Frame.of(run.output());
            assertThat(UdpFrame.checksumsValid(out)).as("checksums verified by a full recomputation").isTrue();
            assertThat(out).as("the output of %d repetitions is one NAT of the original: destination rewritten, "
                    + "MACs swapped, TTL kept, checksums computed in full", REPEAT)
                    .isEqualTo(in.toBuilder().destination(n.rs(2), Net.PORT).srcMac(in.dstMac()).dstMac(in.srcMac())
                            .build().toFrame());
            assertThat(w.ctl().minus(before)).isEqualTo(new BenchWrapper.Ctl(REPEAT, 0, 0));
        }
    }

    @Test
    void theMinimalBaselinePassesAClientItDoesNotKnow() {
        Privileges.requireBpf();
        try (BenchWrapper w = BenchWrapper.load(); MinimalProgram m = MinimalProgram.load(1024)) {
            UdpFrame known = BenchCases.padded(n.toVip(n.client(0)), w.frameLength());
            Frame stranger = BenchCases.padded(n.toVip(n.client(1)), w.frameLength()).toFrame();
            m.bind(known, n.rs(2));
            w.call(m.fd());
            w.frame(stranger, 0, 0);
            BpfProgram.TestRun run = w.run(REPEAT);
            assertThat(Verdict.ofXdpAction(run.retval())).isEqualTo(Verdict.PASS);
            assertThat(Frame.of(run.output())).isEqualTo(stranger);
        }
    }

    /**
     * The cases DataPathBenchmark measures, on small tables: each takes its intended path on
     * every repetition (verdict, wrapper counts, reason counters, output bytes).
     */
    @Test
    void everyBenchmarkCaseTakesItsIntendedPath() {
        Privileges.requireBpf();
        Limits small = Limits.DEFAULT.withMaxAssociations(4096);
        try (BenchWrapper w = BenchWrapper.load(); BenchCases cases = new BenchCases(w, small, 1024, REPEAT, CPU)) {
            CaseRunner runner = new CaseRunner(w);
            SoftAssertions soft = new SoftAssertions();
            for (BenchCases.Case c : cases.prefill()) {
                soft.assertThat(runner.run(c).wrongPath()).as(c.name()).isEmpty();
            }
            assertThat(cases.fullTableEntries()).as("prefilled to the brim").isEqualTo(small.maxAssociations());
            for (BenchCases.Case c : cases.fixed()) {
                soft.assertThat(runner.run(c).wrongPath()).as(c.name()).isEmpty();
            }
            try (XdpDataplane room = cases.roomDataplane()) {
                BenchCases.Case c = cases.newWithRoom(room, REPEAT);
                soft.assertThat(runner.run(c).wrongPath()).as(c.name()).isEmpty();
                soft.assertThat(room.associations()).as("a new association per repetition").hasSize(REPEAT);
            }
            soft.assertThat(cases.fixed()).extracting(BenchCases.Case::name).startsWith(BenchCases.PASS,
                    BenchCases.MINIMAL).contains(BenchCases.MIN_KEY20, BenchCases.MIN_COUNTED, BenchCases.MIN_ALL,
                    BenchCases.HIT_V4, BenchCases.HIT_V6, BenchCases.EGRESS_V4,
                    BenchCases.UNBALANCED, BenchCases.NEW_FULL);
            soft.assertAll();
        }
    }

    @Test
    void aCaseOnTheWrongPathIsReported() {
        Privileges.requireBpf();
        Limits small = Limits.DEFAULT.withMaxAssociations(4096);
        try (BenchWrapper w = BenchWrapper.load(); BenchCases cases = new BenchCases(w, small, 1024, REPEAT, CPU)) {
            BenchCases.Case hit = cases.fixed().stream().filter(c -> c.name().equals(BenchCases.HIT_V4))
                    .findFirst().orElseThrow();
            BenchCases.Case unbalanced = cases.fixed().stream().filter(c -> c.name().equals(BenchCases.UNBALANCED))
                    .findFirst().orElseThrow();
            // The hit case's expectations on the unbalanced port's frame: verdict, counters and output differ.
            BenchCases.Case wrong = new BenchCases.Case("wrong", hit.callee(), unbalanced.frame(), 0, 0, REPEAT,
                    hit.verdict(), hit.reason(), hit.expectedOutput());
            assertThat(new CaseRunner(w).run(wrong).wrongPath()).hasSize(4)
                    .anyMatch(s -> s.startsWith("verdict"))
                    .anyMatch(s -> s.startsWith("counter INGRESS_REUSED_NAT moved by 0"))
                    .anyMatch(s -> s.startsWith("counter INGRESS_UNHANDLED_PORT moved by " + REPEAT))
                    .anyMatch(s -> s.startsWith("output"));
        }
    }

    @Test
    void aFrameOfAnotherLengthIsRefused() {
        Privileges.requireBpf();
        try (BenchWrapper w = BenchWrapper.load()) {
            Frame shorter = n.toVip(n.client(0)).toFrame();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.frame(shorter, 0, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("exactly " + w.frameLength() + " bytes");
        }
    }

    private static Map<Reason, Counter> moved(Map<Reason, Counter> before, Map<Reason, Counter> after) {
        Map<Reason, Counter> moved = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            Counter b = before.getOrDefault(r, Counter.ZERO);
            Counter a = after.getOrDefault(r, Counter.ZERO);
            if (a.packets() != b.packets()) {
                moved.put(r, new Counter(a.packets() - b.packets(), a.bytes() - b.bytes()));
            }
        }
        return moved;
    }
}
