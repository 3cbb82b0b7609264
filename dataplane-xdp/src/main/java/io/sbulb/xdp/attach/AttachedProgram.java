package io.sbulb.xdp.attach;

import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.Xdp;
import io.sbulb.xdp.net.NetInterface;
import java.util.Optional;

/**
 * The XDP program an interface has, whoever attached it (sbulb, {@code ip link}, xdp-loader).
 * Native and generic programs cannot be attached together; an offloaded program (run by the
 * NIC) is not reported: it does not keep sbulb from attaching.
 *
 * @param name the program's name as the kernel keeps it (at most 15 bytes)
 */
public record AttachedProgram(int id, String name, XdpMode mode) {

    private static final int ENOENT = 2;
    /** Tries when the program goes away between the query and the look-up of its name. */
    private static final int QUERY_TRIES = 3;

    /** "XDP program 57 'xdp_pass' attached (native mode)". */
    public String describe() {
        return "XDP program " + id + " '" + name + "' attached (" + mode.word() + " mode)";
    }

    /**
     * The program attached to {@code nif} in native or generic mode, if any. Runs in the
     * calling thread's network namespace, which must be the interface's.
     */
    public static Optional<AttachedProgram> on(NetInterface nif) {
        nif.checkCurrentNetns("query the XDP program of");
        BpfException vanished = null;
        for (int i = 0; i < QUERY_TRIES; i++) {
            Xdp.Query q = Xdp.query(nif.index(), "query the XDP program of " + nif.name());
            XdpMode mode;
            int id;
            if (q.driverProgramId() != 0) {
                mode = XdpMode.NATIVE;
                id = q.driverProgramId();
            } else if (q.genericProgramId() != 0) {
                mode = XdpMode.GENERIC;
                id = q.genericProgramId();
            } else {
                return Optional.empty();
            }
            try (BpfFd fd = BpfFd.programById(id)) {
                return Optional.of(new AttachedProgram(id, BpfFd.programInfo(fd.fd()).name(), mode));
            } catch (BpfException e) {
                if (e.errno() != ENOENT) {
                    throw e;
                }
                vanished = e; // detached and unloaded since the query: ask again
            }
        }
        throw new IllegalStateException("the XDP program of " + nif.name() + " kept changing while it was queried",
                vanished);
    }
}
