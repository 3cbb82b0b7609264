package io.sbulb.xdp;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import io.sbulb.xdp.SbulbAbi.Config;
import io.sbulb.xdp.SbulbAbi.Real;
import io.sbulb.xdp.SbulbAbi.RsEp;
import io.sbulb.xdp.SbulbAbi.ServiceEntry;
import io.sbulb.xdp.SbulbAbi.Vip;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfMap.UpdateFlag;
import io.sbulb.xdp.bpf.LibC;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a configuration change, as a {@link Placement}, into map writes, as a generation switch
 * (docs/design.md §1, "Configuration changes"): everything is written into the generation the
 * data path is not using (its services, its VIP table, its cycles, its flags and positions in the
 * slots, its half of the endpoint and address entries, its {@code sbulb_config} entry), then one
 * write of {@code sbulb_gen} switches every following frame to it. The generation switched away
 * from is written again only after an RCU grace period, when no frame can still be reading it;
 * the hash entries neither generation uses are deleted then. A frame thus sees the old
 * configuration or the new one, never a mix, and a write that fails before the switch leaves the
 * data path on the old one, untouched.
 *
 * <p>A slot is shared by both generations: its address and epoch change only when the generation
 * in use does not use it ({@link Placement} gives a freed slot out again only one change later).
 *
 * <p>Keeps a mirror of what the maps hold, updated write by write, so that it writes only what
 * differs and stays right after a failed write. Runs on the dataplane's BPF thread.
 */
final class ConfigWriter {

    /** Called before each map write; a test makes it throw to fail a change half-way. */
    interface WriteHook {
        WriteHook NONE = map -> { };

        void beforeWrite(String map);
    }

    /** Seeds of the VIP table tried, 0 first, before a configuration is refused. */
    static final int VIP_SEEDS = 256;

    private final SbulbProgram prog;
    private final Limits limits;
    private final int vipSlots;
    private final int maxSvc;
    private final int maxSched;
    private final WriteHook hook;
    /** The generation the data path uses (sbulb_gen[0]). */
    private int active;
    private Placement placement;
    /** True from a switch until a grace period has passed: frames may still read the old generation. */
    private boolean graceOwed;
    /** Mirrors, per generation where the map has generations. */
    private final byte[][] vips;
    /** Mirror of sbulb_rs_fast: entry g * rsFastSlots + i, null where unused. */
    private final byte[][] rsFast;
    private final int rsFastSlots;
    private final ServiceEntry[] services;
    private final int[][] sched;
    private final Real[] reals;
    private final Map<Endpoint, RsEp> endpoints = new HashMap<>();
    private final Map<IpAddress, int[]> addresses = new HashMap<>();
    /** Mirror of sbulb_cid_nodes, by its key: the entries in use. */
    private final Map<Integer, SbulbAbi.CidNode> cidNodes = new HashMap<>();
    private final int[] seeds = new int[SbulbAbi.GENERATIONS];
    /** Mirror of sbulb_port_svc, by its key. */
    private final short[] portServices = new short[SbulbAbi.GENERATIONS * 2 * SbulbAbi.PORT_COUNT];

    ConfigWriter(SbulbProgram prog, Limits limits) {
        this(prog, limits, WriteHook.NONE);
    }

    ConfigWriter(SbulbProgram prog, Limits limits, WriteHook hook) {
        this.prog = prog;
        this.limits = limits;
        this.vipSlots = SbulbProgram.vipSlots(limits);
        this.maxSvc = limits.maxServices();
        this.maxSched = limits.maxSchedule();
        this.hook = hook;
        this.placement = Placement.empty(limits);
        this.vips = new byte[SbulbAbi.GENERATIONS * vipSlots][];
        this.rsFastSlots = SbulbProgram.rsFastSlots(limits);
        this.rsFast = new byte[SbulbAbi.GENERATIONS * rsFastSlots][];
        this.services = new ServiceEntry[SbulbAbi.GENERATIONS * maxSvc];
        Arrays.fill(services, ServiceEntry.NONE);
        this.sched = new int[SbulbAbi.GENERATIONS * maxSvc][];
        this.reals = new Real[limits.maxSlots()];
        Arrays.fill(reals, Real.EMPTY);
    }

