package io.sbulb.xdp;

import io.sbulb.api.CidContract;
import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.testing.Privileges;

/** The DTLS Connection ID routing contract, held by the real XDP program (BPF_PROG_TEST_RUN, fresh maps per test). */
class XdpCidTest extends CidContract {

    @Override
    protected Dataplane create(Limits limits) {
        Privileges.requireBpf();
        return XdpDataplane.create(limits);
    }
}
