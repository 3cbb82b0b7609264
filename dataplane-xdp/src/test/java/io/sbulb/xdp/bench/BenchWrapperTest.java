package io.sbulb.xdp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The measuring wrapper really restores the frame before every repetition (shared/DESIGN.md §4):
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
            UdpFrame in = DataPathBenchmark.padded(n.toVip(n.client(0)), w.frameLength());
            Result once = dp.process(in.toFrame()); // the association, made without the wrapper
            assertThat(once.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
            IpAddress rs = UdpFrame.parse(once.output()).destination().address();
            Frame oneNat = DataPathBenchmark.natIngress(in, rs);
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
            Frame in = DataPathBenchmark.padded(n.toVip(n.client(0)), w.frameLength()).toFrame();
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
            Frame in = DataPathBenchmark.padded(n.toVip(n.client(0)), w.frameLength()).toFrame();
            w.call(dp.programFd());
            w.frame(in, DataPathBenchmark.IPV4_SADDR_OFFSET, -1);
            BpfProgram.TestRun run = w.run(REPEAT);
            assertThat(Verdict.ofXdpAction(run.retval())).isEqualTo(Verdict.TX);
            assertThat(moved(Map.of(), dp.counters())).containsOnlyKeys(Reason.INGRESS_NEW_NAT);
            assertThat(dp.counters().get(Reason.INGRESS_NEW_NAT).packets()).isEqualTo(REPEAT);
            assertThat(dp.associations()).hasSize(REPEAT)
                    .extracting(Association::realServer).containsOnly(n.rs(0), n.rs(1));
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