    /** The placement in force. */
    Placement placement() {
        return placement;
    }

    /**
     * Moves the data path to {@code to}, placed after {@link #placement()}.
     *
     * @throws ConfigException before any write when the VIP table cannot hold it
     */
    void apply(Placement to) {
        int g = 1 - active;
        int[] seed = {0};
        Vip[] table = placeVips(to, seed);
        if (graceOwed) {
            LibC.awaitRcuGracePeriod(); // the frames that read generation g before the last switch are done
            graceOwed = false;
        }
        writeServices(g, to);
        writeVips(g, table);
        writeSchedules(g, to);
        writeReals(g, to);
        writeEndpoints(g, to);
        writeAddresses(g, to);
        writePortServices(g, to);
        writeRsFast(g, to, seed[0]);
        writeCidNodes(g, to);
        resetCursors(to);
        Config c = new Config(to.services().size(), seed[0], to.nextEpoch(), to.nextRetiredSeq(),
                Config.filterOf(to.addressFlags().keySet()));
        write(prog.config, SbulbAbi.u32(g), c.bytes());
        seeds[g] = seed[0];
        write(prog.generation, SbulbAbi.u32(0), SbulbAbi.u32(g)); // the switch
        active = g;
        placement = to;
        graceOwed = true;
    }

    /**
     * The VIP table of {@code to}: every (VIP, port) by linear probing from its hash, in endpoint
     * order, within {@link SbulbAbi#VIP_PROBES} entries of it; the first seed that places them all.
     */
    private Vip[] placeVips(Placement to, int[] seedOut) {
        Map<Endpoint, Integer> eps = new TreeMap<>(to.vipEndpoints());
        int mask = vipSlots - 1;
        for (int seed = 0; seed < VIP_SEEDS; seed++) {
            Vip[] table = new Vip[vipSlots];
            boolean placed = true;
            for (Map.Entry<Endpoint, Integer> e : eps.entrySet()) {
                int h = SbulbAbi.vipHash(e.getKey(), seed);
                int i = 0;
                while (i < SbulbAbi.VIP_PROBES && table[(h + i) & mask] != null) {
                    i++;
                }
                if (i == SbulbAbi.VIP_PROBES) {
                    placed = false;
                    break;
                }
                table[(h + i) & mask] = new Vip(e.getKey(), e.getValue(),
                        to.service(e.getValue()).service().dtlsCid().orElse(null));
            }
            if (placed) {
                seedOut[0] = seed;
                return table;
            }
        }
        throw new ConfigException("configuration not applied, the previous one is kept: its " + eps.size()
                + " (VIP, port) pairs do not fit the VIP table (" + vipSlots + " entries per generation) within "
                + SbulbAbi.VIP_PROBES + " probes of their hash, whatever the seed (0.." + (VIP_SEEDS - 1) + ")");
    }

    /**
     * Generation g's sbulb_rs_fast: each live real server's endpoint placed by linear probing
     * from its hash (the VIP table's, with its seed), within {@link SbulbAbi#VIP_PROBES} entries;
     * one that does not fit is left to sbulb_rs_ep (an accelerator, never the only record).
     */
    private void writeRsFast(int g, Placement to, int seed) {
        byte[][] table = new byte[rsFastSlots][];
        int mask = rsFastSlots - 1;
        for (Placement.ServerEndpoint e : new TreeMap<>(to.serverEndpoints()).values()) {
            if (e.kind() != Placement.EndpointKind.SERVER) {
                continue;
            }
            int h = SbulbAbi.vipHash(e.endpoint(), seed);
            for (int i = 0; i < SbulbAbi.VIP_PROBES; i++) {
                if (table[(h + i) & mask] == null) {
                    table[(h + i) & mask] = new SbulbAbi.RsFast(e.endpoint(), e.serviceId(), e.slot()).bytes();
                    break;
                }
            }
        }
        for (int i = 0; i < rsFastSlots; i++) {
            int k = g * rsFastSlots + i;
            if (!Arrays.equals(table[i], rsFast[k])) {
                write(prog.rsFast, SbulbAbi.u32(k), table[i] == null ? new byte[SbulbAbi.RS_FAST_SIZE] : table[i]);
                rsFast[k] = table[i];
            }
        }
    }

