package io.sbulb.xdp;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.xdp.bpf.BpfProgram;
import java.util.List;
import java.util.Map;

/** The {@link DataplaneControl} both handles on a {@link LoadedProgram} offer alike. */
abstract class LoadedControl implements DataplaneControl {

    final LoadedProgram loaded;

    LoadedControl(LoadedProgram loaded) {
        this.loaded = loaded;
    }

    @Override
    public String name() {
        return "xdp";
    }

    @Override
    public Limits limits() {
        return loaded.limits();
    }

    @Override
    public void configure(DataplaneConfig next) {
        loaded.configure(next);
    }

    @Override
    public DataplaneConfig configuration() {
        return loaded.configuration();
    }

    @Override
    public List<Association> associations() {
        return loaded.associations();
    }

    @Override
    public Map<Reason, Counter> counters() {
        return loaded.counters();
    }

    @Override
    public Map<io.sbulb.api.ServerRef, Long> serverFrames() {
        return loaded.serverFrames();
    }

    @Override
    public Map<io.sbulb.api.ServerRef, Long> serverMoves() {
        return loaded.serverMoves();
    }

    /**
     * At most {@code max} of the events waiting, oldest first: those whose reason is in the
     * load-time event mask ({@link SbulbProgramSpec#eventMask()}).
     */
    @Override
    public List<DataplaneEvent> drainEvents(int max) {
        return loaded.drainEvents(max);
    }

    /**
     * Where the configuration in force sits in the maps: service ids, slots and epochs (what a
     * tool needs to name the entries of the pinned association tables).
     */
    public io.sbulb.api.Placement placement() {
        return loaded.placement();
    }

    /** How many associations both tables hold, without reading them out (cheap at a million). */
    public long associationCount() {
        return loaded.call(() -> loaded.program().assoc4.count() + loaded.program().assoc6.count());
    }

    /** What the kernel says about the loaded program (its id, verifier instruction count, size). */
    public BpfProgram.Info programInfo() {
        return loaded.call(() -> loaded.program().program().info());
    }
}
