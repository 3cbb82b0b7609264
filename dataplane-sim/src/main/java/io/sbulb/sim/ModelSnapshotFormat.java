package io.sbulb.sim;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.DtlsCid;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement.ServiceHead;
import io.sbulb.api.Placement.Slot;
import io.sbulb.api.Placement.SlotState;
import io.sbulb.api.Reason;
import io.sbulb.sim.lru.LruState;
import io.sbulb.sim.lru.LruStateFormat;
import io.sbulb.sim.snapshot.ElementFormat;
import io.sbulb.sim.snapshot.Envelope;
import io.sbulb.sim.snapshot.SnapshotInput;
import io.sbulb.sim.snapshot.SnapshotOutput;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The binary form of a {@link ModelSnapshot}: an {@link Envelope} (magic {@code SBULBSIM},
 * version 4, body length, CRC-32) around this body, big-endian:
 *
 * <pre>
 * limits        maxPorts i32, maxRealServers i32, maxAssociations i32, maxServices i32
 * eventMask     i64            bit n set: reason code n is logged
 * services      count i32, then count services, in configuration order
 * slots         count i32, then count slots, by id
 * nextEpoch     i32            (unsigned) the epoch the next new slot gets
 * nextRetired   i32            (unsigned) the rank the next retired server gets
 * hosts         count i32, then count addresses: the balancer host's own, in order
 * cursors       count i32, then count (service id u16, next i32), by id: the cursors that are not 0
 *               (a removed service's stays: the data path keeps it until the id is given out again)
 * counters      count u8, then count (code u8, packets i64, bytes i64), reasons that counted, by code
 * slotFrames    count i32, then count (slot i32, frames i64): the slots that forwarded frames, by slot
 * slotMoved     count i32, then count (slot i32, clients i64): the slots clients moved away from, by slot
 * table4        the IPv4 association table's LRU state ({@link LruStateFormat})
 * table6        the IPv6 association table's LRU state
 * service       id u16, order u16, name (length u8, then ASCII), VIP address, ports (count i32, then count u16),
 *               DTLS Connection ID routing: length u8 (0: none), node-id offset u8, node-id size u8
 * slot          id i32, service id u16, address, epoch i32, state u8 (0 live, 1 retired), retired rank i32,
 *               weight u8, position i32 (-1 when retired), node id i64 (-1: none)
 * key           client address, client port u16, service id u16
 * value         slot i32, epoch i32
 * address       family u8 (4 or 6), then 4 or 16 bytes, network byte order
 * </pre>
 *
 * <p>Version 3 (no clients moved per slot, no DTLS Connection ID routing) and version 2 (no host
 * addresses, no frames per slot) are not read: a model has not been kept across releases.
 * Version 1 (one VIP, a list of servers, the retired ones, one cursor, one table keyed by
 * client) is not read: its associations name servers, not slots.
 *
 * <p>Reading checks the envelope first (truncated, altered, other kind or version), then reads the
 * body naming each field, and refuses one that describes no possible model ({@link ModelSnapshot}'s
 * checks): every refusal is a {@link io.sbulb.sim.snapshot.SnapshotException} and restores nothing.
 */
final class ModelSnapshotFormat {

    static final String MAGIC = "SBULBSIM";
    static final int VERSION = 4;

    private static final List<SlotState> STATES = List.of(SlotState.LIVE, SlotState.RETIRED);

    private static final ElementFormat<AssocKey> KEY = new ElementFormat<>() {
        @Override
        public void write(SnapshotOutput out, AssocKey k) {
            address(out, k.address());
            out.u16(k.port()).u16(k.service());
        }

        @Override
        public AssocKey read(SnapshotInput in, String what) {
            return new AssocKey(address(in, what + " address"), in.u16(what + " port"), in.u16(what + " service id"));
        }
    };

    private static final ElementFormat<AssocValue> VALUE = new ElementFormat<>() {
        @Override
        public void write(SnapshotOutput out, AssocValue v) {
            out.i32(v.slot).i32(v.epoch);
        }

        @Override
        public AssocValue read(SnapshotInput in, String what) {
            return new AssocValue(in.i32(what + " slot"), in.i32(what + " epoch"));
        }
    };

    private ModelSnapshotFormat() {
    }

    static byte[] write(ModelSnapshot s) {
        SnapshotOutput out = new SnapshotOutput();
        Limits l = s.limits();
        out.i32(l.maxPorts()).i32(l.maxRealServers()).i32(l.maxAssociations()).i32(l.maxServices()).i64(s.eventMask());
        out.i32(s.heads().size());
        for (ServiceHead h : s.heads()) {
            byte[] name = h.name().getBytes(StandardCharsets.US_ASCII);
            out.u16(h.id()).u16(h.order()).u8(name.length).bytes(name);
            address(out, h.vip());
            out.i32(h.ports().size());
            h.ports().forEach(out::u16);
            DtlsCid c = h.dtlsCid();
            out.u8(c == null ? 0 : c.length()).u8(c == null ? 0 : c.nodeIdOffset()).u8(c == null ? 0 : c.nodeIdSize());
        }
        out.i32(s.slots().size());
        for (Slot x : s.slots()) {
            out.i32(x.id()).u16(x.serviceId());
            address(out, x.address());
            out.i32(x.epoch()).u8(STATES.indexOf(x.state())).i32(x.retiredSeq()).u8(x.weight()).i32(x.position())
                    .i64(x.nodeId());
        }
        out.i32(s.nextEpoch()).i32(s.nextRetiredSeq());
        out.i32(s.hostAddresses().size());
        s.hostAddresses().forEach(a -> address(out, a));
        out.i32(s.cursors().size());
        s.cursors().forEach((id, next) -> out.u16(id).i32((int) (long) next));
        out.u8(s.counters().size());
        s.counters().forEach((r, n) -> out.u8(r.code()).i64(n.packets()).i64(n.bytes()));
        out.i32(s.slotFrames().size());
        s.slotFrames().forEach((slot, n) -> out.i32(slot).i64(n));
        out.i32(s.slotMoved().size());
        s.slotMoved().forEach((slot, n) -> out.i32(slot).i64(n));
        LruStateFormat.write(out, s.table4(), KEY, VALUE);
        LruStateFormat.write(out, s.table6(), KEY, VALUE);
        return Envelope.seal(MAGIC, VERSION, out);
    }

    static ModelSnapshot read(byte[] bytes) {
        return body(Envelope.open(bytes, MAGIC, VERSION));
    }

    static ModelSnapshot read(InputStream in) {
        return body(Envelope.read(in, MAGIC, VERSION));
    }

    private static ModelSnapshot body(SnapshotInput in) {
        Limits limits;
        try {
            limits = new Limits(in.i32("limits: max ports"), in.i32("limits: max real servers"),
                    in.i32("limits: max associations"), in.i32("limits: max services"));
        } catch (ConfigException e) {
            throw SnapshotInput.inconsistent("limits: " + e.getMessage());
        }
        long mask = in.i64("event mask");
        List<ServiceHead> heads = heads(in, limits);
        List<Slot> slots = slots(in, limits);
        int nextEpoch = in.i32("next epoch");
        int nextRetired = in.i32("next retired rank");
        int hostCount = in.i32("host address count", 0, 1 << 16);
        List<IpAddress> hosts = new ArrayList<>();
        for (int i = 0; i < hostCount; i++) {
            hosts.add(address(in, "host address " + (i + 1) + " of " + hostCount));
        }
        Map<Integer, Long> cursors = cursors(in, limits);
        Map<Reason, Counter> counters = counters(in);
        Map<Integer, Long> slotFrames = perSlot(in, limits, "slot frames", "frames");
        Map<Integer, Long> slotMoved = perSlot(in, limits, "slot moved", "clients");
        LruState<AssocKey, AssocValue> table4 = LruStateFormat.read(in, "IPv4 association table", KEY, VALUE);
        LruState<AssocKey, AssocValue> table6 = LruStateFormat.read(in, "IPv6 association table", KEY, VALUE);
        in.expectEnd();
        try {
            return new ModelSnapshot(limits, mask, heads, slots, nextEpoch, nextRetired, hosts, cursors, counters,
                    slotFrames, slotMoved, table4, table6);
        } catch (IllegalArgumentException e) {
            throw SnapshotInput.inconsistent(e.getMessage());
        }
    }

    private static List<ServiceHead> heads(SnapshotInput in, Limits limits) {
        int n = in.i32("service count", 0, limits.maxServices());
        List<ServiceHead> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String what = "service " + (i + 1) + " of " + n;
            int id = in.u16(what + ": id");
            int order = in.u16(what + ": order");
            String name = new String(in.bytes(in.u8(what + ": name length"), what + ": name"), StandardCharsets.US_ASCII);
            IpAddress vip = address(in, what + ": VIP");
            int nPorts = in.i32(what + ": port count", 0, limits.maxPorts());
            SortedSet<Integer> ports = new TreeSet<>();
            for (int k = 0; k < nPorts; k++) {
                int port = in.u16(what + ": port " + (k + 1) + " of " + nPorts);
                if (!ports.add(port)) {
                    throw SnapshotInput.inconsistent(what + ": port " + port + " is listed twice");
                }
            }
            int cidLength = in.u8(what + ": dtls-cid length");
            int cidOffset = in.u8(what + ": dtls-cid node-id offset");
            int cidSize = in.u8(what + ": dtls-cid node-id size");
            DtlsCid cid = null;
            if (cidLength == 0 && (cidOffset != 0 || cidSize != 0)) {
                throw SnapshotInput.inconsistent(what + ": no dtls-cid (length 0) but node-id offset " + cidOffset
                        + " and size " + cidSize + " (0 and 0 without one)");
            }
            if (cidLength != 0) {
                try {
                    cid = new DtlsCid(cidLength, cidOffset, cidSize);
                } catch (io.sbulb.api.ConfigException e) {
                    throw SnapshotInput.inconsistent(what + ": " + e.getMessage());
                }
            }
            out.add(new ServiceHead(id, order, name, vip, ports, cid));
        }
        return out;
    }

    private static List<Slot> slots(SnapshotInput in, Limits limits) {
        int n = in.i32("slot count", 0, limits.maxSlots());
        List<Slot> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String what = "slot " + (i + 1) + " of " + n;
            int id = in.i32(what + ": id", 0, limits.maxSlots() - 1);
            int svc = in.u16(what + ": service id");
            IpAddress address = address(in, what + ": address");
            int epoch = in.i32(what + ": epoch");
            int state = in.u8(what + ": state");
            if (state >= STATES.size()) {
                throw SnapshotInput.inconsistent(what + ": state " + state + " is not 0 (live) or 1 (retired)");
            }
            out.add(new Slot(id, svc, address, epoch, STATES.get(state), in.i32(what + ": retired rank"),
                    in.u8(what + ": weight"), in.i32(what + ": position"), in.i64(what + ": node id")));
        }
        return out;
    }

    private static Map<Integer, Long> cursors(SnapshotInput in, Limits limits) {
        return listedByKey(in, in.i32("cursor count", 0, limits.maxServices()), "cursor", "service id",
                "cursors are listed by id, one each", in::u16, w -> Integer.toUnsignedLong(in.i32(w + ": next")));
    }

    private static Map<Integer, Long> perSlot(SnapshotInput in, Limits limits, String item, String what) {
        return listedByKey(in, in.i32(item + " count", 0, limits.maxSlots()), item, "slot",
                "slots are listed in order, one each", in::i32, w -> in.i64(w + ": " + what));
    }

    /** {@code n} (key, value) pairs in increasing key order, each key once. */
    private static Map<Integer, Long> listedByKey(SnapshotInput in, int n, String item, String keyName, String rule,
                                                  java.util.function.ToIntFunction<String> key,
                                                  java.util.function.ToLongFunction<String> value) {
        Map<Integer, Long> out = new TreeMap<>();
        int previous = -1;
        for (int i = 0; i < n; i++) {
            String what = item + " " + (i + 1) + " of " + n;
            int k = key.applyAsInt(what + ": " + keyName);
            if (k <= previous) {
                throw SnapshotInput.inconsistent(what + ": " + keyName + " " + k + " after " + previous + ": " + rule);
            }
            previous = k;
            out.put(k, value.applyAsLong(what));
        }
        return out;
    }

    private static Map<Reason, Counter> counters(SnapshotInput in) {
        int n = in.u8("counter count");
        EnumMap<Reason, Counter> out = new EnumMap<>(Reason.class);
        for (int i = 0; i < n; i++) {
            String what = "counter " + (i + 1) + " of " + n;
            int code = in.u8(what + ": reason code");
            Reason r;
            try {
                r = Reason.ofCode(code);
            } catch (IllegalArgumentException e) {
                throw SnapshotInput.inconsistent(what + ": " + e.getMessage());
            }
            if (!out.isEmpty() && out.keySet().stream().anyMatch(k -> k.code() >= code)) {
                throw SnapshotInput.inconsistent(what + ": " + r + " after " + out.keySet() + ": counters are listed by "
                        + "reason code, one each");
            }
            out.put(r, new Counter(in.i64(what + ": packets"), in.i64(what + ": bytes")));
        }
        return out;
    }

    private static void address(SnapshotOutput out, IpAddress a) {
        out.u8(a.family()).bytes(a.bytes());
    }

    private static IpAddress address(SnapshotInput in, String what) {
        int family = in.u8(what + ": family");
        if (family != 4 && family != 6) {
            throw SnapshotInput.inconsistent(what + ": family " + family + " is not 4 or 6");
        }
        return IpAddress.of(in.bytes(family == 4 ? 4 : 16, what));
    }
}