    private void writeServices(int g, Placement to) {
        for (int id = 0; id < maxSvc; id++) {
            Placement.PlacedService p = to.service(id);
            ServiceEntry want = p == null ? ServiceEntry.NONE : new ServiceEntry(p.service().vip(), p.order(),
                    p.schedule().length, p.service().name(), p.service().dtlsCid().orElse(null));
            int k = g * maxSvc + id;
            if (!want.equals(services[k])) {
                write(prog.services, SbulbAbi.u32(k), want.bytes());
                services[k] = want;
            }
        }
    }

    private void writeVips(int g, Vip[] table) {
        for (int i = 0; i < vipSlots; i++) {
            byte[] want = table[i] == null ? null : table[i].bytes();
            int k = g * vipSlots + i;
            if (!Arrays.equals(want, vips[k])) {
                write(prog.vips, SbulbAbi.u32(k), want == null ? new byte[SbulbAbi.VIP_SIZE] : want);
                vips[k] = want;
            }
        }
    }

    private void writeSchedules(int g, Placement to) {
        for (Placement.PlacedService p : to.services()) {
            int k = g * maxSvc + p.id();
            int[] want = p.schedule();
            int[] have = sched[k];
            if (have == null || have.length < want.length) {
                int[] grown = new int[want.length];
                Arrays.fill(grown, -1); // unknown
                if (have != null) {
                    System.arraycopy(have, 0, grown, 0, have.length);
                }
                sched[k] = have = grown;
            }
            for (int i = 0; i < want.length; i++) {
                if (have[i] != want[i]) {
                    write(prog.sched, SbulbAbi.u32(k * maxSched + i), SbulbAbi.u32(want[i]));
                    have[i] = want[i];
                }
            }
            // entries past the cycle's end stay: the service's sched_len hides them
        }
    }

    private void writeReals(int g, Placement to) {
        int a = active;
        int activeBits = (SbulbAbi.REAL_LIVE | SbulbAbi.REAL_RETIRED) << a;
        for (int slot = 0; slot < reals.length; slot++) {
            Real have = reals[slot];
            Placement.Slot s = to.slot(slot);
            boolean activeUses = have.used(a);
            Real want;
            if (s == null) {
                if (!activeUses) {
                    want = Real.EMPTY;
                } else {
                    int[] pos = have.pos().clone();
                    int[] weight = have.weight().clone();
                    pos[g] = 0;
                    weight[g] = 0;
                    want = new Real(have.address(), have.epoch(), have.retiredSeq(), pos, have.serviceId(),
                            have.flags() & activeBits, weight);
                }
            } else {
                if (activeUses && (!s.address().equals(have.address()) || s.epoch() != have.epoch()
                        || s.serviceId() != have.serviceId())) {
                    throw new IllegalStateException("the placement gives slot " + slot + ", in use by " + have.address()
                            + " epoch " + have.epoch() + " of service " + have.serviceId() + ", to " + s.address()
                            + " epoch " + s.epoch() + " of service " + s.serviceId() + " while it is in use");
                }
                boolean live = s.state() == Placement.SlotState.LIVE;
                int[] pos = activeUses ? have.pos().clone() : new int[SbulbAbi.GENERATIONS];
                int[] weight = activeUses ? have.weight().clone() : new int[SbulbAbi.GENERATIONS];
                pos[g] = live ? s.position() : 0;
                weight[g] = live ? s.weight() : 0;
                int flags = (activeUses ? have.flags() & activeBits : 0)
                        | (live ? SbulbAbi.REAL_LIVE : SbulbAbi.REAL_RETIRED) << g;
                // the rank of a server retired in the generation in use stays while that generation is in force
                int seq = !live ? s.retiredSeq() : have.retired(a) ? have.retiredSeq() : 0;
                want = new Real(s.address(), s.epoch(), seq, pos, s.serviceId(), flags, weight);
            }
            if (s != null && s.epoch() != have.epoch()) {
                // the slot is another server's from now on: its forwarded-frame count starts again
                BpfMap frames = prog.slotFrames;
                write(frames, SbulbAbi.u32(slot), new byte[frames.perCpuStride() * frames.possibleCpus()]);
            }
            if (!want.equals(have)) {
                write(prog.reals, SbulbAbi.u32(slot), want.bytes());
                reals[slot] = want;
            }
        }
    }

