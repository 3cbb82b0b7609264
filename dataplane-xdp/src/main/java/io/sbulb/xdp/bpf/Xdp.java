package io.sbulb.xdp.bpf;

/**
 * The XDP hook of a network interface, through libbpf: what is attached, attaching through a
 * BPF link or through netlink, detaching. Interfaces are named by index, in the network
 * namespace of the calling thread. Failures are {@link BpfException}s with errno; for the
 * netlink calls they carry what the kernel said (its extended ack, printed by libbpf).
 *
 * <p>Constants from linux/bpf.h and linux/if_link.h (a test compiles them to check).
 */
public final class Xdp {

    /** XDP_FLAGS_UPDATE_IF_NOEXIST: netlink attach fails if a program is there. */
    public static final int FLAGS_UPDATE_IF_NOEXIST = 1;
    /** XDP_FLAGS_SKB_MODE: generic XDP, in the stack after the socket buffer is built. */
    public static final int FLAGS_SKB_MODE = 2;
    /** XDP_FLAGS_DRV_MODE: native XDP, run by the driver. */
    public static final int FLAGS_DRV_MODE = 4;
    /** XDP_FLAGS_REPLACE: act only if the attached program is the one given as old_prog_fd. */
    public static final int FLAGS_REPLACE = 16;
    /** enum bpf_attach_type BPF_XDP. */
    static final int BPF_XDP = 37;
    /** enum bpf_link_type BPF_LINK_TYPE_XDP. */
    public static final int LINK_TYPE_XDP = 6;

    /** XDP_ATTACHED_* of linux/if_link.h: what {@code ip -j link} shows as the xdp "mode". */
    public static final int ATTACHED_NONE = 0;
    public static final int ATTACHED_DRV = 1;
    public static final int ATTACHED_SKB = 2;
    public static final int ATTACHED_HW = 3;
    public static final int ATTACHED_MULTI = 4;

    private Xdp() {
    }

    /**
     * What bpf_xdp_query reports for an interface: the program id per mode (0 for none).
     *
     * @param attachMode one of the {@code ATTACHED_*} values
     * @param programId the program when exactly one mode has one, else 0
     */
    public record Query(int attachMode, int programId, int driverProgramId, int genericProgramId,
                        int offloadedProgramId) {
    }

    /** The XDP programs attached to interface {@code ifindex}; {@code what} names the operation in errors. */
    public static Query query(int ifindex, String what) {
        LibBpf.XdpQueryOpts opts = new LibBpf.XdpQueryOpts();
        LibBpfLog.Captured<Integer> rc = LibBpfLog.capture(() -> LibBpf.bpf_xdp_query(ifindex, 0, opts));
        if (rc.value() != 0) {
            throw new BpfException(what, -rc.value(), rc.log());
        }
        return new Query(opts.attach_mode & 0xff, opts.prog_id, opts.drv_prog_id, opts.skb_prog_id, opts.hw_prog_id);
    }

    /**
     * Attaches a program to an interface through a BPF link (bpf_link_create with BPF_XDP): it
     * stays attached while the link's fd is open, in this process or any that shares it, and
     * is detached when the last one closes, also when the process dies. The kernel refuses
     * (EBUSY) if any program is attached in that mode, and (EEXIST) if one is in the other.
     *
     * @param flags one mode flag ({@link #FLAGS_DRV_MODE} or {@link #FLAGS_SKB_MODE}); a link takes no other
     * @param what the operation as the exception names it, e.g. "attach XDP program 12 to veth0 in native mode"
     * @return the link, whose fd the caller owns
     */
    public static BpfFd createLink(int progFd, int ifindex, int flags, String what) {
        LibBpf.LinkCreateOpts opts = new LibBpf.LinkCreateOpts(flags);
        LibBpfLog.Captured<Integer> fd =
                LibBpfLog.capture(() -> LibBpf.bpf_link_create(progFd, ifindex, BPF_XDP, opts));
        if (fd.value() < 0) {
            throw new BpfException(what, -fd.value(), fd.log());
        }
        return BpfFd.own(fd.value(), "BPF link");
    }

    /**
     * Attaches a program through netlink (bpf_xdp_attach): it stays attached until detached,
     * whatever becomes of this process. {@code oldProgFd} other than -1 replaces exactly that
     * program (the kernel refuses with EEXIST if another one is attached).
     */
    public static void attach(int ifindex, int progFd, int flags, int oldProgFd, String what) {
        LibBpf.XdpAttachOpts opts = new LibBpf.XdpAttachOpts(oldProgFd < 0 ? 0 : oldProgFd);
        int f = oldProgFd < 0 ? flags : flags | FLAGS_REPLACE;
        LibBpfLog.Captured<Integer> rc = LibBpfLog.capture(() -> LibBpf.bpf_xdp_attach(ifindex, progFd, f, opts));
        if (rc.value() != 0) {
            throw new BpfException(what, -rc.value(), rc.log());
        }
    }

    /**
     * Detaches, through netlink, exactly the program {@code oldProgFd} from the mode in
     * {@code flags}: EEXIST if another program is attached there, EBUSY if it is held by a
     * BPF link (netlink cannot detach those).
     */
    public static void detach(int ifindex, int flags, int oldProgFd, String what) {
        LibBpf.XdpAttachOpts opts = new LibBpf.XdpAttachOpts(oldProgFd);
        LibBpfLog.Captured<Integer> rc =
                LibBpfLog.capture(() -> LibBpf.bpf_xdp_detach(ifindex, flags | FLAGS_REPLACE, opts));
        if (rc.value() != 0) {
            throw new BpfException(what, -rc.value(), rc.log());
        }
    }
}
