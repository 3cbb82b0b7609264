package io.sbulb.bench;

import io.sbulb.lab.Lab;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.Netns;
import io.sbulb.xdp.testing.PassProgram;

/**
 * The XDP_PASS program on the balancer's veth, for the baselines: the generator's frames reach
 * a veth only while it runs an XDP program (they are XDP frames, sent with ndo_xdp_xmit), and
 * so does its NAPI thread exist. The cost is one XDP_PASS per frame (about 30 ns, see the
 * data-path benchmark), against microseconds of stack.
 */
final class PassAttachment implements AutoCloseable {

    private final PassProgram program;
    private final XdpAttachment attachment;

    private PassAttachment(PassProgram program, XdpAttachment attachment) {
        this.program = program;
        this.attachment = attachment;
    }

    static PassAttachment attach(Lab lab) {
        PassProgram p = PassProgram.load();
        try {
            XdpAttachment a = Netns.call(lab.lbNetns(),
                    () -> p.attach(NetInterface.byName(Lab.LB_INTERFACE), AttachOptions.DEFAULT));
            return new PassAttachment(p, a);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    @Override
    public void close() {
        attachment.close();
        program.close();
    }
}