    /**
     * Sets every real-server endpoint's half for generation {@code g}; the active half is written
     * back unchanged. Entries neither generation uses are deleted first (room for the new ones).
     */
    private void writeEndpoints(int g, Placement to) {
        Map<Endpoint, Placement.ServerEndpoint> want = to.serverEndpoints();
        List<Endpoint> gone = new ArrayList<>();
        endpoints.forEach((ep, v) -> {
            if (v.kind()[active] == SbulbAbi.EP_NONE && !want.containsKey(ep)) {
                gone.add(ep);
            }
        });
        for (Endpoint ep : gone) {
            delete(prog.rsEndpoints, SbulbAbi.epKey(ep.address(), ep.port()));
            endpoints.remove(ep);
        }
        Set<Endpoint> keys = new LinkedHashSet<>(want.keySet());
        keys.addAll(endpoints.keySet());
        for (Endpoint ep : keys) {
            RsEp have = endpoints.getOrDefault(ep, RsEp.none());
            Placement.ServerEndpoint w = want.get(ep);
            RsEp next = w == null ? have.with(g, SbulbAbi.EP_NONE, 0, 0)
                    : have.with(g, w.kind() == Placement.EndpointKind.SERVER ? SbulbAbi.EP_SERVER : SbulbAbi.EP_RETIRED,
                            w.serviceId(), w.slot());
            if (!next.equals(endpoints.get(ep))) {
                write(prog.rsEndpoints, SbulbAbi.epKey(ep.address(), ep.port()), next.bytes());
                endpoints.put(ep, next);
            }
        }
    }

    /** As {@link #writeEndpoints}, for the address flags. */
    private void writeAddresses(int g, Placement to) {
        Map<IpAddress, Integer> want = to.addressFlags();
        List<IpAddress> gone = new ArrayList<>();
        addresses.forEach((a, v) -> {
            if (v[active] == 0 && !want.containsKey(a)) {
                gone.add(a);
            }
        });
        for (IpAddress a : gone) {
            delete(prog.addresses, SbulbAbi.epKey(a, 0));
            addresses.remove(a);
        }
        Set<IpAddress> keys = new LinkedHashSet<>(want.keySet());
        keys.addAll(addresses.keySet());
        for (IpAddress a : keys) {
            int[] have = addresses.get(a);
            int[] next = have == null ? new int[SbulbAbi.GENERATIONS] : have.clone();
            next[g] = want.getOrDefault(a, 0);
            if (!Arrays.equals(next, have)) {
                write(prog.addresses, SbulbAbi.epKey(a, 0), SbulbAbi.addrFlags(next));
                addresses.put(a, next);
            }
        }
    }

    /** Generation g's sbulb_port_svc: per family and port, the one service balancing it (id + 1), or NONE or MANY. */
    private void writePortServices(int g, Placement to) {
        int[] want = new int[2 * SbulbAbi.PORT_COUNT];
        for (Placement.PlacedService p : to.services()) {
            int base = p.service().vip().isIpv4() ? 0 : SbulbAbi.PORT_COUNT;
            for (int port : p.service().ports()) {
                int v = want[base + port];
                want[base + port] = v == SbulbAbi.PORT_SVC_NONE ? p.id() + 1 : SbulbAbi.PORT_SVC_MANY;
            }
        }
        for (int i = 0; i < want.length; i++) {
            int key = g * 2 * SbulbAbi.PORT_COUNT + i;
            if ((portServices[key] & 0xffff) != want[i]) {
                write(prog.portServices, SbulbAbi.u32(key), SbulbAbi.u16(want[i]));
                portServices[key] = (short) want[i];
            }
        }
    }

