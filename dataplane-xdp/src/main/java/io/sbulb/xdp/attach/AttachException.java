package io.sbulb.xdp.attach;

import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.net.NetInterface;
import java.util.Optional;

/**
 * An XDP program could not be attached; the interface is as it was. When another program is
 * in the way, {@link #attached()} says which.
 */
public final class AttachException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final transient AttachedProgram attached;

    private AttachException(int errno, String message, String log, AttachedProgram attached, Throwable cause) {
        super(errno, message, log, cause);
        this.attached = attached;
    }

    /** The program in the way, when that is why the attach failed. */
    public Optional<AttachedProgram> attached() {
        return Optional.ofNullable(attached);
    }

    /** "veth0 already has XDP program 57 'xdp_pass' attached (native mode); give --replace to replace it". */
    static AttachException alreadyAttached(NetInterface nif, AttachedProgram p, BpfException cause) {
        return new AttachException(cause == null ? 0 : cause.errno(),
                nif.name() + " already has " + p.describe() + "; give --replace to replace it", "", p, cause);
    }

    /** The program is held by a BPF link, which netlink cannot detach (the kernel says EBUSY). */
    static AttachException heldByLink(NetInterface nif, AttachedProgram p, BpfException cause) {
        return new AttachException(cause.errno(), "cannot replace " + p.describe() + " on " + nif.name()
                + ": it is held by a BPF link of another process, e.g. another sbulb: stop that process (the kernel "
                + "refused to detach it: " + BpfException.errnoText(cause.errno()) + ")", cause.log(), p, cause);
    }

    /** The driver has no native XDP (or not in its present configuration). */
    static AttachException noNativeMode(NetInterface nif, BpfException cause) {
        return new AttachException(cause.errno(), nif.name() + " cannot run XDP in native mode, its driver refuses ("
                + BpfException.errnoText(cause.errno()) + "); choose generic or auto mode", cause.log(), null, cause);
    }

    /** Any other failure: the kernel's errno with the operation that failed. */
    static AttachException failed(BpfException cause, AttachedProgram inTheWay) {
        return new AttachException(cause.errno(), cause.getMessage(), cause.log(), inTheWay, cause);
    }

    /** A failure with more to say than the operation: {@code context} ends the message. */
    static AttachException failed(BpfException cause, String context) {
        return new AttachException(cause.errno(), cause.getMessage() + "; " + context, cause.log(), null, cause);
    }
}
