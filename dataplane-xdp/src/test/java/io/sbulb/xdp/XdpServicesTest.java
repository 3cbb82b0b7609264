package io.sbulb.xdp;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.ServicesContract;
import io.sbulb.api.testing.Privileges;

/** The services contract, held by the real XDP program (BPF_PROG_TEST_RUN, fresh maps per test). */
class XdpServicesTest extends ServicesContract {

    @Override
    protected Dataplane create(Limits limits) {
        Privileges.requireBpf();
        return XdpDataplane.create(limits);
    }
}
