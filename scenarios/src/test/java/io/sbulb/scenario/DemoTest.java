package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.api.testing.Privileges;
import org.junit.jupiter.api.Test;

/** The README's first command plays this demo: it must run, and the program and the model must agree. */
class DemoTest {

    @Test
    void theDemoRunsThroughTheXdpProgramAndTheModelAgreesOnEveryFrame() {
        Privileges.requireBpf();
        Limits limits = new Limits(4, 8, 1024);
        try (Dataplane xdp = Dataplanes.xdp(limits); Dataplane model = Dataplanes.model(limits)) {
            assertThat(Demo.play(xdp, model)).as("disagreements").isZero();
            assertThat(xdp.counters()).containsKeys(Reason.INGRESS_NEW_NAT, Reason.INGRESS_REUSED_NAT,
                    Reason.EGRESS_NEW_NAT, Reason.EGRESS_REUSED_NAT, Reason.EGRESS_NOT_AUTHORIZED);
            assertThat(xdp.associations()).hasSize(5);
        }
    }
}
