package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Frame;
import io.sbulb.api.FrameRunException;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.bpf.BpfProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only the XDP dataplane has: the kernel's view of the program, bpftool as observer, limits of test runs. */
class XdpDataplaneTest {

    @BeforeEach
    void needsBpf() {
        Privileges.requireBpf();
    }

    @Test
    void theVerifierAcceptsTheProgramAndReportsItsSize() {
        try (XdpDataplane dp = XdpDataplane.create(Limits.DEFAULT)) {
            BpfProgram.Info info = dp.programInfo();
            System.out.printf("sbulb_xdp: verifier processed %d instructions; %d instructions after rewrites (%d bytes JITed)%n",
                    info.verifiedInstructions(), info.xlatedInstructions(), info.jitedBytes());
            assertThat(info.verifiedInstructions()).isPositive();
            assertThat(info.xlatedInstructions()).isPositive();
        }
    }

    @Test
    void mapSizesComeFromTheLimits() {
        Limits limits = new Limits(3, 7, 1000, 5);
        try (XdpDataplane dp = XdpDataplane.create(limits)) {
            SbulbProgram p = dp.program();
            assertThat(p.assoc4.description().maxEntries()).isEqualTo(1000);
            assertThat(p.assoc6.description().maxEntries()).isEqualTo(1000);
            assertThat(p.config.description().maxEntries()).as("a configuration per generation").isEqualTo(2);
            assertThat(p.services.description().maxEntries()).as("the services of both generations").isEqualTo(10);
            assertThat(p.vips.description().maxEntries())
                    .as("per generation the power of two >= 4 x 5 services x 3 ports").isEqualTo(2 * 64);
            assertThat(p.sched.description().maxEntries()).as("a cycle of 64 x 7 per service and generation")
                    .isEqualTo(2 * 5 * 64 * 7);
            assertThat(p.reals.description().maxEntries()).as("4 slots per real server").isEqualTo(4 * 5 * 7);
            assertThat(p.state.description().maxEntries()).as("a cursor per service").isEqualTo(5);
            assertThat(p.rsEndpoints.description().maxEntries()).as("every port of every slot").isEqualTo(4 * 5 * 7 * 3);
            assertThat(p.addresses.description().maxEntries()).as("every slot's and service's address, twice")
                    .isEqualTo(2 * 4 * 5 * 7 + 2 * 5);
        }
    }

    @Test
    @Timeout(30)
    void bpftoolSeesTheProgramAndTheAssociationsItCreated() throws Exception {
        Net n = Net.V4;
        try (XdpDataplane dp = XdpDataplane.create(new Limits(4, 8, 64))) {
            dp.configure(n.config(2));
            for (int c = 0; c < 3; c++) {
                dp.process(n.toVip(n.client(c)).toFrame());
            }
            int progId = dp.programInfo().id();
            int assocId = dp.onBpfThread(() -> dp.program().assoc4.id());
            String prog = bpftool("prog", "show", "id", Integer.toString(progId));
            assertThat(prog).contains("xdp").contains("name sbulb_xdp").contains(Integer.toString(assocId));
            String dump = bpftool("-j", "map", "dump", "id", Integer.toString(assocId));
            assertThat(dump.split("\"formatted\":", -1)).as("entries in %s", dump).hasSize(3 + 1);
            // the second client took the second server: slot 1, whose epoch is 2 (Placement gives 1, 2, ... in order)
            assertThat(dump).contains("\"slot\":1,\"epoch\":2");
            assertThat(dp.associations()).hasSize(3);
        }
    }

    @Test
    void aFrameLargerThanATestRunAcceptsIsRefusedClearly() {
        try (XdpDataplane dp = XdpDataplane.create(Limits.DEFAULT)) {
            assertThatThrownBy(() -> dp.process(Frame.of(new byte[4000])))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("4000 bytes").hasMessageContaining(Integer.toString(BpfProgram.MAX_TEST_FRAME));
            assertThat(dp.process(Frame.of(new byte[BpfProgram.MAX_TEST_FRAME])).reason()).isEqualTo(Reason.NOT_IP);
        }
    }

    @Test
    void aBatchStopsAtTheFrameItCannotRunAndNamesIt() {
        Net n = Net.V4;
        try (XdpDataplane dp = XdpDataplane.create(new Limits(4, 4, 16))) {
            dp.configure(n.config(2));
            Frame jumbo = n.toVip(n.client(1)).toBuilder().payload(new byte[BpfProgram.MAX_TEST_FRAME]).build().toFrame();
            List<Frame> batch = List.of(n.toVip(n.client(0)).toFrame(), jumbo, n.toVip(n.client(2)).toFrame());
            assertThatThrownBy(() -> dp.processAll(batch)).isInstanceOf(FrameRunException.class)
                    .hasMessageContaining("frame 1 of the batch cannot be run")
                    .satisfies(e -> assertThat(((FrameRunException) e).index()).isEqualTo(1));
            // the frame before it was run, the one after it was not
            assertThat(dp.associations()).extracting(a -> a.client()).containsExactly(n.client(0));
        }
    }

    @Test
    void aClosedDataplaneRefusesWorkAndClosesOnce() {
        XdpDataplane dp = XdpDataplane.create(Limits.DEFAULT);
        dp.close();
        dp.close();
        assertThatThrownBy(() -> dp.process(Frame.of(new byte[64]))).isInstanceOf(IllegalStateException.class);
    }

    private static String bpftool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bpftool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("bpftool finished").isTrue();
        assertThat(p.exitValue()).as("bpftool %s: %s", String.join(" ", args), out).isZero();
        return out;
    }
}
