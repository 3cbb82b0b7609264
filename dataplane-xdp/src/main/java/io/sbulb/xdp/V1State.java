package io.sbulb.xdp;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.pin.PinDir;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state pinned by a layout 1 build (one VIP, its ports, one ordered list, before services;
 * frozen in src/test/bpf/v1), read and converted into layout 2: one service named
 * {@value Service#DEFAULT_NAME} with the VIP, ports and list in force, placed from scratch (its
 * retired servers, when they fit, retired in their order), its round-robin cursor, the counters,
 * and each association whose real server is in the list, bound to that server's slot.
 */
final class V1State {

    static final int ABI = 1;

    /** Layout 1's map names and sizes (its sbulb_abi.h). */
    static final String CONFIG = "sbulb_config";
    static final String PORTS = "sbulb_ports";
    static final String RS = "sbulb_rs";
    static final String RS_INDEX = "sbulb_rs_index";
    static final String ASSOC = "sbulb_assoc";
    static final String STATE = "sbulb_state";
    static final String GEN = "sbulb_gen";
    static final String COUNTERS = "sbulb_counters";
    static final int RS_RETIRED = 0xfffffffe;

    private final PinDir pin;
    private final Limits limits;
    private final DataplaneConfig config;
    private final Placement placement;
    private final int cursor;

    private V1State(PinDir pin, Limits limits, DataplaneConfig config, Placement placement, int cursor) {
        this.pin = pin;
        this.limits = limits;
        this.config = config;
        this.placement = placement;
        this.cursor = cursor;
    }

    /** The configuration in force in the pinned layout 1 maps, and its placement. */
    static V1State read(PinDir pin, Limits limits, int cpus) {
        int active = SbulbAbi.u32(lookup(pin, GEN, SbulbAbi.u32(0), cpus)) & 1;
        byte[] c = lookup(pin, CONFIG, SbulbAbi.u32(active), cpus);
        int vipFamily = c[16];
        int rsFamily = c[17] != 0 ? c[17] : vipFamily;
        int count = SbulbAbi.wrap(c).getInt(20);
        List<IpAddress> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(IpAddress.read(lookup(pin, RS, SbulbAbi.u32(active * limits.maxRealServers() + i), cpus), 0,
                    rsFamily));
        }
        TreeSet<Integer> ports = new TreeSet<>();
        TreeMap<Integer, IpAddress> retired = new TreeMap<>();
        withMap(pin, PORTS, cpus, m -> m.forEach((k, v) -> {
            if ((v[0] & (1 << active)) != 0) {
                ports.add(SbulbAbi.u32(k));
            }
        }));
        withMap(pin, RS_INDEX, cpus, m -> m.forEach((k, v) -> {
            ByteBuffer b = SbulbAbi.wrap(v);
            int family = v[12] != 0 ? v[12] : rsFamily;
            if (b.getInt(4 * active) == RS_RETIRED && family != 0) {
                retired.put(b.getInt(8), IpAddress.read(k, 0, family));
            }
        }));
        int cursor = SbulbAbi.u32(lookup(pin, STATE, SbulbAbi.u32(0), cpus));
        if (vipFamily == 0) {
            return new V1State(pin, limits, DataplaneConfig.empty(), Placement.empty(limits), 0);
        }
        IpAddress vip = IpAddress.read(c, 0, vipFamily);
        DataplaneConfig config = DataplaneConfig.of(vip, ports, list);
        Placement placement = Placement.empty(limits);
        List<IpAddress> withRetired = new ArrayList<>(list);
        for (IpAddress r : retired.values()) {
            if (!withRetired.contains(r) && r.family() == vip.family()) {
                withRetired.add(r);
            }
        }
        if (withRetired.size() > list.size() && withRetired.size() <= limits.maxRealServers()) {
            placement = placement.next(DataplaneConfig.of(vip, ports, withRetired)); // then retired, in their order
        }
        return new V1State(pin, limits, config, placement.next(config), cursor);
    }

    /**
     * Writes the converted state into the new program's maps: the configuration (a generation
     * switch, as any), the cursor, the counters and the associations. Returns the entries written per map.
     */
    Map<String, Integer> writeTo(SbulbProgram to) {
        new ConfigWriter(to, limits).apply(placement);
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("configuration (services)", placement.services().size());
        if (!placement.services().isEmpty()) {
            to.state.update(SbulbAbi.u32(placement.services().get(0).id()), SbulbAbi.u32(cursor),
                    BpfMap.UpdateFlag.ANY);
        }
        out.put(SbulbAbi.MAP_COUNTERS, copyCounters(to));
        out.put("associations", copyAssociations(to, false));
        return out;
    }

    private int copyCounters(SbulbProgram to) {
        int[] n = {0};
        withMap(pin, COUNTERS, to.counters.possibleCpus(), m -> m.forEach((k, v) -> {
            to.counters.update(k, v, BpfMap.UpdateFlag.ANY); // the same per-CPU layout in both
            n[0]++;
        }));
        return n[0];
    }

    /**
     * Each layout 1 association (client -> real server address) whose server is live in the
     * converted service, as (client, service) -> (its slot, epoch); the others are dropped (their
     * client is balanced anew). {@code onlyMissing}: a client the new program has bound keeps that.
     */
    int copyAssociations(SbulbProgram to, boolean onlyMissing) {
        if (placement.services().isEmpty()) {
            return 0;
        }
        int svc = placement.services().get(0).id();
        Map<IpAddress, Placement.Slot> live = new LinkedHashMap<>();
        for (Placement.Slot s : placement.slotsOf(svc, Placement.SlotState.LIVE)) {
            live.put(s.address(), s);
        }
        int[] n = {0};
        withMap(pin, ASSOC, to.counters.possibleCpus(), m -> m.forEach((k, v) -> {
            int family = k[18];
            if (family != 4 && family != 6) {
                return;
            }
            IpAddress client = IpAddress.read(k, 0, family);
            int port = ((k[16] & 0xff) << 8) | (k[17] & 0xff);
            Placement.Slot s = live.get(IpAddress.read(v, 0, family));
            if (s == null) {
                return;
            }
            Endpoint e = new Endpoint(client, port);
            BpfMap table = client.isIpv4() ? to.assoc4 : to.assoc6;
            byte[] key = SbulbAbi.assocKey(e, svc);
            byte[] value = new byte[table.description().valueSize()]; // a later layout's appended fields 0
            System.arraycopy(SbulbAbi.assocValue(s.id(), s.epoch()), 0, value, 0, SbulbAbi.ASSOC_SIZE);
            if (!onlyMissing) {
                table.update(key, value, BpfMap.UpdateFlag.ANY);
                n[0]++;
            } else if (table.insertIfAbsent(key, value)) {
                n[0]++;
            }
        }));
        return n[0];
    }

    DataplaneConfig config() {
        return config;
    }

    private static byte[] lookup(PinDir pin, String map, byte[] key, int cpus) {
        byte[][] out = new byte[1][];
        withMap(pin, map, cpus, m -> out[0] = m.lookup(key));
        return out[0];
    }

    private static void withMap(PinDir pin, String name, int cpus, java.util.function.Consumer<BpfMap> use) {
        java.nio.file.Path path = pin.map(name);
        if (!Files.exists(path)) {
            throw new IllegalStateException("cannot migrate the layout 1 state pinned at " + pin + ": it has no map "
                    + name);
        }
        try (BpfFd fd = BpfFd.pinned(path.toString(), "map " + name)) {
            use.accept(BpfMap.of(fd, cpus));
        }
    }
}
