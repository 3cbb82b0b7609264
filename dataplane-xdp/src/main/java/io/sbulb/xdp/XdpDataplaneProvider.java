package io.sbulb.xdp;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneProvider;
import io.sbulb.api.Limits;

/** {@code xdp}: the sbulb XDP program loaded into the running kernel, run with BPF_PROG_TEST_RUN. */
public final class XdpDataplaneProvider implements DataplaneProvider {

    @Override
    public String name() {
        return "xdp";
    }

    @Override
    public String description() {
        return "the XDP program in the running kernel (BPF_PROG_TEST_RUN; needs root)";
    }

    /** Loaded on CPU {@value XdpDataplane#DEFAULT_CPU}; a load the kernel refuses is a {@link io.sbulb.xdp.bpf.BpfException}. */
    @Override
    public Dataplane create(Limits limits, long eventMask) {
        // pinned in a bpffs directory of its own, so that it can restart (Dataplane.restart)
        return XdpDataplane.createRestartable(new SbulbProgramSpec(limits, eventMask), XdpDataplane.DEFAULT_CPU);
    }
}
