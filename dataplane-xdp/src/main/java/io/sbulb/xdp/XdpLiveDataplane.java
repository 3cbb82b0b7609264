package io.sbulb.xdp;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneFailure;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.AttachedProgram;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.PackagedObject;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.pin.PinDir;
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

    /** What {@link #close()} does with the data path. */
    public enum OnExit {
        /** Detach the program and remove the pinned state: nothing is left (the original sbulb's way). */
        DETACH,
        /** Leave the program attached and its state pinned: it goes on with the last configuration. */
        KEEP
    }

    private final PinDir pin;
    private volatile OnExit onExit = OnExit.DETACH;
    private XdpAttachment attachment;

    private XdpLiveDataplane(LoadedProgram loaded, PinDir pin) {
        super(loaded);
        this.pin = pin;
    }

    /** Loads the program as {@code spec} says, not yet attached, not pinned; its kernel work on any CPU. */
    public static XdpLiveDataplane load(SbulbProgramSpec spec) {
        return load(spec, XdpDataplane.ANY_CPU);
    }

    /** Loads the program as {@code spec} says, not pinned, its kernel work on {@code cpu} (or {@link XdpDataplane#ANY_CPU}). */
    public static XdpLiveDataplane load(SbulbProgramSpec spec, int cpu) {
        return new XdpLiveDataplane(LoadedProgram.load(spec, cpu, ConfigWriter.WriteHook.NONE), null);
    }

    /**
     * Loads the program with its state pinned in {@code pin}: the maps an earlier instance left
     * there are adopted ({@link #adopted()}), with the configuration, associations, round-robin
     * cursor and counters they hold.
     */
    public static XdpLiveDataplane load(SbulbProgramSpec spec, PinDir pin) {
        return load(spec, pin, SbulbProgram.packaged());
    }

    /** As {@link #load(SbulbProgramSpec, PinDir)}, from another compiled object (the upgrade test's). */
    public static XdpLiveDataplane load(SbulbProgramSpec spec, PinDir pin, PackagedObject image) {
        return new XdpLiveDataplane(LoadedProgram.load(spec, XdpDataplane.ANY_CPU, ConfigWriter.WriteHook.NONE, pin,
                image), pin);
    }

    /** True when the state pinned by an earlier instance was adopted: its configuration is in force. */
    public boolean adopted() {
        return loaded.adopted();
    }

    /** Where the state is pinned, if it is. */
    public Optional<PinDir> pinDir() {
        return Optional.ofNullable(pin);
    }

    /** Sets what {@link #close()} does: detach (the default) or leave the data path running. */
    public void onExit(OnExit what) {
        onExit = java.util.Objects.requireNonNull(what, "what");
    }

    public OnExit onExit() {
        return onExit;
    }

    @Override
    public boolean detachesOnClose() {
        return onExit == OnExit.DETACH;
    }

    /**
     * Attaches the program to {@code nif} through a BPF link (see {@link XdpAttachment}); once.
     * With pinned state, a link an earlier instance pinned is taken over instead
     * (bpf_link_update: no frame finds the interface without a program), and a new link is
     * pinned. On failure the interface is left as it was.
     */
    public XdpAttachment attach(NetInterface nif, AttachOptions opts) {
        if (attachment != null) {
            throw new IllegalStateException("already attached to " + attachment.netInterface().name());
        }
        int progFd = loaded.call(() -> loaded.program().program().fd());
        attachment = loaded.call(() -> {
            if (pin != null && pin.hasLink()) {
                Optional<XdpAttachment> taken = XdpAttachment.adopt(pin.link(), progFd, nif);
                if (taken.isPresent()) {
                    return taken.get();
                }
            }
            XdpAttachment a = XdpAttachment.attach(progFd, nif, opts);
            if (pin != null) {
                try {
                    a.pin(pin.link());
                    pin.lockDown();
                } catch (RuntimeException e) {
                    a.close();
                    throw e;
                }
            }
            return a;
        });
        if (loaded.migrating()) {
            int late = loaded.finishMigration(); // the link runs the new program: the old one makes no more
            org.slf4j.LoggerFactory.getLogger(XdpLiveDataplane.class).info("upgrade of {} finished: {} associations "
                    + "the old program made during it copied", pin, late);
        }
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

    /**
     * As {@link #onExit()} says: DETACH removes the link's pin and closes the link (the program
     * is detached), unloads, and removes the pinned state; KEEP closes this process's handles
     * only: the pinned link keeps the program attached, its maps keep their state. Idempotent.
     */
    @Override
    public void close() {
        if (loaded.isClosed()) {
            return;
        }
        try {
            if (onExit == OnExit.DETACH && pin != null) {
                pin.unpinLink();
            }
            if (attachment != null) {
                attachment.close(); // detach before the program goes (unless pinned)
            }
        } finally {
            loaded.close();
            if (onExit == OnExit.DETACH && pin != null) {
                pin.purge();
            }
        }
    }
}
