package io.sbulb.xdp;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.pin.PinDir;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A look at a data path's pinned state from another process, for tools ({@code sbulb preview}):
 * its limits (the stamp), the placement of the generation in use, both association tables, and
 * per server the frames forwarded and the clients moved away.
 * Loads no program, takes no lock, writes nothing (the maps are opened with {@code bpf_obj_get},
 * which gives a writable descriptor: nothing here writes through it). A daemon may switch
 * generations meanwhile: what is read is one moment's view, not a transaction.
 */
public final class PinnedState {

    /** What was read. */
    public record View(Limits limits, Placement placement, List<Association> associations,
                       java.util.Map<io.sbulb.api.ServerRef, Long> serverFrames,
                       java.util.Map<io.sbulb.api.ServerRef, Long> serverMoves) {
    }

    private PinnedState() {
    }

    /**
     * Reads the state pinned in {@code dir}.
     *
     * @throws io.sbulb.xdp.bpf.BpfException when a map is missing or cannot be opened (not root)
     * @throws ConfigException when the maps do not hold a state of this layout
     */
    public static View read(PinDir dir) {
        List<BpfFd> open = new ArrayList<>();
        try {
            SbulbAbi.Stamp stamp = SbulbAbi.Stamp.of(map(dir, SbulbAbi.MAP_STAMP, open).lookup(SbulbAbi.u32(0)));
            if (stamp.abi() != SbulbAbi.LAYOUT_VERSION) {
                throw new ConfigException("the state at " + dir + " has layout " + stamp.abi() + ", this sbulb reads "
                        + SbulbAbi.LAYOUT_VERSION + " (start this sbulb on it to migrate it)");
            }
            Limits limits = new Limits(stamp.maxPorts(), stamp.maxRealServers(), stamp.maxAssociations(),
                    stamp.maxServices());
            Placement p = ConfigWriter.readPlacement(limits, map(dir, SbulbAbi.MAP_GEN, open),
                    map(dir, SbulbAbi.MAP_CONFIG, open), map(dir, SbulbAbi.MAP_SERVICES, open),
                    map(dir, SbulbAbi.MAP_VIPS, open), map(dir, SbulbAbi.MAP_REALS, open),
                    map(dir, SbulbAbi.MAP_ADDRS, open), map(dir, SbulbAbi.MAP_CID_NODES, open));
            List<Association> out = new ArrayList<>();
            for (String table : List.of(SbulbAbi.MAP_ASSOC4, SbulbAbi.MAP_ASSOC6)) {
                map(dir, table, open).forEach((k, v) -> {
                    SbulbAbi.AssocEntry e = SbulbAbi.AssocEntry.of(k, v);
                    out.add(new Association(p.serviceName(e.serviceId()), e.client(), p.serverOf(e.slot(), e.epoch()),
                            e.slot(), e.epoch()));
                });
            }
            Collections.sort(out);
            BpfFd frames = BpfFd.pinned(dir.map(SbulbAbi.MAP_SLOT_FRAMES).toString(), "map " + SbulbAbi.MAP_SLOT_FRAMES);
            open.add(frames);
            BpfMap counts = BpfMap.of(frames, BpfMap.systemPossibleCpus());
            return new View(limits, p, out, p.perServer(LoadedProgram.framesBySlot(counts)),
                    p.perServer(LoadedProgram.movedBySlot(counts)));
        } finally {
            open.forEach(BpfFd::close);
        }
    }

    private static BpfMap map(PinDir dir, String name, List<BpfFd> open) {
        BpfFd fd = BpfFd.pinned(dir.map(name).toString(), "map " + name);
        open.add(fd);
        return BpfMap.of(fd, 1);
    }
}
