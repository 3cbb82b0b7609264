package io.sbulb.sim;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.sim.lru.LruState;
import io.sbulb.sim.lru.LruStateFormat;
import io.sbulb.sim.snapshot.ElementFormat;
import io.sbulb.sim.snapshot.Envelope;
import io.sbulb.sim.snapshot.SnapshotInput;
import io.sbulb.sim.snapshot.SnapshotOutput;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The binary form of a {@link ModelSnapshot}: an {@link Envelope} (magic {@code SBULBSIM},
 * version 1, body length, CRC-32) around this body, big-endian:
 *
 * <pre>
 * limits        maxPorts i32, maxRealServers i32, maxAssociations i32
 * eventMask     i64            bit n set: reason code n is logged
 * vip           address, or family 0 alone for no VIP
 * ports         count i32, then count u16
 * realServers   count i32, then count addresses, in list order
 * retired       count i32, then count addresses, oldest first
 * nextRs        i32            the round-robin cursor
 * counters      count u8, then count (code u8, packets i64, bytes i64), reasons that counted
 * table         the association table's LRU state ({@link LruStateFormat}), where
 *               key = client address, client port u16; value = real server address, position i32
 * address       family u8 (4 or 6), then 4 or 16 bytes, network byte order
 * </pre>
 *
 * <p>Reading checks the envelope first (truncated, altered, other kind or version), then reads the
 * body naming each field, and refuses one that describes no possible model ({@link ModelSnapshot}'s
 * checks): every refusal is a {@link io.sbulb.sim.snapshot.SnapshotException} and restores nothing.
 */
final class ModelSnapshotFormat {

    static final String MAGIC = "SBULBSIM";
    static final int VERSION = 1;

    private static final ElementFormat<AssocKey> KEY = new ElementFormat<>() {
        @Override
        public void write(SnapshotOutput out, AssocKey k) {
            address(out, k.address());
            out.u16(k.port());
        }

        @Override
        public AssocKey read(SnapshotInput in, String what) {
            return new AssocKey(address(in, what + " address", false), in.u16(what + " port"));
        }
    };

    private static final ElementFormat<AssocValue> VALUE = new ElementFormat<>() {
        @Override
        public void write(SnapshotOutput out, AssocValue v) {
            address(out, v.rs);
            out.i32(v.rsIndex);
        }

        @Override
        public AssocValue read(SnapshotInput in, String what) {
            return new AssocValue(address(in, what + " real server", false), in.i32(what + " position"));
        }
    };

    private ModelSnapshotFormat() {
    }

    static byte[] write(ModelSnapshot s) {
        SnapshotOutput out = new SnapshotOutput();
        Limits l = s.limits();
        out.i32(l.maxPorts()).i32(l.maxRealServers()).i32(l.maxAssociations()).i64(s.eventMask());
        DataplaneConfig c = s.configuration();
        c.virtualServer().ifPresentOrElse(vip -> address(out, vip), () -> out.u8(0));
        out.i32(c.ports().size());
        c.ports().forEach(out::u16);
        addresses(out, c.realServers());
        addresses(out, s.retired());
        out.i32((int) s.nextRealServer());
        out.u8(s.counters().size());
        s.counters().forEach((r, n) -> out.u8(r.code()).i64(n.packets()).i64(n.bytes()));
        LruStateFormat.write(out, s.table(), KEY, VALUE);
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
                    in.i32("limits: max associations"));
        } catch (ConfigException e) {
            throw SnapshotInput.inconsistent("limits: " + e.getMessage());
        }
        long mask = in.i64("event mask");
        IpAddress vip = address(in, "configuration: VIP", true);
        int nPorts = in.i32("configuration: port count", 0, limits.maxPorts());
        Set<Integer> ports = new LinkedHashSet<>();
        for (int i = 0; i < nPorts; i++) {
            int port = in.u16("configuration: port " + (i + 1) + " of " + nPorts);
            if (!ports.add(port)) {
                throw SnapshotInput.inconsistent("configuration: port " + port + " is listed twice");
            }
        }
        List<IpAddress> rs = addresses(in, "configuration: real server", limits.maxRealServers());
        List<IpAddress> retired = addresses(in, "retired real server", limits.maxRealServers());
        int nextRs = in.i32("round-robin cursor");
        Map<Reason, Counter> counters = counters(in);
        LruState<AssocKey, AssocValue> table = LruStateFormat.read(in, "association table", KEY, VALUE);
        in.expectEnd();
        try {
            return new ModelSnapshot(limits, mask, DataplaneConfig.of(vip, ports, rs), retired,
                    Integer.toUnsignedLong(nextRs), counters, table);
        } catch (IllegalArgumentException e) {
            throw SnapshotInput.inconsistent(e.getMessage());
        }
    }

    private static Map<Reason, Counter> counters(SnapshotInput in) {
        int n = in.u8("counter count");
        Map<Reason, Counter> out = new EnumMap<>(Reason.class);
        for (int i = 0; i < n; i++) {
            String what = "counter " + (i + 1) + " of " + n;
            int code = in.u8(what + ": reason code");
            Reason r;
            try {
                r = Reason.ofCode(code);
            } catch (IllegalArgumentException e) {
                throw SnapshotInput.inconsistent(what + ": " + e.getMessage());
            }
            if (out.put(r, new Counter(in.i64(what + ": packets"), in.i64(what + ": bytes"))) != null) {
                throw SnapshotInput.inconsistent(what + ": " + r + " is counted twice");
            }
        }
        return out;
    }

    private static void address(SnapshotOutput out, IpAddress a) {
        out.u8(a.family()).bytes(a.bytes());
    }

    private static void addresses(SnapshotOutput out, List<IpAddress> list) {
        out.i32(list.size());
        list.forEach(a -> address(out, a));
    }

    private static List<IpAddress> addresses(SnapshotInput in, String what, int max) {
        int n = in.i32(what + " count", 0, max);
        List<IpAddress> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(address(in, what + " " + (i + 1) + " of " + n, false));
        }
        return out;
    }

    /** An address, or null for family 0 when {@code none} allows it. */
    private static IpAddress address(SnapshotInput in, String what, boolean none) {
        int family = in.u8(what + ": family");
        if (family == 0 && none) {
            return null;
        }
        if (family != 4 && family != 6) {
            throw SnapshotInput.inconsistent(what + ": family " + family + " is not 4 or 6" + (none ? " (or 0: none)" : ""));
        }
        return IpAddress.of(in.bytes(family == 4 ? 4 : 16, what));
    }
}
