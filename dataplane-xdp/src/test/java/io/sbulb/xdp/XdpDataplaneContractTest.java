package io.sbulb.xdp;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneContractTest;
import io.sbulb.api.Limits;
import io.sbulb.api.testing.Privileges;

/**
 * The contract, held by the real XDP program: loaded into the running kernel, one fresh
 * object (fresh maps) per test, frames run with BPF_PROG_TEST_RUN from a thread pinned to
 * CPU 0 (the LRU's per-CPU state makes eviction depend on the CPU).
 */
class XdpDataplaneContractTest extends DataplaneContractTest {

    @Override
    protected Dataplane create(Limits limits) {
        Privileges.requireBpf();
        return XdpDataplane.create(limits);
    }
}
