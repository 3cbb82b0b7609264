package io.sbulb.control.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Net;
import io.sbulb.sim.ReferenceDataplane;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciler against the reference model. */
class ReconcilerTest {

    private static final Net N = Net.V4;
    private final ReferenceDataplane model = new ReferenceDataplane(new Limits(4, 3, 64), LruParameters.detect());
    private final Reconciler reconciler = new Reconciler(model);

    @Test
    void aNewListIsAppliedWholeAndItsChangesSaidPositionByPosition() {
        model.configure(N.config(3));
        DataplaneConfig desired = N.config(3).withRealServers(List.of(N.rs(1), N.rs(0)));
        Reconciler.Outcome o = reconciler.reconcile(desired);
        assertThat(o).isInstanceOf(Reconciler.Applied.class);
        assertThat(((Reconciler.Applied) o).lines()).containsExactly(
                "  [0] 198.18.1.1 -> 198.18.1.2",
                "  [1] 198.18.1.2 -> 198.18.1.1",
                "  [2] remove 198.18.1.3");
        assertThat(model.configuration()).isEqualTo(desired);
    }

    @Test
    void theConfigurationInForceIsUnchanged() {
        model.configure(N.config(2));
        assertThat(reconciler.reconcile(N.config(2))).isInstanceOf(Reconciler.Unchanged.class);
    }

    @Test
    void aConfigurationTheDataplaneRefusesChangesNothing() {
        model.configure(N.config(2));
        Reconciler.Outcome o = reconciler.reconcile(N.config(2).withRealServers(N.servers(0, 4)));
        assertThat(o).isInstanceOf(Reconciler.Refused.class);
        assertThat(((Reconciler.Refused) o).reason()).hasMessageContaining("4").hasMessageContaining("at most 3");
        assertThat(((Reconciler.Refused) o).kept()).isEqualTo(N.config(2));
        assertThat(model.configuration()).isEqualTo(N.config(2));
    }

    @Test
    void aServerThatStaysIsSaidToKeepItsClients() {
        assertThat(ChangeReport.changes(N.config(3), N.config(3).withRealServers(List.of(N.rs(0), N.rs(2)))))
                .containsExactly(
                        "  [1] 198.18.1.2 -> 198.18.1.3",
                        "  [2] remove 198.18.1.3 (it stays at [1] with its clients)");
        assertThat(ChangeReport.servers(List.of())).isEqualTo("(none)");
        assertThat(ChangeReport.status(N.config(1), "eth0")).isEqualTo("balancing 198.18.0.1 ports 5683 on eth0 over 1 real server");
    }
}
