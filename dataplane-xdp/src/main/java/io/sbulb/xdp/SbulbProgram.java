package io.sbulb.xdp;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Limits;
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
    final BpfMap generation;
    final BpfMap config;
    final BpfMap services;
    final BpfMap vips;
    final BpfMap sched;
    final BpfMap reals;
    final BpfMap rsEndpoints;
    final BpfMap addresses;
    final BpfMap assoc4;
    final BpfMap assoc6;
    final BpfMap state;
    final BpfMap counters;
    final BpfMap events;
    final BpfMap stamp;
    final BpfMap portServices;
    final BpfMap rsFast;
    final BpfMap slotFrames;
    final BpfMap cidNodes;
    private final boolean adopted;

    private SbulbProgram(BpfObject object, boolean adopted) {
        this.object = object;
        this.adopted = adopted;
        this.stamp = object.map(SbulbAbi.MAP_STAMP);
        this.program = object.program(SbulbAbi.PROGRAM);
        this.generation = object.map(SbulbAbi.MAP_GEN);
        this.config = object.map(SbulbAbi.MAP_CONFIG);
        this.services = object.map(SbulbAbi.MAP_SERVICES);
        this.vips = object.map(SbulbAbi.MAP_VIPS);
        this.sched = object.map(SbulbAbi.MAP_SCHED);
        this.reals = object.map(SbulbAbi.MAP_REALS);
        this.rsEndpoints = object.map(SbulbAbi.MAP_RS_EP);
        this.addresses = object.map(SbulbAbi.MAP_ADDRS);
        this.assoc4 = object.map(SbulbAbi.MAP_ASSOC4);
        this.assoc6 = object.map(SbulbAbi.MAP_ASSOC6);
        this.state = object.map(SbulbAbi.MAP_STATE);
        this.counters = object.map(SbulbAbi.MAP_COUNTERS);
        this.events = object.map(SbulbAbi.MAP_EVENTS);
        this.portServices = object.map(SbulbAbi.MAP_PORT_SVC);
        this.rsFast = object.map(SbulbAbi.MAP_RS_FAST);
        this.slotFrames = object.map(SbulbAbi.MAP_SLOT_FRAMES);
        this.cidNodes = object.map(SbulbAbi.MAP_CID_NODES);
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
    static final List<String> PINNED_MAPS = List.of(SbulbAbi.MAP_ASSOC4, SbulbAbi.MAP_ASSOC6, SbulbAbi.MAP_STATE,
            SbulbAbi.MAP_COUNTERS, SbulbAbi.MAP_CONFIG, SbulbAbi.MAP_SERVICES, SbulbAbi.MAP_VIPS, SbulbAbi.MAP_SCHED,
            SbulbAbi.MAP_REALS, SbulbAbi.MAP_RS_EP, SbulbAbi.MAP_ADDRS, SbulbAbi.MAP_PORT_SVC, SbulbAbi.MAP_RS_FAST, SbulbAbi.MAP_GEN,
            SbulbAbi.MAP_SLOT_FRAMES, SbulbAbi.MAP_CID_NODES, SbulbAbi.MAP_STAMP);

    /** The largest VIP table per generation, whatever the limits. */
    static final int MAX_VIP_SLOTS = 1 << 22;
    /** The largest real-server endpoint and address tables (not preallocated: a cap, not memory). */
    static final int MAX_HASH_ENTRIES = 1 << 22;

    /**
     * VIP-table entries per generation: the next power of two at least four times the (VIP, port)
     * pairs a configuration can hold, so that probe sequences stay short.
     */
    static int vipSlots(Limits limits) {
        long want = 4L * limits.maxServices() * limits.maxPorts();
        return (int) Math.min(Long.highestOneBit(Math.max(1, want - 1)) << 1, MAX_VIP_SLOTS);
    }

    /** The largest fast real-server endpoint table per generation, whatever the limits. */
    static final int MAX_RS_FAST_SLOTS = 1 << 20;

    /**
     * sbulb_rs_fast entries per generation: the next power of two at least twice the live real
     * servers' endpoints a configuration can hold (an accelerator: what does not fit is found in
     * sbulb_rs_ep).
     */
    static int rsFastSlots(Limits limits) {
        long want = 2L * limits.maxServices() * limits.maxRealServers() * limits.maxPorts();
        return (int) Math.min(Long.highestOneBit(Math.max(1, want - 1)) << 1, MAX_RS_FAST_SLOTS);
    }

    /** The load-time constants for these limits and event mask. */
    static SbulbAbi.Params params(Limits limits, long eventMask) {
        return new SbulbAbi.Params(eventMask, limits.maxServices(), limits.maxSchedule(), vipSlots(limits),
                limits.maxSlots(), rsFastSlots(limits));
    }

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
            Limits l = spec.limits();
            SbulbAbi.Params params = params(l, spec.eventMask());
            int gens = SbulbAbi.GENERATIONS;
            obj.setMaxEntries(SbulbAbi.MAP_VIPS, gens * params.vipSlots());
            obj.setMaxEntries(SbulbAbi.MAP_RS_FAST, gens * params.rsFastSlots());
            obj.setMaxEntries(SbulbAbi.MAP_SERVICES, gens * l.maxServices());
            obj.setMaxEntries(SbulbAbi.MAP_SCHED, gens * l.maxServices() * l.maxSchedule());
            obj.setMaxEntries(SbulbAbi.MAP_REALS, l.maxSlots());
            obj.setMaxEntries(SbulbAbi.MAP_SLOT_FRAMES, l.maxSlots());
            obj.setMaxEntries(SbulbAbi.MAP_STATE, l.maxServices());
            // every endpoint of every slot (an endpoint is one slot's per generation; ConfigWriter
            // deletes the entries neither generation uses before it adds any)
            obj.setMaxEntries(SbulbAbi.MAP_RS_EP, (int) Math.min((long) l.maxSlots() * l.maxPorts(), MAX_HASH_ENTRIES));
            obj.setMaxEntries(SbulbAbi.MAP_ADDRS, (int) Math.min(2L * l.maxSlots() + 2L * l.maxServices(),
                    MAX_HASH_ENTRIES));
            obj.setMaxEntries(SbulbAbi.MAP_CID_NODES, gens * l.maxServices() * SbulbAbi.CID_NODE_SLOTS);
            obj.setMaxEntries(SbulbAbi.MAP_ASSOC4, l.maxAssociations());
            obj.setMaxEntries(SbulbAbi.MAP_ASSOC6, l.maxAssociations());
            String rodata = obj.internalMapName(".rodata").orElseThrow(
                    () -> new IllegalStateException("BPF object has no .rodata map for its load-time constants"));
            obj.setInitialValue(rodata, params.bytes());
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
        int assocSize = obj.describeMap(SbulbAbi.MAP_ASSOC4).orElseThrow().valueSize();
        Limits l = spec.limits();
        return new SbulbAbi.Stamp(abi.intValue(), l.maxRealServers(), l.maxAssociations(), assocSize, l.maxServices(),
                l.maxPorts());
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
        // layout 1 had no such limits (0 in its stamp): a migration gives the new maps this start's
        if (pinned.maxServices() != 0 && pinned.maxServices() != wanted.maxServices()) {
            throw new ConfigException("the state pinned at " + pin + " was made for at most " + pinned.maxServices()
                    + " services (--max-services " + pinned.maxServices() + "); this start asks "
                    + wanted.maxServices() + sameOrRemove);
        }
        if (pinned.maxPorts() != 0 && pinned.maxPorts() != wanted.maxPorts()) {
            throw new ConfigException("the state pinned at " + pin + " was made for at most " + pinned.maxPorts()
                    + " ports per service (-mp " + pinned.maxPorts() + "); this start asks " + wanted.maxPorts()
                    + sameOrRemove);
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
