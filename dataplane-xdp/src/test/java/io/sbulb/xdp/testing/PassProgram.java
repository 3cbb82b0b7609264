package io.sbulb.xdp.testing;

import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.PackagedObject;
import io.sbulb.xdp.net.NetInterface;

/**
 * A loaded XDP program that passes every frame (xdp_pass.bpf.o, compiled from
 * {@code src/test/bpf} next to this class: test code, in dataplane-xdp's test-jar, never in the
 * shipped jar). On a veth pair, frames one end sends with XDP_TX reach the peer only while the
 * peer also has an XDP program: the namespace lab attaches this one to the peer ends for
 * sbulb's frames to arrive; the attachment tests attach it where any program would do.
 */
public final class PassProgram implements AutoCloseable {

    static final String RESOURCE = "xdp_pass.bpf.o";
    /** The program's name, in the C source and as the kernel and bpftool show it. */
    public static final String NAME = "xdp_pass";

    private final BpfObject object;
    private final BpfProgram program;

    private PassProgram(BpfObject object) {
        this.object = object;
        this.program = object.program(NAME);
    }

    /** The compiled object as packaged in the test-jar. */
    public static byte[] objectImage() {
        return Packaged.OBJECT.image();
    }

    /** Loads the program into the kernel (needs CAP_BPF); not attached anywhere yet. */
    public static PassProgram load() {
        return Packaged.OBJECT.load(NAME, PassProgram::new);
    }

    /** The packaged object, read on first use. */
    private static final class Packaged {
        static final PackagedObject OBJECT = PackagedObject.read(PassProgram.class, RESOURCE);
    }

    /** The program's fd, valid until {@link #close()}. */
    public int fd() {
        return program.fd();
    }

    /** The kernel's id of the program. */
    public int id() {
        return program.info().id();
    }

    /**
     * Attaches the program to {@code nif} through a BPF link, from the calling thread (which must
     * be in the interface's network namespace). It stays attached, even after {@link #close()},
     * until the attachment is closed.
     */
    public XdpAttachment attach(NetInterface nif, AttachOptions opts) {
        return XdpAttachment.attach(fd(), nif, opts);
    }

    /** Unloads the program; an attachment still holds it until closed. */
    @Override
    public void close() {
        object.close();
    }
}