    /**
     * Generation g's sbulb_cid_nodes: each live server's node id in a service that routes DTLS CID
     * records, to its slot; generation g's entries no longer wanted are deleted first.
     */
    private void writeCidNodes(int g, Placement to) {
        Map<Integer, SbulbAbi.CidNode> want = new HashMap<>();
        to.cidSlots().forEach((k, slot) -> want.put(SbulbAbi.cidNodeKey(g, maxSvc, (int) (long) k.get(0), k.get(1)),
                new SbulbAbi.CidNode(k.get(1), slot)));
        List<Integer> gone = new ArrayList<>();
        cidNodes.keySet().forEach(k -> {
            if (k / (maxSvc * SbulbAbi.CID_NODE_SLOTS) == g && !want.containsKey(k)) {
                gone.add(k);
            }
        });
        for (int k : gone) {
            write(prog.cidNodes, SbulbAbi.u32(k), new byte[SbulbAbi.CID_NODE_SIZE]);
            cidNodes.remove(k);
        }
        for (Map.Entry<Integer, SbulbAbi.CidNode> e : want.entrySet()) {
            if (!e.getValue().equals(cidNodes.get(e.getKey()))) {
                write(prog.cidNodes, SbulbAbi.u32(e.getKey()), e.getValue().bytes());
                cidNodes.put(e.getKey(), e.getValue());
            }
        }
    }

    /** A service new to its id ({@link Placement.PlacedService#fresh}) starts its cycle at the beginning; the others keep their cursor. */
    private void resetCursors(Placement to) {
        for (Placement.PlacedService p : to.services()) {
            if (p.fresh()) {
                write(prog.state, SbulbAbi.u32(p.id()), SbulbAbi.u32(0));
            }
        }
    }

    /**
     * Takes what pinned maps hold as the running configuration (a daemon adopting the data path
     * another one left): the generation in use, its services with their ports (from its VIP
     * table), the slots it uses (live with their positions and weights, retired with their
     * ranks), the next epoch and rank; and the mirrors of both generations. The next change is
     * then written as if this writer had written everything before.
     *
     * @throws ConfigException when the maps do not hold a configuration within this writer's limits
     */
    void adopt() {
        active = SbulbAbi.u32(prog.generation.lookup(SbulbAbi.u32(0))) & 1;
        for (int g = 0; g < SbulbAbi.GENERATIONS; g++) {
            seeds[g] = Config.of(prog.config.lookup(SbulbAbi.u32(g))).vipSeed();
        }
        prog.services.forEach((k, v) -> services[SbulbAbi.u32(k)] = ServiceEntry.of(v));
        prog.vips.forEach((k, v) -> vips[SbulbAbi.u32(k)] = Vip.of(v) == null ? null : v.clone());
        prog.reals.forEach((k, v) -> {
            Real r = Real.of(v);
            reals[SbulbAbi.u32(k)] = r.address() == null && r.flags() == 0 ? Real.EMPTY : r;
        });
        prog.rsEndpoints.forEach((k, v) -> endpoints.put(SbulbAbi.epKey(k), RsEp.of(v)));
        prog.addresses.forEach((k, v) -> addresses.put(SbulbAbi.epKey(k).address(), SbulbAbi.addrFlags(v)));
        prog.portServices.forEach((k, v) -> portServices[SbulbAbi.u32(k)] = (short) SbulbAbi.u16(v));
        prog.rsFast.forEach((k, v) -> rsFast[SbulbAbi.u32(k)] = SbulbAbi.RsFast.of(v) == null ? null : v.clone());
        prog.cidNodes.forEach((k, v) -> {
            if (SbulbAbi.CidNode.of(v) != null) {
                cidNodes.put(SbulbAbi.u32(k), SbulbAbi.CidNode.of(v));
            }
        });
        placement = readPlacement(limits, prog.generation, prog.config, prog.services, prog.vips, prog.reals,
                prog.addresses, prog.cidNodes);
        graceOwed = true; // the daemon before may have switched just before it stopped
    }

