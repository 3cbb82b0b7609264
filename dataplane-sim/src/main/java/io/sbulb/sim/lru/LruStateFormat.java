package io.sbulb.sim.lru;

import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.sim.snapshot.ElementFormat;
import io.sbulb.sim.snapshot.SnapshotInput;
import io.sbulb.sim.snapshot.SnapshotOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link LruState} in a snapshot body (big-endian; keys and values in their own formats):
 *
 * <pre>
 * possibleCpus  i32    P, 1..8192
 * batchRule     u8     0 SINCE_6_16, 1 BEFORE_6_16
 * noCommonLru   u8     0 or 1
 * maxEntries    i32
 * cpu           i32    the CPU operations run on
 * sets          1 set (common LRU), or P sets (NO_COMMON_LRU), CPU 0 first
 * locals        P locals (common LRU), CPU 0 first, or none
 * set:    active list, inactive list, cursor i32 (-1: the sentinel), free i32
 * local:  free i32 (LFREE), pending list, nextSteal i32
 * list:   count i32, then count nodes, head (newest) first
 * node:   key, value, ref u8
 * </pre>
 */
public final class LruStateFormat {

    /** Batch rules by their code in the format; a code is never reused. */
    private static final List<BatchRule> RULES = List.of(BatchRule.SINCE_6_16, BatchRule.BEFORE_6_16);
    /** The most possible CPUs a kernel has (NR_CPUS at most 8192). */
    private static final int MAX_CPUS = 8192;

    private LruStateFormat() {
    }

    public static <K, V> void write(SnapshotOutput out, LruState<K, V> s, ElementFormat<K> keys, ElementFormat<V> values) {
        out.i32(s.parameters().possibleCpus()).u8(RULES.indexOf(s.parameters().batchRule())).bool(s.noCommonLru())
                .i32(s.maxEntries()).i32(s.cpu());
        for (LruState.ListSet<K, V> set : s.sets()) {
            writeList(out, set.active(), keys, values);
            writeList(out, set.inactive(), keys, values);
            out.i32(set.cursor()).i32(set.free());
        }
        for (LruState.Local<K, V> l : s.locals()) {
            out.i32(l.free());
            writeList(out, l.pending(), keys, values);
            out.i32(l.nextSteal());
        }
    }

    private static <K, V> void writeList(SnapshotOutput out, List<LruState.Node<K, V>> list, ElementFormat<K> keys,
                                         ElementFormat<V> values) {
        out.i32(list.size());
        for (LruState.Node<K, V> n : list) {
            keys.write(out, n.key());
            values.write(out, n.value());
            out.bool(n.ref());
        }
    }

    /**
     * Reads what {@link #write} wrote; {@code what} names the map in errors.
     *
     * @throws io.sbulb.sim.snapshot.SnapshotException naming the field, or the rule of {@link LruState} broken
     */
    public static <K, V> LruState<K, V> read(SnapshotInput in, String what, ElementFormat<K> keys,
                                             ElementFormat<V> values) {
        int p = in.i32(what + ": possible CPUs", 1, MAX_CPUS);
        int rule = in.u8(what + ": batch rule");
        if (rule >= RULES.size()) {
            throw SnapshotInput.inconsistent(what + ": batch rule code " + rule + " is unknown (known: 0.."
                    + (RULES.size() - 1) + ")");
        }
        boolean noCommon = in.bool(what + ": NO_COMMON_LRU flag");
        int max = in.i32(what + ": max entries", 1, Integer.MAX_VALUE);
        int cpu = in.i32(what + ": current CPU");
        List<LruState.ListSet<K, V>> sets = new ArrayList<>();
        List<LruState.Local<K, V>> locals = new ArrayList<>();
        try {
            for (int c = 0; c < (noCommon ? p : 1); c++) {
                String set = what + ": " + (noCommon ? "CPU " + c + "'s" : "global") + " lists";
                List<LruState.Node<K, V>> active = readList(in, set + ", ACTIVE", max, keys, values);
                List<LruState.Node<K, V>> inactive = readList(in, set + ", INACTIVE", max, keys, values);
                sets.add(new LruState.ListSet<>(active, inactive, in.i32(set + ": rotation cursor"),
                        in.i32(set + ": FREE count", 0, max)));
            }
            for (int c = 0; c < (noCommon ? 0 : p); c++) {
                String local = what + ": CPU " + c + "'s local lists";
                int free = in.i32(local + ": LFREE count", 0, max);
                List<LruState.Node<K, V>> pending = readList(in, local + ", PENDING", max, keys, values);
                locals.add(new LruState.Local<>(free, pending, in.i32(local + ": next steal")));
            }
            return new LruState<>(new LruParameters(p, RULES.get(rule)), noCommon, max, cpu, sets, locals);
        } catch (IllegalArgumentException e) {
            throw SnapshotInput.inconsistent(what + ": " + e.getMessage());
        }
    }

    private static <K, V> List<LruState.Node<K, V>> readList(SnapshotInput in, String list, int max,
                                                             ElementFormat<K> keys, ElementFormat<V> values) {
        int n = in.i32(list + " length", 0, max);
        List<LruState.Node<K, V>> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            String node = list + " node " + (i + 1) + " of " + n;
            K key = keys.read(in, node + ", key");
            V value = values.read(in, node + ", value");
            out.add(new LruState.Node<>(key, value, in.bool(node + ", ref bit")));
        }
        return out;
    }
}
