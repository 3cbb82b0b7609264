package io.sbulb.xdp;

import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.DtlsCid;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The Java side of {@code src/main/bpf/sbulb_abi.h} (layout 2, services): map names, struct sizes
 * and layouts, each struct's encoder and decoder, and the two hashes the control plane must
 * compute exactly as the data path does ({@link #filterBit}, {@link #vipHash}). Not trusted
 * blindly: AbiTest opens the compiled object and checks every name and size here against the
 * maps and the BTF it carries.
 *
 * <p>Addresses and ports are network byte order (as in the packet); counts, ids, slots and
 * counters are host byte order.
 */
public final class SbulbAbi {

    private SbulbAbi() {
    }

    public static final String PROGRAM = "sbulb_xdp";

    public static final String MAP_GEN = "sbulb_gen";
    public static final String MAP_CONFIG = "sbulb_config";
    public static final String MAP_SERVICES = "sbulb_services";
    public static final String MAP_VIPS = "sbulb_vips";
    public static final String MAP_SCHED = "sbulb_sched";
    public static final String MAP_REALS = "sbulb_reals";
    public static final String MAP_RS_EP = "sbulb_rs_ep";
    public static final String MAP_ADDRS = "sbulb_addrs";
    public static final String MAP_ASSOC4 = "sbulb_assoc4";
    public static final String MAP_ASSOC6 = "sbulb_assoc6";
    public static final String MAP_STATE = "sbulb_state";
    public static final String MAP_COUNTERS = "sbulb_counters";
    public static final String MAP_EVENTS = "sbulb_events";
    public static final String MAP_STAMP = "sbulb_stamp";
    public static final String MAP_PORT_SVC = "sbulb_port_svc";
    public static final String MAP_RS_FAST = "sbulb_rs_fast";
    public static final String MAP_SLOT_FRAMES = "sbulb_slot_frames";
    public static final String MAP_CID_NODES = "sbulb_cid_nodes";
    /** sbulb_port_svc values: no service of the family on the port, several ({@code id + 1} for one). */
    public static final int PORT_SVC_NONE = 0;
    public static final int PORT_SVC_MANY = 0xffff;
    public static final int PORT_COUNT = 65536;
    /** The enum whose SBULB_ABI_VERSION is the object's layout version of the pinned maps. */
    public static final String ABI_VERSION_ENUM = "sbulb_abi_version";
    public static final String ABI_VERSION = "SBULB_ABI_VERSION";
    /** The layout version of the shipped object (its BTF's SBULB_ABI_VERSION, checked by AbiTest). */
    public static final int LAYOUT_VERSION = 4;

    public static final int EVENTS_BYTES = 256 * 1024;

    public static final int FAMILY_NONE = 0;

    /** SBULB_GENERATIONS: configuration generations, the one in use and the one being written. */
    public static final int GENERATIONS = 2;
    /** SBULB_RS_FILTER_BITS. */
    public static final int RS_FILTER_BITS = 1024;
    /** SBULB_VIP_PROBES: a (vip, port) sits at most this many entries from its hash. */
    public static final int VIP_PROBES = 8;

    /** struct sbulb_real flags: LIVE << g, RETIRED << g. */
    public static final int REAL_LIVE = 1;
    public static final int REAL_RETIRED = 4;
    /** struct sbulb_rs_ep kinds. */
    public static final int EP_NONE = 0;
    public static final int EP_SERVER = 1;
    public static final int EP_RETIRED = 2;
    /** struct sbulb_addr_flags bits (the same as io.sbulb.api.Placement's). */
    public static final int ADDR_VIP = 1;
    public static final int ADDR_SERVER = 2;
    public static final int ADDR_HOST = 4;

    public static final int ADDR_SIZE = 16;
    public static final int CONFIG_SIZE = 144;
    public static final int VIP_SIZE = 28;
    public static final int SERVICE_SIZE = 60;
    public static final int SERVICE_NAME_SIZE = 32;
    public static final int REAL_SIZE = 40;
    public static final int EP_KEY_SIZE = 20;
    public static final int RS_EP_SIZE = 16;
    public static final int ADDR_FLAGS_SIZE = 4;
    public static final int STAMP_SIZE = 24;
    public static final int STATE_SIZE = 4;
    public static final int ASSOC4_KEY_SIZE = 8;
    public static final int ASSOC6_KEY_SIZE = 20;
    public static final int ASSOC_SIZE = 8;
    public static final int COUNTER_SIZE = 16;
    /** struct sbulb_slot_count: frames (u64), moved (u64). */
    public static final int SLOT_COUNT_SIZE = 16;
    static final int SLOT_COUNT_FRAMES = 0;
    static final int SLOT_COUNT_MOVED = 8;
    public static final int EVENT_SIZE = 72;
    public static final int PARAMS_SIZE = 32;
    public static final int RS_FAST_SIZE = 28;
    public static final int CID_NODE_SIZE = 12;
    /** SBULB_CID_NODE_SLOTS: sbulb_cid_nodes entries per service and generation, by a node id's last byte. */
    public static final int CID_NODE_SLOTS = 256;
    public static final int U32 = 4;

    /**
     * C struct name -> size the Java side assumes. struct sbulb_event is not here: only a local
     * variable has that type, and clang emits no BTF for the types of locals; its size is held
     * by the _Static_assert in the header and its layout by EventLogTest.
     */
    public static final Map<String, Integer> STRUCT_SIZES = Map.ofEntries(
            Map.entry("sbulb_addr", ADDR_SIZE),
            Map.entry("sbulb_config", CONFIG_SIZE),
            Map.entry("sbulb_vip", VIP_SIZE),
            Map.entry("sbulb_rs_fast", RS_FAST_SIZE),
            Map.entry("sbulb_service", SERVICE_SIZE),
            Map.entry("sbulb_real", REAL_SIZE),
            Map.entry("sbulb_ep_key", EP_KEY_SIZE),
            Map.entry("sbulb_rs_ep", RS_EP_SIZE),
            Map.entry("sbulb_addr_flags", ADDR_FLAGS_SIZE),
            Map.entry("sbulb_stamp", STAMP_SIZE),
            Map.entry("sbulb_state", STATE_SIZE),
            Map.entry("sbulb_assoc4_key", ASSOC4_KEY_SIZE),
            Map.entry("sbulb_assoc6_key", ASSOC6_KEY_SIZE),
            Map.entry("sbulb_assoc", ASSOC_SIZE),
            Map.entry("sbulb_counter", COUNTER_SIZE),
            Map.entry("sbulb_slot_count", SLOT_COUNT_SIZE),
            Map.entry("sbulb_params", PARAMS_SIZE),
            Map.entry("sbulb_cid_node", CID_NODE_SIZE));

    /** The enum in the C header whose constants mirror {@link io.sbulb.api.Reason}, prefix included. */
    public static final String REASON_ENUM = "sbulb_reason";
    public static final String REASON_PREFIX = "SBULB_R_";

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /** struct sbulb_addr. */
    public static byte[] addr(IpAddress a) {
        return a.toPadded16();
    }

    /** A u32 key or value. */
    public static byte[] u32(int v) {
        return buffer(U32).putInt(v).array();
    }

    /** A u32 value. */
    public static int u32(byte[] b) {
        return wrap(b).getInt(0);
    }

    private static void putPort(ByteBuffer b, int port) {
        b.put((byte) (port >>> 8)).put((byte) port); // network byte order
    }

    private static int port(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    /** struct sbulb_config: one generation's service count, VIP-table seed, next epoch and retired rank, filter. */
    public record Config(int svcCount, int vipSeed, int nextEpoch, int nextRetiredSeq, long[] filter) {
        public byte[] bytes() {
            ByteBuffer b = buffer(CONFIG_SIZE).putInt(svcCount).putInt(vipSeed).putInt(nextEpoch).putInt(nextRetiredSeq);
            for (long w : filter) {
                b.putLong(w);
            }
            return b.array();
        }

        public static Config of(byte[] v) {
            ByteBuffer b = wrap(v);
            long[] filter = new long[RS_FILTER_BITS / 64];
            for (int i = 0; i < filter.length; i++) {
                filter[i] = b.getLong(16 + 8 * i);
            }
            return new Config(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), filter);
        }

        /** The filter with the bit of every address in {@code addresses} set. */
        public static long[] filterOf(Iterable<IpAddress> addresses) {
            long[] filter = new long[RS_FILTER_BITS / 64];
            for (IpAddress a : addresses) {
                int bit = filterBit(a);
                filter[bit >>> 6] |= 1L << (bit & 63);
            }
            return filter;
        }
    }

    /**
     * struct sbulb_vip: one entry of the VIP table; {@code cid}: its service's DTLS Connection ID
     * layout (its dtls-cid), or null when it does not route by CID.
     */
    public record Vip(Endpoint endpoint, int serviceId, io.sbulb.api.DtlsCid cid) {
        public byte[] bytes() {
            ByteBuffer b = buffer(VIP_SIZE).put(addr(endpoint.address()));
            putPort(b, endpoint.port());
            b.put((byte) endpoint.address().family()).put((byte) 1).putShort((short) serviceId);
            if (cid != null) {
                b.put((byte) cid.length()).put((byte) cid.nodeIdOffset()).put((byte) cid.nodeIdSize());
            }
            return b.array();
        }

        /** The entry, or null when unused. */
        public static Vip of(byte[] v) {
            if (v[19] == 0) {
                return null;
            }
            return new Vip(new Endpoint(IpAddress.read(v, 0, v[18]), port(v, 16)), wrap(v).getShort(20) & 0xffff,
                    v[22] == 0 ? null : new io.sbulb.api.DtlsCid(v[22] & 0xff, v[23] & 0xff, v[24] & 0xff));
        }
    }

    /** struct sbulb_rs_fast: a live real server's endpoint, its service and slot. */
    public record RsFast(Endpoint endpoint, int serviceId, int slot) {
        public byte[] bytes() {
            ByteBuffer b = buffer(RS_FAST_SIZE).put(addr(endpoint.address()));
            putPort(b, endpoint.port());
            b.put((byte) endpoint.address().family()).put((byte) 1).putShort((short) serviceId).putShort((short) 0);
            return b.putInt(slot).array();
        }

        /** The entry, or null when unused. */
        public static RsFast of(byte[] v) {
            if (v[19] == 0) {
                return null;
            }
            return new RsFast(new Endpoint(IpAddress.read(v, 0, v[18]), port(v, 16)), wrap(v).getShort(20) & 0xffff,
                    wrap(v).getInt(24));
        }
    }

    /**
     * struct sbulb_service: a service of one generation (null vip: none with this id); {@code cid}
     * its DTLS Connection ID routing, or null (cid_len 0).
     */
    public record ServiceEntry(IpAddress vip, int order, int schedLen, String name, DtlsCid cid) {
        public static final ServiceEntry NONE = new ServiceEntry(null, 0, 0, "", null);

        public byte[] bytes() {
            ByteBuffer b = buffer(SERVICE_SIZE);
            if (vip != null) {
                b.put(addr(vip)).put((byte) vip.family());
            } else {
                b.put(new byte[ADDR_SIZE]).put((byte) FAMILY_NONE);
            }
            b.put((byte) 0).putShort((short) order).putInt(schedLen);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            if (n.length > SERVICE_NAME_SIZE) {
                throw new IllegalArgumentException("service name " + name + " is longer than " + SERVICE_NAME_SIZE
                        + " bytes");
            }
            b.put(n);
            if (cid != null) {
                b.position(56);
                b.put((byte) cid.length()).put((byte) cid.nodeIdOffset()).put((byte) cid.nodeIdSize());
            }
            return b.array();
        }

        public static ServiceEntry of(byte[] v) {
            int family = v[16];
            if (family == FAMILY_NONE) {
                return NONE;
            }
            ByteBuffer b = wrap(v);
            int len = 0;
            while (len < SERVICE_NAME_SIZE && v[24 + len] != 0) {
                len++;
            }
            int cidLen = v.length > 56 ? v[56] & 0xff : 0;
            return new ServiceEntry(IpAddress.read(v, 0, family), b.getShort(18) & 0xffff, b.getInt(20),
                    new String(v, 24, len, StandardCharsets.UTF_8),
                    cidLen == 0 ? null : new DtlsCid(cidLen, v[57] & 0xff, v[58] & 0xff));
        }
    }

    /** The sbulb_cid_nodes entry of node id {@code node} of service {@code serviceId} in generation {@code gen}. */
    public static int cidNodeKey(int gen, int maxServices, int serviceId, long node) {
        return (gen * maxServices + serviceId) * CID_NODE_SLOTS + (int) (node & (CID_NODE_SLOTS - 1));
    }

    /** struct sbulb_cid_node: node id {@code node} (unsigned) is the live slot {@code slot}'s. */
    public record CidNode(long node, int slot) {
        public byte[] bytes() {
            return buffer(CID_NODE_SIZE).putInt((int) node).putInt(slot).put((byte) 1).array();
        }

        /** The entry, or null when unused. */
        public static CidNode of(byte[] v) {
            if (v[8] == 0) {
                return null;
            }
            ByteBuffer b = wrap(v);
            return new CidNode(b.getInt(0) & 0xffffffffL, b.getInt(4));
        }
    }

    /**
     * struct sbulb_real: a slot. {@code pos} and {@code weight} per generation; flags
     * {@code REAL_LIVE << g}, {@code REAL_RETIRED << g}.
     */
    public record Real(IpAddress address, int epoch, int retiredSeq, int[] pos, int serviceId, int flags,
                       int[] weight) {
        public static final Real EMPTY = new Real(null, 0, 0, new int[GENERATIONS], 0, 0, new int[GENERATIONS]);

        public byte[] bytes() {
            ByteBuffer b = buffer(REAL_SIZE);
            b.put(address == null ? new byte[ADDR_SIZE] : addr(address));
            b.putInt(epoch).putInt(retiredSeq).putInt(pos[0]).putInt(pos[1]).putShort((short) serviceId);
            b.put((byte) (address == null ? FAMILY_NONE : address.family())).put((byte) flags);
            return b.put((byte) weight[0]).put((byte) weight[1]).array();
        }

        public static Real of(byte[] v) {
            ByteBuffer b = wrap(v);
            int family = v[34];
            return new Real(family == FAMILY_NONE ? null : IpAddress.read(v, 0, family), b.getInt(16), b.getInt(20),
                    new int[] {b.getInt(24), b.getInt(28)}, b.getShort(32) & 0xffff, v[35] & 0xff,
                    new int[] {v[36] & 0xff, v[37] & 0xff});
        }

        public boolean live(int g) {
            return (flags & (REAL_LIVE << g)) != 0;
        }

        public boolean retired(int g) {
            return (flags & (REAL_RETIRED << g)) != 0;
        }

        /** Whether generation {@code g} uses the slot (live or retired). */
        public boolean used(int g) {
            return live(g) || retired(g);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Real r && Arrays.equals(bytes(), r.bytes());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes());
        }
    }

    /** struct sbulb_ep_key: an endpoint (sbulb_rs_ep) or an address with port 0 (sbulb_addrs). */
    public static byte[] epKey(IpAddress a, int port) {
        ByteBuffer b = buffer(EP_KEY_SIZE).put(addr(a));
        putPort(b, port);
        return b.put((byte) a.family()).array();
    }

    /** The endpoint of a struct sbulb_ep_key. */
    public static Endpoint epKey(byte[] k) {
        return new Endpoint(IpAddress.read(k, 0, k[18]), port(k, 16));
    }

    /** struct sbulb_rs_ep: per generation, the endpoint's slot, service id and kind (EP_*). */
    public record RsEp(int[] slot, int[] serviceId, int[] kind) {
        public static RsEp none() {
            return new RsEp(new int[GENERATIONS], new int[GENERATIONS], new int[GENERATIONS]);
        }

        public byte[] bytes() {
            return buffer(RS_EP_SIZE).putInt(slot[0]).putInt(slot[1]).putShort((short) serviceId[0])
                    .putShort((short) serviceId[1]).put((byte) kind[0]).put((byte) kind[1]).array();
        }

        public static RsEp of(byte[] v) {
            ByteBuffer b = wrap(v);
            return new RsEp(new int[] {b.getInt(0), b.getInt(4)},
                    new int[] {b.getShort(8) & 0xffff, b.getShort(10) & 0xffff}, new int[] {v[12], v[13]});
        }

        /** A copy with generation {@code g}'s half replaced. */
        public RsEp with(int g, int kind, int serviceId, int slot) {
            RsEp r = new RsEp(this.slot.clone(), this.serviceId.clone(), this.kind.clone());
            r.slot[g] = kind == EP_NONE ? 0 : slot;
            r.serviceId[g] = kind == EP_NONE ? 0 : serviceId;
            r.kind[g] = kind;
            return r;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RsEp r && Arrays.equals(bytes(), r.bytes());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes());
        }
    }

    /** struct sbulb_addr_flags: per generation, ADDR_* bits. */
    public static byte[] addrFlags(int[] flags) {
        return new byte[] {(byte) flags[0], (byte) flags[1], 0, 0};
    }

    public static int[] addrFlags(byte[] v) {
        return new int[] {v[0] & 0xff, v[1] & 0xff};
    }

    /** The key of a client of a service in its family's association table (struct sbulb_assoc4_key / 6). */
    public static byte[] assocKey(Endpoint client, int serviceId) {
        IpAddress a = client.address();
        ByteBuffer b = buffer(a.isIpv4() ? ASSOC4_KEY_SIZE : ASSOC6_KEY_SIZE).put(a.bytes());
        putPort(b, client.port());
        return b.putShort((short) serviceId).array();
    }

    /** A __u16 value, host order. */
    public static byte[] u16(int v) {
        return buffer(2).putShort((short) v).array();
    }

    /** A __u16 value read back. */
    public static int u16(byte[] b) {
        return wrap(b).getShort(0) & 0xffff;
    }

    /** The key of sbulb_port_svc: generation, family, port (host order). */
    public static int portSvcKey(int gen, int family, int port) {
        return ((gen * 2 + (family == 6 ? 1 : 0)) << 16) | port;
    }

    /** The association table of that family. */
    public static String assocMap(IpAddress client) {
        return client.isIpv4() ? MAP_ASSOC4 : MAP_ASSOC6;
    }

    /** struct sbulb_assoc: the slot and its epoch. */
    public static byte[] assocValue(int slot, int epoch) {
        return buffer(ASSOC_SIZE).putInt(slot).putInt(epoch).array();
    }

    /** An entry of an association table as read: the client, the service id, the slot and epoch. */
    public record AssocEntry(Endpoint client, int serviceId, int slot, int epoch) {
        public static AssocEntry of(byte[] key, byte[] value) {
            int family = key.length == ASSOC4_KEY_SIZE ? 4 : 6;
            int addrLen = family == 4 ? 4 : 16;
            IpAddress client = IpAddress.read(key, 0, family);
            ByteBuffer v = wrap(value);
            return new AssocEntry(new Endpoint(client, port(key, addrLen)), wrap(key).getShort(addrLen + 2) & 0xffff,
                    v.getInt(0), v.getInt(4));
        }
    }

    /**
     * {@code sbulb_rs_filter_bit}: the address's four 32-bit words as they lie in memory (read in
     * the machine's byte order, as the data path loads them), combined in turn, then mixed by
     * murmur3's finalizer; the bit is the low bits of the result.
     */
    public static int filterBit(IpAddress a) {
        ByteBuffer w = wrap(addr(a));
        int h = w.getInt(0) * 0x9e3779b1;
        h = (h ^ w.getInt(4)) * 0x85ebca77;
        h = (h ^ w.getInt(8)) * 0xc2b2ae3d;
        h ^= w.getInt(12);
        return mix(h) & (RS_FILTER_BITS - 1);
    }

    /**
     * {@code sbulb_vip_hash}: the first VIP-table entry probed for {@code (vip, port)} before
     * masking: the seed and the address words (as the data path loads them) combined in turn,
     * then the port as it lies in the frame (network byte order read as a host 16-bit integer)
     * with the family above it, mixed by murmur3's finalizer.
     */
    public static int vipHash(Endpoint e, int seed) {
        ByteBuffer w = wrap(addr(e.address()));
        int h = (seed ^ w.getInt(0)) * 0x9e3779b1;
        h = (h ^ w.getInt(4)) * 0x85ebca77;
        h = (h ^ w.getInt(8)) * 0xc2b2ae3d;
        h = (h ^ w.getInt(12)) * 0x27d4eb2f;
        int portAsLoaded = wrap(new byte[] {(byte) (e.port() >>> 8), (byte) e.port()}).getShort(0) & 0xffff;
        h ^= portAsLoaded | (e.address().family() << 16);
        return mix(h);
    }

    private static int mix(int h) {
        h ^= h >>> 16; // murmur3's finalizer
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The sum over CPUs of a per-CPU struct sbulb_counter value buffer. */
    public static Counter counter(byte[] perCpu, int stride, int cpus) {
        ByteBuffer b = wrap(perCpu);
        long packets = 0;
        long bytes = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            packets += b.getLong(cpu * stride);
            bytes += b.getLong(cpu * stride + 8);
        }
        return new Counter(packets, bytes);
    }

    /** struct sbulb_params. */
    public record Params(long eventMask, int maxServices, int maxSchedule, int vipSlots, int maxSlots,
                         int rsFastSlots) {
        public byte[] bytes() {
            return buffer(PARAMS_SIZE).putLong(eventMask).putInt(maxServices).putInt(maxSchedule).putInt(vipSlots)
                    .putInt(maxSlots).putInt(rsFastSlots).array();
        }
    }

    /** Decodes a struct sbulb_event (layout: src/main/bpf/sbulb_abi.h). */
    public static DataplaneEvent event(byte[] b) {
        if (b.length != EVENT_SIZE) {
            throw new IllegalArgumentException("an sbulb event has " + EVENT_SIZE + " bytes, got " + b.length);
        }
        Reason reason = Reason.ofCode(wrap(b).getInt(0));
        int family = b[4];
        Endpoint src = null;
        Endpoint dst = null;
        IpAddress nat = null;
        if (family == 4 || family == 6) {
            src = new Endpoint(IpAddress.read(b, 12, family), port(b, 6));
            dst = new Endpoint(IpAddress.read(b, 28, family), port(b, 8));
            if (!Arrays.equals(Arrays.copyOfRange(b, 44, 60), new byte[ADDR_SIZE])) {
                nat = IpAddress.read(b, 44, family);
            }
        }
        return new DataplaneEvent(reason, family, src, dst, nat, Arrays.copyOfRange(b, 60, 66),
                Arrays.copyOfRange(b, 66, 72));
    }

    /**
     * struct sbulb_stamp: what pinned maps were made with. Layout 1's stamp is the first four
     * fields (16 bytes); {@link #of} reads either, the last two 0 for layout 1.
     */
    public record Stamp(int abi, int maxRealServers, int maxAssociations, int assocSize, int maxServices,
                        int maxPorts) {
        public byte[] bytes() {
            return buffer(STAMP_SIZE).putInt(abi).putInt(maxRealServers).putInt(maxAssociations).putInt(assocSize)
                    .putInt(maxServices).putInt(maxPorts).array();
        }

        public static Stamp of(byte[] b) {
            ByteBuffer w = wrap(b);
            return new Stamp(w.getInt(0), w.getInt(4), w.getInt(8), w.getInt(12), b.length >= 24 ? w.getInt(16) : 0,
                    b.length >= 24 ? w.getInt(20) : 0);
        }
    }
}
