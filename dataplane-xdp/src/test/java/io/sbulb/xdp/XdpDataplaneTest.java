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
        Limits limits = new Limits(3, 7, 1000);
        try (XdpDataplane dp = XdpDataplane.create(limits)) {
            SbulbProgram p = dp.program();
            assertThat(p.associations.description().maxEntries()).isEqualTo(1000);
            assertThat(p.realServers.description().maxEntries()).as("a list per generation").isEqualTo(14);
            assertThat(p.realServerIndex.description().maxEntries())
                    .as("room for both generations' lists and the retired servers").isEqualTo(21);
            assertThat(p.config.description().maxEntries()).as("a configuration per generation").isEqualTo(2);
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
            int assocId = dp.onBpfThread(() -> dp.program().associations.id());
            String prog = bpftool("prog", "show", "id", Integer.toString(progId));
            assertThat(prog).contains("xdp").contains("name sbulb_xdp").contains(Integer.toString(assocId));
            String dump = bpftool("-j", "map", "dump", "id", Integer.toString(assocId));
            assertThat(dump.split("\"formatted\":", -1)).as("entries in %s", dump).hasSize(3 + 1);
            assertThat(dump).contains("\"bytes\":[198,18,2,3,0,0,0,0,0,0,0,0,0,0,0,0]").contains("\"rs_index\":1");
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