    /**
     * The placement the generation in use holds (what {@link #adopt()} and a read-only look at
     * pinned maps take as the running configuration): its services with their ports (from its
     * VIP table), the slots it uses (live with their positions and weights, retired with their
     * ranks), the next epoch and rank, the balancer host's addresses (flagged in {@code addrsMap}),
     * the services' DTLS Connection ID routing and their live servers' node ids ({@code cidMap}).
     * Reads only.
     *
     * @throws ConfigException when the maps do not hold a configuration within {@code limits}
     */
    static Placement readPlacement(Limits limits, BpfMap generation, BpfMap config, BpfMap servicesMap, BpfMap vipsMap,
                                   BpfMap realsMap, BpfMap addrsMap, BpfMap cidMap) {
        int gen = SbulbAbi.u32(generation.lookup(SbulbAbi.u32(0))) & 1;
        Map<Integer, Long> nodeOfSlot = new HashMap<>();
        cidMap.forEach((k, v) -> {
            SbulbAbi.CidNode e = SbulbAbi.CidNode.of(v);
            if (e != null && SbulbAbi.u32(k) / (limits.maxServices() * SbulbAbi.CID_NODE_SLOTS) == gen) {
                nodeOfSlot.put(e.slot(), e.node());
            }
        });
        int maxSvc = limits.maxServices();
        int vipSlots = SbulbProgram.vipSlots(limits);
        Map<Integer, SortedSet<Integer>> ports = new HashMap<>();
        vipsMap.forEach((k, v) -> {
            Vip e = Vip.of(v);
            if (e != null && SbulbAbi.u32(k) / vipSlots == gen) {
                ports.computeIfAbsent(e.serviceId(), x -> new TreeSet<>()).add(e.endpoint().port());
            }
        });
        List<Placement.Slot> used = new ArrayList<>();
        realsMap.forEach((k, v) -> {
            int slot = SbulbAbi.u32(k);
            Real r = Real.of(v);
            if (r.live(gen)) {
                used.add(new Placement.Slot(slot, r.serviceId(), r.address(), r.epoch(), Placement.SlotState.LIVE, 0,
                        r.weight()[gen], r.pos()[gen], nodeOfSlot.getOrDefault(slot, io.sbulb.api.RealServer.NO_NODE_ID)));
            } else if (r.retired(gen)) {
                used.add(new Placement.Slot(slot, r.serviceId(), r.address(), r.epoch(), Placement.SlotState.RETIRED,
                        r.retiredSeq(), 0, -1));
            }
        });
        List<Placement.ServiceHead> heads = new ArrayList<>();
        servicesMap.forEach((k, v) -> {
            int key = SbulbAbi.u32(k);
            ServiceEntry s = ServiceEntry.of(v);
            if (key / maxSvc == gen && s.vip() != null) {
                int id = key % maxSvc;
                heads.add(new Placement.ServiceHead(id, s.order(), s.name(), s.vip(), ports.getOrDefault(id, new TreeSet<>()),
                        s.cid()));
            }
        });
        Set<IpAddress> hosts = new TreeSet<>();
        addrsMap.forEach((k, v) -> {
            if ((SbulbAbi.addrFlags(v)[gen] & SbulbAbi.ADDR_HOST) != 0) {
                hosts.add(SbulbAbi.epKey(k).address());
            }
        });
        Config c = Config.of(config.lookup(SbulbAbi.u32(gen)));
        return Placement.restore(limits, heads, used, Math.max(1, c.nextEpoch()), Math.max(1, c.nextRetiredSeq()),
                hosts);
    }

    private void write(BpfMap map, byte[] key, byte[] value) {
        hook.beforeWrite(map.name());
        map.update(key, value, UpdateFlag.ANY);
    }

    private void delete(BpfMap map, byte[] key) {
        hook.beforeWrite(map.name());
        map.delete(key);
    }

    /** The generation in use, for tests. */
    int activeGeneration() {
        return active;
    }

    @Override
    public String toString() {
        return "generation " + active + " " + placement.config();
    }
}
