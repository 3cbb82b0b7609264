package io.sbulb.xdp;

import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.MapDescription;
import io.sbulb.xdp.pin.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upgrade of pinned state to a program whose map layout is newer (docs/design.md, "State
 * that outlives the process"): the new program is loaded with fresh maps pinned in a staging
 * directory ({@code DIR/next}), every pinned map of the old layout is copied into its namesake
 * (keys as they are, each value's bytes copied and the fields a newer layout appends left zero),
 * the link is switched to the new program ({@code bpf_link_update}), the associations the old
 * program made meanwhile are copied too (a client the new program already bound keeps its new
 * binding), and the staging maps replace the old pins by two renames.
 *
 * <p>A layout change that is not an appended field (a key of another size) is refused: that
 * migration would have to be written for it. Layout 1 (one VIP, before services) has such a
 * migration: {@link V1State} converts it.
 */
final class StateMigration {

    private final PinDir pin;
    private final PinDir staging;
    private final int pinnedAbi;
    private final io.sbulb.api.Limits limits;
    /** Layout 1's state as read at {@link #copyAll}, and its placement in the new maps. */
    private V1State v1;

    StateMigration(PinDir pin, int pinnedAbi, io.sbulb.api.Limits limits) {
        this.pin = pin;
        this.staging = pin.staging();
        this.pinnedAbi = pinnedAbi;
        this.limits = limits;
    }

    /** Where the new program's maps are pinned until {@link #finish}. */
    PinDir staging() {
        return staging;
    }

    /**
     * Copies every pinned map of the old layout into the new program's maps (the stamp aside: the
     * new program has its own). Returns the entries copied, per map.
     */
    Map<String, Integer> copyAll(SbulbProgram to) {
        Map<String, Integer> copied = new LinkedHashMap<>();
        if (pinnedAbi == V1State.ABI) {
            v1 = V1State.read(pin, limits, to.counters.possibleCpus());
            return v1.writeTo(to);
        }
        for (String name : SbulbProgram.PINNED_MAPS) {
            if (!name.equals(SbulbAbi.MAP_STAMP)) {
                copied.put(name, copy(name, to, false));
            }
        }
        return copied;
    }

    /**
     * After the link runs the new program: the associations the old one made since {@link #copyAll}
     * (a client the new program has already bound keeps that binding), then the staging maps take
     * the old ones' place. Returns the associations copied in this pass.
     */
    int finish(SbulbProgram to) {
        int late = v1 != null ? v1.copyAssociations(to, true)
                : copy(SbulbAbi.MAP_ASSOC4, to, true) + copy(SbulbAbi.MAP_ASSOC6, to, true);
        Path old = pin.oldMaps();
        try {
            PinDir.purgeMaps(old); // an earlier upgrade cut short between its renames
            Files.move(pin.maps(), old);
            Files.move(staging.maps(), pin.maps());
            PinDir.purgeMaps(old);
            Files.deleteIfExists(staging.dir());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot put the migrated maps in place of the old ones in " + pin
                    + ": " + e.getMessage(), e);
        }
        return late;
    }

    private int copy(String name, SbulbProgram to, boolean onlyMissing) {
        Path path = pin.map(name);
        if (!Files.exists(path)) {
            return 0;
        }
        BpfMap target = to.map(name);
        int[] n = {0};
        try (BpfFd fd = BpfFd.pinned(path.toString(), "map " + name)) {
            BpfMap source = BpfMap.of(fd, target.possibleCpus());
            if (source.description().keySize() != target.description().keySize()) {
                throw new IllegalStateException("cannot migrate map " + name + ": its key is " + source.description()
                        .keySize() + " bytes in the pinned layout, " + target.description().keySize() + " in the new "
                        + "one (only fields appended to values migrate)");
            }
            boolean array = source.description().type() == MapDescription.TYPE_ARRAY
                    || source.description().type() == MapDescription.TYPE_PERCPU_ARRAY;
            source.forEach((k, v) -> {
                if (array && allZero(v)) {
                    return; // an array's new map is zero already (65,536 port entries, mostly 0)
                }
                byte[] value = resize(v, source, target);
                if (!onlyMissing) {
                    target.update(k, value, BpfMap.UpdateFlag.ANY);
                    n[0]++;
                } else if (target.insertIfAbsent(k, value)) {
                    n[0]++;
                }
            });
        }
        return n[0];
    }

    private static boolean allZero(byte[] v) {
        for (byte b : v) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The value's bytes in the target's layout: per CPU for per-CPU maps, each prefix copied, the rest zero. */
    private static byte[] resize(byte[] v, BpfMap source, BpfMap target) {
        int cpus = source.description().perCpu() ? target.possibleCpus() : 1;
        int from = source.description().perCpu() ? source.perCpuStride() : source.description().valueSize();
        int to = target.description().perCpu() ? target.perCpuStride() : target.description().valueSize();
        int keep = Math.min(source.description().valueSize(), target.description().valueSize());
        byte[] out = new byte[to * cpus];
        for (int c = 0; c < cpus; c++) {
            System.arraycopy(v, c * from, out, c * to, keep);
        }
        return out;
    }
}
