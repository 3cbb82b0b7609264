package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Result;
import io.sbulb.api.testing.Privileges;
import io.sbulb.sim.ReferenceDataplane;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When a map write fails half-way through a configuration change, XdpDataplane rewrites the
 * previous configuration whatever the maps hold ({@link ConfigWriter#rewriteAll}). Here the
 * maps are left holding all of the attempted configuration (the worst half-way point), the
 * rollback runs, and the program must then behave exactly as the model configured with the
 * previous configuration only.
 */
class ConfigRollbackTest {

    @Test
    void rollbackRestoresThePreviousConfigurationWhateverTheMapsHeld() {
        Privileges.requireBpf();
        Net n = Net.V4;
        Limits limits = new Limits(4, 8, 64);
        DataplaneConfig previous = DataplaneConfig.of(n.vip, Set.of(Net.PORT), n.servers(0, 3));
        DataplaneConfig attempted = DataplaneConfig.of(Net.V6.vip, Set.of(Net.OTHER_PORT, 7000),
                List.of(Net.V6.rs(4), Net.V6.rs(1)));
        try (XdpDataplane xdp = XdpDataplane.create(limits); Dataplane model = new ReferenceDataplane(limits)) {
            xdp.configure(previous);
            model.configure(previous);
            xdp.onBpfThread(() -> {
                ConfigWriter writer = new ConfigWriter(xdp.program());
                writer.apply(previous, attempted);
                writer.rewriteAll(previous, attempted);
                return null;
            });
            for (int c = 0; c < 6; c++) {
                for (var frame : List.of(n.toVip(n.client(c)), n.fromServer(n.rs(c % 4), n.client(c)),
                        n.toVip(n.client(c)).toBuilder().destination(n.vip, Net.OTHER_PORT).build(),
                        Net.V6.toVip(Net.V6.client(c)))) {
                    Result expected = model.process(frame.toFrame());
                    assertThat(xdp.process(frame.toFrame())).as("%s", frame).isEqualTo(expected);
                }
            }
            assertThat(xdp.associations()).isEqualTo(model.associations());
        }
    }
}
