package io.sbulb.xdp;

import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.BpfProgram;
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

    private SbulbProgram(BpfObject object) {
        this.object = object;
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
        BpfObject obj = open(spec.verifierLogLevel());
        try {
            int maxRs = spec.limits().maxRealServers();
            obj.setMaxEntries(SbulbAbi.MAP_RS, SbulbAbi.GENERATIONS * maxRs); // a list per generation
            // the servers of both generations and up to maxRs retired ones (ConfigWriter)
            obj.setMaxEntries(SbulbAbi.MAP_RS_INDEX, 3 * maxRs);
            obj.setMaxEntries(SbulbAbi.MAP_ASSOC, spec.limits().maxAssociations());
            String rodata = obj.internalMapName(".rodata").orElseThrow(
                    () -> new IllegalStateException("BPF object has no .rodata map for its load-time constants"));
            obj.setInitialValue(rodata, SbulbAbi.params(spec.eventMask(), maxRs));
            obj.load();
            SbulbProgram p = new SbulbProgram(obj);
            LOG.debug("loaded {} (sha256 {}) with {}, event mask {}", RESOURCE, objectSha256(), spec.limits(),
                    Long.toHexString(spec.eventMask()));
            return p;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
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
