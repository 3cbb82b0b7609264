package io.sbulb.xdp;

import io.sbulb.api.ConfigException;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.pin.PinnedLayoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import io.sbulb.xdp.bpf.PackagedObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sbulb XDP program loaded into the kernel, with its maps: the live counterpart of a
 * {@link SbulbProgramSpec}. The object comes from the jar (built by Maven with clang), is
 * opened from memory, sized, and loaded; its SHA-256 is logged so the running code can be
 * traced to a build.
 */
public final class SbulbProgram implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SbulbProgram.class);
    static final String RESOURCE = "sbulb.bpf.o";
    static final String OBJECT_NAME = "sbulb";

    private final BpfObject object;
    private final BpfProgram program;
    final BpfMap config;
    final BpfMap ports;
    final BpfMap realServers;
    final BpfMap realServerIndex;
    final BpfMap associations;
    final BpfMap state;
    final BpfMap generation;
    final BpfMap counters;
    final BpfMap events;
    final BpfMap stamp;
    private final boolean adopted;

    private SbulbProgram(BpfObject object, boolean adopted) {
        this.object = object;
        this.adopted = adopted;
        this.stamp = object.map(SbulbAbi.MAP_STAMP);
        this.program = object.program(SbulbAbi.PROGRAM);
        this.config = object.map(SbulbAbi.MAP_CONFIG);
        this.ports = object.map(SbulbAbi.MAP_PORTS);
        this.realServers = object.map(SbulbAbi.MAP_RS);
        this.realServerIndex = object.map(SbulbAbi.MAP_RS_INDEX);
        this.associations = object.map(SbulbAbi.MAP_ASSOC);
        this.state = object.map(SbulbAbi.MAP_STATE);
        this.generation = object.map(SbulbAbi.MAP_GEN);
        this.counters = object.map(SbulbAbi.MAP_COUNTERS);
        this.events = object.map(SbulbAbi.MAP_EVENTS);
    }

    /** The packaged object and its SHA-256, read once: every load opens the same image. */
    private static final class Packaged {
        static final PackagedObject OBJECT = PackagedObject.read(SbulbProgram.class, RESOURCE);
    }

    /** The packaged object. */
    public static PackagedObject packaged() {
        return Packaged.OBJECT;
    }

    /** The compiled object as packaged in the jar (a copy). */
    public static byte[] objectImage() {
        return Packaged.OBJECT.image();
    }

    /** The hex SHA-256 of the packaged object. */
    public static String objectSha256() {
        return Packaged.OBJECT.sha256();
    }

    /** Opens the packaged object without loading it (needs no privilege). */
    public static BpfObject open() {
        return open(0);
    }

    private static BpfObject open(int verifierLogLevel) {
        return Packaged.OBJECT.open(OBJECT_NAME, verifierLogLevel);
    }

    /** Opens, sizes, configures and loads the program. On failure nothing stays in the kernel. */
    public static SbulbProgram load(SbulbProgramSpec spec) {
        return load(spec, null, Packaged.OBJECT);
    }

    /**
     * The maps pinned, so that they outlive the process: every map but the event log. The
     * configuration maps are pinned too, so that a later start finds the configuration in force
     * and the retired servers, and switches from it as from its own.
     */
    static final List<String> PINNED_MAPS = List.of(SbulbAbi.MAP_ASSOC, SbulbAbi.MAP_STATE, SbulbAbi.MAP_COUNTERS,
            SbulbAbi.MAP_CONFIG, SbulbAbi.MAP_PORTS, SbulbAbi.MAP_RS, SbulbAbi.MAP_RS_INDEX, SbulbAbi.MAP_GEN,
            SbulbAbi.MAP_STAMP);

    /**
     * Loads the program with its maps pinned in {@code pin} (null: not pinned). Maps already
     * pinned there by a build of the same layout, with the same limits, are reused as they are
     * ({@link #adopted()}); otherwise new maps are made and pinned, and stamped.
     *
     * @throws PinnedLayoutException when the pinned maps have another layout version (a migration
     *         can copy them)
     * @throws ConfigException when they were made with other limits: the message names both and
     *         the way out; nothing is changed
     */
    public static SbulbProgram load(SbulbProgramSpec spec, PinDir pin, PackagedObject image) {
        BpfObject obj = image.open(OBJECT_NAME, spec.verifierLogLevel());
        boolean fresh = pin != null && !Files.exists(pin.dir());
        try {
            int maxRs = spec.limits().maxRealServers();
            obj.setMaxEntries(SbulbAbi.MAP_RS, SbulbAbi.GENERATIONS * maxRs); // a list per generation
            // the servers of both generations and up to maxRs retired ones (ConfigWriter)
            obj.setMaxEntries(SbulbAbi.MAP_RS_INDEX, 3 * maxRs);
            obj.setMaxEntries(SbulbAbi.MAP_ASSOC, spec.limits().maxAssociations());
            String rodata = obj.internalMapName(".rodata").orElseThrow(
                    () -> new IllegalStateException("BPF object has no .rodata map for its load-time constants"));
            obj.setInitialValue(rodata, SbulbAbi.params(spec.eventMask(), maxRs));
            SbulbAbi.Stamp stamp = stampOf(obj, spec);
            boolean adopted = false;
            if (pin != null) {
                pin.create();
                Optional<SbulbAbi.Stamp> pinned = readStamp(pin);
                if (pinned.isPresent()) {
                    check(pin, pinned.get(), stamp);
                    adopted = true;
                }
                for (String map : PINNED_MAPS) {
                    obj.setPinPath(map, pin.map(map).toString());
                }
            }
            obj.load();
            SbulbProgram p = new SbulbProgram(obj, adopted);
            if (pin != null) {
                if (!adopted) {
                    p.stamp.update(SbulbAbi.u32(0), stamp.bytes(), BpfMap.UpdateFlag.ANY);
                }
                pin.lockDown();
            }
            LOG.debug("loaded {} (sha256 {}) with {}, event mask {}{}", image.resource(), image.sha256(), spec.limits(),
                    Long.toHexString(spec.eventMask()), pin == null ? "" : (adopted ? ", adopting" : ", pinning")
                            + " the state at " + pin);
            return p;
        } catch (RuntimeException e) {
            obj.close();
            if (fresh) {
                try {
                    pin.purge(); // what this load made, and only that
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** What this object and these limits stamp their maps with. */
    static SbulbAbi.Stamp stampOf(BpfObject obj, SbulbProgramSpec spec) {
        Long abi = obj.btf().enumValues(SbulbAbi.ABI_VERSION_ENUM).get(SbulbAbi.ABI_VERSION);
        if (abi == null) {
            throw new IllegalStateException("BPF object has no " + SbulbAbi.ABI_VERSION + " in its BTF");
        }
        int assocSize = obj.describeMap(SbulbAbi.MAP_ASSOC).orElseThrow().valueSize();
        return new SbulbAbi.Stamp(abi.intValue(), spec.limits().maxRealServers(), spec.limits().maxAssociations(),
                assocSize);
    }

    /** The stamp of the maps pinned in {@code pin}, if there are any. */
    public static Optional<SbulbAbi.Stamp> readStamp(PinDir pin) {
        Path path = pin.map(SbulbAbi.MAP_STAMP);
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        try (BpfFd fd = BpfFd.pinned(path.toString(), "map " + SbulbAbi.MAP_STAMP)) {
            return Optional.of(SbulbAbi.Stamp.of(BpfMap.of(fd, 1).lookup(SbulbAbi.u32(0))));
        }
    }

    private static void check(PinDir pin, SbulbAbi.Stamp pinned, SbulbAbi.Stamp wanted) {
        String wayOut = "(sbulb detach IFNET --purge; every client then starts over)";
        if (pinned.abi() > wanted.abi()) {
            throw new ConfigException("the state pinned at " + pin + " was made by a newer build (map layout "
                    + pinned.abi() + "; this build knows " + wanted.abi() + "): run that build, or remove the state "
                    + wayOut);
        }
        String sameOrRemove = ": start with the same value, or remove the state " + wayOut;
        if (pinned.maxRealServers() != wanted.maxRealServers()) {
            throw new ConfigException("the state pinned at " + pin + " was made for at most "
                    + pinned.maxRealServers() + " real servers (-mrs " + pinned.maxRealServers() + "); this start "
                    + "asks " + wanted.maxRealServers() + sameOrRemove);
        }
        if (pinned.maxAssociations() != wanted.maxAssociations()) {
            throw new ConfigException("the state pinned at " + pin + " holds an association table of "
                    + pinned.maxAssociations() + " entries (-ma " + pinned.maxAssociations() + "); this start asks "
                    + wanted.maxAssociations() + sameOrRemove);
        }
        if (pinned.abi() != wanted.abi()) {
            throw new PinnedLayoutException(pin, pinned.abi(), wanted.abi());
        }
    }

    /** The map called {@code name} (one of SbulbAbi's MAP_ names). */
    BpfMap map(String name) {
        return object.map(name);
    }

    /** True when the maps were pinned by an earlier load and reused, with what they hold. */
    public boolean adopted() {
        return adopted;
    }

    public BpfProgram program() {
        return program;
    }

    public BpfObject object() {
        return object;
    }

    @Override
    public void close() {
        object.close();
    }
}
