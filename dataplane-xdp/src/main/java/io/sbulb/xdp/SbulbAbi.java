package io.sbulb.xdp;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Java side of {@code src/main/bpf/sbulb_abi.h}: map names, struct sizes and layouts.
 * Not trusted blindly: AbiTest opens the compiled object and checks every name and size here
 * against the maps and the BTF it carries.
 *
 * <p>Addresses and ports are network byte order (as in the packet); counts, indexes and
 * counters are host byte order.
 */
public final class SbulbAbi {

    private SbulbAbi() {
    }

    public static final String PROGRAM = "sbulb_xdp";

    public static final String MAP_CONFIG = "sbulb_config";
    public static final String MAP_PORTS = "sbulb_ports";
    public static final String MAP_RS = "sbulb_rs";
    public static final String MAP_RS_INDEX = "sbulb_rs_index";
    public static final String MAP_ASSOC = "sbulb_assoc";
    public static final String MAP_STATE = "sbulb_state";
    public static final String MAP_GEN = "sbulb_gen";
    public static final String MAP_COUNTERS = "sbulb_counters";
    public static final String MAP_EVENTS = "sbulb_events";
    public static final String MAP_STAMP = "sbulb_stamp";
    /** The enum whose SBULB_ABI_VERSION is the object's layout version of the pinned maps. */
    public static final String ABI_VERSION_ENUM = "sbulb_abi_version";
    public static final String ABI_VERSION = "SBULB_ABI_VERSION";

    public static final int PORT_COUNT = 65536;
    public static final int EVENTS_BYTES = 256 * 1024;

    public static final int FAMILY_NONE = 0;

    /** SBULB_GENERATIONS: configuration generations, the one in use and the one being written. */
    public static final int GENERATIONS = 2;
    /** SBULB_RS_FILTER_BITS. */
    public static final int RS_FILTER_BITS = 1024;
    /** SBULB_RS_ABSENT and SBULB_RS_RETIRED: struct sbulb_rs_pos values that are not positions. */
    public static final int RS_ABSENT = 0xffffffff;
    public static final int RS_RETIRED = 0xfffffffe;

    public static final int ADDR_SIZE = 16;
    public static final int CONFIG_SIZE = 152;
    public static final int RS_POS_SIZE = 16;
    public static final int STAMP_SIZE = 16;
    public static final int STATE_SIZE = 4;
    public static final int ASSOC_KEY_SIZE = 20;
    public static final int ASSOC_SIZE = 20;
    public static final int COUNTER_SIZE = 16;
    public static final int EVENT_SIZE = 72;
    public static final int PARAMS_SIZE = 16;
    public static final int U32 = 4;
    public static final int U8 = 1;

    /**
     * C struct name -> size the Java side assumes. struct sbulb_event is not here: only a local
     * variable has that type, and clang emits no BTF for the types of locals; its size is held
     * by the _Static_assert in the header and its layout by EventLogTest.
     */
    public static final java.util.Map<String, Integer> STRUCT_SIZES = java.util.Map.of(
            "sbulb_addr", ADDR_SIZE,
            "sbulb_config", CONFIG_SIZE,
            "sbulb_rs_pos", RS_POS_SIZE,
            "sbulb_stamp", STAMP_SIZE,
            "sbulb_state", STATE_SIZE,
            "sbulb_assoc_key", ASSOC_KEY_SIZE,
            "sbulb_assoc", ASSOC_SIZE,
            "sbulb_counter", COUNTER_SIZE,
            "sbulb_params", PARAMS_SIZE);

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

    /** A u32 key of an array map. */
    public static byte[] u32(int v) {
        return buffer(U32).putInt(v).array();
    }

    /** struct sbulb_config: the VIP, the list's length and its filter bits. */
    public static byte[] config(IpAddress vip, java.util.List<IpAddress> realServers) {
        ByteBuffer b = buffer(CONFIG_SIZE);
        if (vip != null) {
            b.put(addr(vip));
            b.put((byte) vip.family());
        } else {
            b.put(new byte[ADDR_SIZE]);
            b.put((byte) FAMILY_NONE);
        }
        b.put((byte) (realServers.isEmpty() ? FAMILY_NONE : realServers.get(0).family())); // rs_family
        b.position(20);
        b.putInt(realServers.size());
        long[] filter = new long[RS_FILTER_BITS / 64];
        for (IpAddress rs : realServers) {
            int bit = filterBit(rs);
            filter[bit >>> 6] |= 1L << (bit & 63);
        }
        for (long word : filter) {
            b.putLong(word);
        }
        return b.array();
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
        h ^= h >>> 16; // murmur3's finalizer
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & (RS_FILTER_BITS - 1);
    }

    /** struct sbulb_rs_pos: {@code pos[0]}, {@code pos[1]}, the retired rank {@code pos[2]}, the family {@code pos[3]}. */
    public static byte[] rsPos(int[] pos) {
        return buffer(RS_POS_SIZE).putInt(pos[0]).putInt(pos[1]).putInt(pos[2]).put((byte) pos[3]).array();
    }

    /** struct sbulb_assoc_key. */
    public static byte[] assocKey(Endpoint client) {
        ByteBuffer b = buffer(ASSOC_KEY_SIZE);
        b.put(addr(client.address()));
        b.put((byte) (client.port() >>> 8)).put((byte) client.port()); // network byte order
        b.put((byte) client.address().family());
        return b.array();
    }

    /** struct sbulb_assoc: the real server's address and its position in the list (the inverse of {@link #association}'s value). */
    public static byte[] assocValue(IpAddress realServer, int position) {
        return buffer(ASSOC_SIZE).put(addr(realServer)).putInt(position).array();
    }

    /** An association from a struct sbulb_assoc_key and a struct sbulb_assoc. */
    public static Association association(byte[] key, byte[] value) {
        int family = key[18];
        IpAddress client = IpAddress.read(key, 0, family);
        int port = ((key[16] & 0xff) << 8) | (key[17] & 0xff);
        IpAddress rs = IpAddress.read(value, 0, family);
        int index = wrap(value).getInt(16);
        return new Association(new Endpoint(client, port), rs, index);
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
    public static byte[] params(long eventMask, int maxRealServers) {
        return buffer(PARAMS_SIZE).putLong(eventMask).putInt(maxRealServers).array();
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
            src = new Endpoint(IpAddress.read(b, 12, family), networkPort(b, 6));
            dst = new Endpoint(IpAddress.read(b, 28, family), networkPort(b, 8));
            if (!java.util.Arrays.equals(java.util.Arrays.copyOfRange(b, 44, 60), new byte[ADDR_SIZE])) {
                nat = IpAddress.read(b, 44, family);
            }
        }
        return new DataplaneEvent(reason, family, src, dst, nat, java.util.Arrays.copyOfRange(b, 60, 66),
                java.util.Arrays.copyOfRange(b, 66, 72));
    }

    private static int networkPort(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    /** struct sbulb_stamp: what pinned maps were made with. */
    public record Stamp(int abi, int maxRealServers, int maxAssociations, int assocSize) {
        public byte[] bytes() {
            return buffer(STAMP_SIZE).putInt(abi).putInt(maxRealServers).putInt(maxAssociations).putInt(assocSize)
                    .array();
        }

        public static Stamp of(byte[] b) {
            ByteBuffer w = wrap(b);
            return new Stamp(w.getInt(0), w.getInt(4), w.getInt(8), w.getInt(12));
        }
    }
}
