package io.sbulb.xdp;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneFailure;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.AttachedProgram;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.net.NetInterface;
import java.util.Optional;

/**
 * The sbulb program on a live interface, as its control plane sees it ({@link DataplaneControl}):
 * loaded, configured, attached through a BPF link, its event log drained and its attachment
 * watched. Closing it detaches, then unloads.
 *
 * <p>The kernel work runs on one thread ({@link XdpDataplane#ANY_CPU} by default: live frames
 * arrive on every CPU anyway). That thread lives in the network namespace in which the data
 * path was loaded: the interface must be looked up there.
 */
public final class XdpLiveDataplane extends LoadedControl {

    private XdpAttachment attachment;

    private XdpLiveDataplane(LoadedProgram loaded) {
        super(loaded);
    }

    /** Loads the program as {@code spec} says, not yet attached; its kernel work on any CPU. */
    public static XdpLiveDataplane load(SbulbProgramSpec spec) {
        return load(spec, XdpDataplane.ANY_CPU);
    }

    /** Loads the program as {@code spec} says, its kernel work on {@code cpu} (or {@link XdpDataplane#ANY_CPU}). */
    public static XdpLiveDataplane load(SbulbProgramSpec spec, int cpu) {
        return new XdpLiveDataplane(LoadedProgram.load(spec, cpu, ConfigWriter.WriteHook.NONE));
    }

    /**
     * Attaches the program to {@code nif} through a BPF link (see {@link XdpAttachment}); once.
     * On failure the interface is left as it was.
     */
    public XdpAttachment attach(NetInterface nif, AttachOptions opts) {
        if (attachment != null) {
            throw new IllegalStateException("already attached to " + attachment.netInterface().name());
        }
        attachment = loaded.call(() -> XdpAttachment.attach(loaded.program().program().fd(), nif, opts));
        return attachment;
    }

    /** The attachment, once {@link #attach} succeeded. */
    public Optional<XdpAttachment> attachment() {
        return Optional.ofNullable(attachment);
    }

    /**
     * Balancing silently stops if someone detaches the program (bpftool link detach) or the
     * interface goes away: the interface is asked which XDP program it runs.
     *
     * @throws DataplaneFailure naming what happened
     */
    @Override
    public void checkRunning() {
        if (attachment == null) {
            return;
        }
        NetInterface nif = attachment.netInterface();
        Optional<AttachedProgram> now;
        try {
            now = AttachedProgram.on(nif);
        } catch (BpfException | IllegalStateException e) {
            throw new DataplaneFailure("cannot ask " + nif.name() + " which XDP program it runs ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (now.isPresent() && now.get().id() == attachment.programId()) {
            return;
        }
        // the kernel answers "nothing attached" for an index that no longer exists
        try {
            NetInterface again = NetInterface.byName(nif.name());
            if (again.index() != nif.index()) {
                throw new DataplaneFailure(nif.name() + " was deleted (it is another interface now, index "
                        + again.index() + " instead of " + nif.index() + ")");
            }
        } catch (ConfigException gone) {
            throw new DataplaneFailure(nif.name() + " is gone (deleted?)", gone);
        }
        throw new DataplaneFailure("XDP program " + attachment.programId() + " is no longer attached to "
                + nif.name() + " (" + now.map(AttachedProgram::describe).orElse("no XDP program there now")
                + "): something else detached it");
    }

    /** Detaches (if attached), then unloads. Idempotent. */
    @Override
    public void close() {
        if (loaded.isClosed()) {
            return;
        }
        try {
            if (attachment != null) {
                attachment.close(); // detach before the program goes
            }
        } finally {
            loaded.close();
        }
    }
}
