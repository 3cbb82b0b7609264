package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.bpf.BpfException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A configuration change whose map writes fail half-way changes nothing: ConfigWriter writes
 * the generation not in use and switches only at the end. For every write the change makes,
 * the change is failed at that write, and the program must then behave exactly as a fresh
 * program configured with the previous configuration only; the same change then succeeds in
 * full, and behaves as a fresh program given both changes.
 */
class ConfigRollbackTest {

    private static final Limits LIMITS = new Limits(4, 8, 64);
    private static final Net N = Net.V4;
    private static final DataplaneConfig PREVIOUS = DataplaneConfig.of(N.vip, Set.of(Net.PORT), N.servers(0, 3));
    /** The default service's list changed (a server retired, one added, weights), and a second service. */
    private static final DataplaneConfig ATTEMPTED = DataplaneConfig.of(List.of(
            Service.of(Service.DEFAULT_NAME, N.vip, Set.of(Net.PORT, 7000), List.of(new RealServer(N.rs(3), 2),
                    RealServer.of(N.rs(1)))),
            Service.of("six", Net.V6.vip, Set.of(Net.OTHER_PORT, 7000), List.of(RealServer.of(Net.V6.rs(4)),
                    RealServer.of(Net.V6.rs(1))))));

    @Test
    void aChangeFailedAtAnyWriteLeavesThePreviousConfigurationInForce() {
        Privileges.requireBpf();
        int failures = 0;
        for (int failAt = 0; ; failAt++) {
            AtomicInteger writes = new AtomicInteger(-1); // disarmed while negative
            int k = failAt;
            ConfigWriter.WriteHook hook = map -> {
                if (writes.get() >= 0 && writes.getAndIncrement() == k) {
                    throw new BpfException("update map " + map + " (failed on purpose at write " + k + ")", 12);
                }
            };
            try (XdpDataplane xdp = XdpDataplane.create(SbulbProgramSpec.of(LIMITS), XdpDataplane.DEFAULT_CPU, hook);
                 Dataplane model = XdpDataplane.create(LIMITS)) {
                xdp.configure(PREVIOUS);
                model.configure(PREVIOUS);
                writes.set(0);
                try {
                    xdp.configure(ATTEMPTED);
                } catch (ConfigException e) {
                    failures++;
                    assertThat(e).hasMessageContaining("previous one is kept");
                    assertThat(xdp.configuration()).isEqualTo(PREVIOUS);
                    assertSameBehaviour(xdp, model);
                    writes.set(-1);
                    xdp.configure(ATTEMPTED); // and the same change, without the failure, applies
                    model.configure(ATTEMPTED);
                    assertSameBehaviour(xdp, model);
                    continue;
                }
                assertThat(failures).as("changes failed before the one that went through").isEqualTo(failAt).isPositive();
                return;
            }
        }
    }

    @Test
    void aFailedChangeThrowsAConfigExceptionNamingTheWrite() {
        Privileges.requireBpf();
        ConfigWriter.WriteHook hook = map -> {
            throw new BpfException("update map " + map, 7);
        };
        try (XdpDataplane xdp = XdpDataplane.create(SbulbProgramSpec.of(LIMITS), XdpDataplane.DEFAULT_CPU, hook)) {
            assertThatThrownBy(() -> xdp.configure(PREVIOUS)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("update map sbulb_");
            assertThat(xdp.configuration()).isEqualTo(DataplaneConfig.empty());
        }
    }

    private static void assertSameBehaviour(XdpDataplane xdp, Dataplane model) {
        List<UdpFrame> frames = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            frames.add(N.toVip(N.client(c)));
            frames.add(N.fromServer(N.rs(c % 4), N.client(c)));
            frames.add(N.toVip(N.client(c)).toBuilder().destination(N.vip, Net.OTHER_PORT).build());
            frames.add(Net.V6.toVip(Net.V6.client(c)));
            frames.add(Net.V6.fromServer(Net.V6.rs(c % 5), Net.V6.client(c)));
        }
        for (UdpFrame frame : frames) {
            assertThat(xdp.process(frame.toFrame())).as("%s", frame).isEqualTo(model.process(frame.toFrame()));
        }
        assertThat(xdp.associations()).isEqualTo(model.associations());
    }
}
