package io.sbulb.xdp.attach;

import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.Xdp;
import io.sbulb.xdp.net.NetInterface;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An XDP program attached to a network interface through a BPF link. The link belongs to this
 * process: the kernel detaches the program when the link's fd closes, by {@link #close()} or
 * because the process died (even by SIGKILL), so no program is left behind on an interface.
 *
 * <p>An attach that fails leaves the interface as it was, and so does a failed replacement:
 * the program it detached is attached again, in its old mode.
 */
public final class XdpAttachment implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(XdpAttachment.class);

    private static final int ENOENT = 2;
    private static final int EBUSY = 16;
    private static final int EEXIST = 17;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    /**
     * Native-mode refusals that generic mode would meet as well (something attached, no
     * privilege): AUTO does not fall back on these. Any other refusal means the driver cannot run
     * this program natively, as it is set up now: EOPNOTSUPP when it has no XDP at all (dummy,
     * bridge, ifb, lo), EINVAL, ERANGE or ENOMEM when its MTU or queues do not allow it
     * (virtio_net, veth with a large peer MTU, some NICs); AUTO then tries generic mode.
     */
    private static final Set<Integer> NOT_A_DRIVER_LIMIT = Set.of(EPERM, EACCES, EBUSY, EEXIST);

    private final NetInterface nif;
    private final XdpMode mode;
    private final BpfFd link;
    private final BpfFd.LinkInfo info;
    private final AttachedProgram replaced;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean adopted;

    private XdpAttachment(NetInterface nif, Linked linked, AttachedProgram replaced) {
        this(nif, linked, replaced, false);
    }

    private XdpAttachment(NetInterface nif, Linked linked, AttachedProgram replaced, boolean adopted) {
        this.nif = nif;
        this.mode = linked.mode();
        this.link = linked.link();
        this.info = linked.info();
        this.replaced = replaced;
        this.adopted = adopted;
    }

    /**
     * Takes over the BPF link pinned at {@code linkPin}, which attaches an earlier instance of the
     * program to {@code nif}: the link is made to run {@code progFd} instead, atomically
     * (bpf_link_update), so no frame finds the interface without a program.
     *
     * @return the attachment, or empty when the pinned link no longer attaches anything to
     *         {@code nif} (its interface was deleted, or it was detached): its pin is removed
     */
    public static Optional<XdpAttachment> adopt(Path linkPin, int progFd, NetInterface nif) {
        nif.checkCurrentNetns("take over the BPF link pinned at " + linkPin + " on");
        BpfFd link = BpfFd.pinned(linkPin.toString(), "BPF link");
        try {
            BpfFd.LinkInfo before = BpfFd.linkInfo(link.fd());
            if (before.type() != Xdp.LINK_TYPE_XDP || before.xdpIfindex() != nif.index()) {
                LOG.warn("{}: the BPF link pinned at {} no longer attaches to it (link {}, ifindex {}); "
                        + "its pin is removed and the program attached anew", nif.name(), linkPin, before.id(),
                        before.xdpIfindex());
                link.close();
                java.nio.file.Files.deleteIfExists(linkPin);
                return Optional.empty();
            }
            BpfFd.ProgramInfo p = BpfFd.programInfo(progFd);
            link.updateLink(progFd, "make the BPF link " + before.id() + " pinned at " + linkPin + " run XDP program "
                    + p.id() + " '" + p.name() + "'");
            Xdp.Query q = Xdp.query(nif.index(), "query the XDP program of " + nif.name());
            XdpMode mode = q.attachMode() == Xdp.ATTACHED_SKB ? XdpMode.GENERIC : XdpMode.NATIVE;
            XdpAttachment a = new XdpAttachment(nif, new Linked(link, mode, BpfFd.linkInfo(link.fd())), null, true);
            LOG.info("{}: XDP program {} took over BPF link {} from program {} ({} mode)", nif.name(), p.id(),
                    before.id(), before.programId(), mode.word());
            return Optional.of(a);
        } catch (java.io.IOException e) {
            link.close();
            throw new java.io.UncheckedIOException("cannot remove the stale link pin " + linkPin, e);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Pins the link at {@code path}: it then attaches the program until the pin is removed, whatever becomes of this process. */
    public void pin(Path path) {
        link.pin(path.toString());
    }

    /** True when this attachment took over a pinned link ({@link #adopt}) rather than making one. */
    public boolean adopted() {
        return adopted;
    }

    /** A link just created, with its mode and what the kernel says about it. */
    private record Linked(BpfFd link, XdpMode mode, BpfFd.LinkInfo info) {
    }

    /**
     * Attaches the program {@code progFd} to {@code nif} through a BPF link. Runs in the
     * calling thread's network namespace, which must be the interface's.
     *
     * @throws AttachException when the interface has an XDP program (without {@code replace}, or
     *         held by a BPF link), when the driver refuses the mode, or the kernel refuses the attach;
     *         the interface is then as it was
     */
    public static XdpAttachment attach(int progFd, NetInterface nif, AttachOptions opts) {
        Objects.requireNonNull(nif, "nif");
        Objects.requireNonNull(opts, "opts");
        BpfFd.ProgramInfo p = BpfFd.programInfo(progFd);
        String prog = "XDP program " + p.id() + " '" + p.name() + "'";
        nif.checkCurrentNetns("attach " + prog + " to");
        Optional<AttachedProgram> present = AttachedProgram.on(nif);
        XdpAttachment a;
        if (present.isEmpty()) {
            a = new XdpAttachment(nif, createLink(progFd, prog, nif, opts.mode()), null);
        } else if (!opts.replace()) {
            throw AttachException.alreadyAttached(nif, present.get(), null);
        } else {
            a = replace(progFd, prog, nif, opts.mode(), present.get());
        }
        LOG.info("{}: {} attached in {} mode (BPF link {}){}", nif.name(), prog, a.mode.word(), a.linkId(),
                a.replaced().map(r -> ", replacing XDP program " + r.id() + " '" + r.name() + "'").orElse(""));
        return a;
    }

    /**
     * Detaches {@code old} (attached through netlink: a link-held program cannot be detached),
     * then links ours; if that fails, attaches {@code old} again in its mode.
     */
    private static XdpAttachment replace(int progFd, String prog, NetInterface nif, ModeChoice choice,
                                         AttachedProgram old) {
        BpfFd oldFd;
        try {
            oldFd = BpfFd.programById(old.id());
        } catch (BpfException e) {
            if (e.errno() == ENOENT) { // gone since the query: nothing left to replace
                return new XdpAttachment(nif, createLink(progFd, prog, nif, choice), null);
            }
            throw AttachException.failed(e, old);
        }
        try (oldFd) {
            try {
                // XDP_FLAGS_REPLACE with old_prog_fd: exactly this program goes, not one attached meanwhile
                Xdp.detach(nif.index(), old.mode().flag(), oldFd.fd(),
                        "detach " + old.describe() + " from " + nif.name());
            } catch (BpfException e) {
                if (e.errno() == EBUSY) {
                    throw AttachException.heldByLink(nif, old, e);
                }
                if (e.errno() == EEXIST) {
                    throw AttachException.failed(e, "another program replaced it meanwhile; try again");
                }
                throw AttachException.failed(e, old);
            }
            LOG.info("{}: detached {} to replace it", nif.name(), old.describe());
            try {
                return new XdpAttachment(nif, createLink(progFd, prog, nif, choice), old);
            } catch (RuntimeException e) {
                reattach(nif, old, oldFd, e);
                throw e;
            }
        }
    }

    /** After a failed replacement: {@code old} back where it was; a failure to do so is added to {@code failure}. */
    private static void reattach(NetInterface nif, AttachedProgram old, BpfFd oldFd, RuntimeException failure) {
        try {
            Xdp.attach(nif.index(), oldFd.fd(), old.mode().flag() | Xdp.FLAGS_UPDATE_IF_NOEXIST, -1,
                    "attach XDP program " + old.id() + " '" + old.name() + "' to " + nif.name() + " again in "
                            + old.mode().word() + " mode");
            LOG.info("{}: the replacement failed; {} again", nif.name(), old.describe());
        } catch (BpfException r) {
            failure.addSuppressed(r);
            LOG.error("{} is left without an XDP program: the replacement failed and {} could not be attached "
                    + "again: {}", nif.name(), old.describe(), r.getMessage());
        }
    }

    /** Links the program in the mode chosen; AUTO falls back to generic when the driver cannot do native. */
    private static Linked createLink(int progFd, String prog, NetInterface nif, ModeChoice choice) {
        switch (choice) {
            case NATIVE:
                return linkOrExplain(progFd, prog, nif, XdpMode.NATIVE);
            case GENERIC:
                return linkOrExplain(progFd, prog, nif, XdpMode.GENERIC);
            case AUTO:
            default:
                try {
                    return link(progFd, prog, nif, XdpMode.NATIVE);
                } catch (BpfException e) {
                    if (NOT_A_DRIVER_LIMIT.contains(e.errno())) {
                        throw explain(e, nif, XdpMode.NATIVE);
                    }
                    String kernel = e.log().isBlank() ? "" : "; " + e.log().lines().findFirst().orElse("").strip();
                    LOG.warn("{}: its driver cannot run XDP in native mode ({}{}); attaching {} in generic mode, "
                            + "which is slower", nif.name(), BpfException.errnoText(e.errno()), kernel, prog);
                    try {
                        return link(progFd, prog, nif, XdpMode.GENERIC);
                    } catch (BpfException g) {
                        AttachException a = explain(g, nif, XdpMode.GENERIC);
                        a.addSuppressed(e);
                        throw a;
                    }
                }
        }
    }

    private static Linked linkOrExplain(int progFd, String prog, NetInterface nif, XdpMode mode) {
        try {
            return link(progFd, prog, nif, mode);
        } catch (BpfException e) {
            throw explain(e, nif, mode);
        }
    }

    private static Linked link(int progFd, String prog, NetInterface nif, XdpMode mode) {
        BpfFd link = Xdp.createLink(progFd, nif.index(), mode.flag(),
                "attach " + prog + " to " + nif.name() + " in " + mode.word() + " mode (BPF link)");
        try {
            return new Linked(link, mode, BpfFd.linkInfo(link.fd()));
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** The kernel's refusal in words: what is in the way, or what the driver cannot do. */
    private static AttachException explain(BpfException e, NetInterface nif, XdpMode mode) {
        if (e.errno() == EBUSY || e.errno() == EEXIST) {
            // a program was attached since the query (EBUSY: in this mode, EEXIST: in the other)
            Optional<AttachedProgram> now = Optional.empty();
            try {
                now = AttachedProgram.on(nif);
            } catch (RuntimeException q) {
                e.addSuppressed(q);
            }
            if (now.isPresent()) {
                return AttachException.alreadyAttached(nif, now.get(), e);
            }
        }
        if (mode == XdpMode.NATIVE && !NOT_A_DRIVER_LIMIT.contains(e.errno())) {
            return AttachException.noNativeMode(nif, e);
        }
        return AttachException.failed(e, (AttachedProgram) null);
    }

    /** The mode the program runs in (GENERIC after AUTO fell back). */
    public XdpMode mode() {
        return mode;
    }

    public NetInterface netInterface() {
        return nif;
    }

    /** The kernel's id of the link ({@code bpftool link show id N}). */
    public int linkId() {
        return info.id();
    }

    /** The kernel's id of the attached program. */
    public int programId() {
        return info.programId();
    }

    /** The program this attachment replaced, if it replaced one. */
    public Optional<AttachedProgram> replaced() {
        return Optional.ofNullable(replaced);
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Detaches the program by closing the link's fd (the kernel detaches when the last fd of
     * the link closes). Idempotent; a failure is logged, never thrown.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            link.close();
            LOG.info("{}: XDP program {} detached (BPF link {} closed)", nif.name(), info.programId(), info.id());
        } catch (RuntimeException e) {
            LOG.warn("{}: closing BPF link {} of XDP program {} failed: {}", nif.name(), info.id(), info.programId(),
                    e.toString());
        }
    }

    @Override
    public String toString() {
        return "XDP program " + info.programId() + " on " + nif.name() + " in " + mode.word() + " mode (BPF link "
                + info.id() + (closed.get() ? ", closed)" : ")");
    }
}
