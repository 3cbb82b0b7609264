package io.sbulb.sim.lru;

import io.sbulb.api.LruParameters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link KernelLruMap} holds that decides its later evictions (docs/kernel-lru.md
 * §2.2), as plain values: what {@link KernelLruMap#state} saves and {@link KernelLruMap#restore}
 * rebuilds an identical map from. Lists run from head (newest) to tail (oldest). Free nodes hold
 * nothing observable, so free lists are counts. Checked on construction: an instance always
 * describes a map the model can be in.
 *
 * @param parameters  possible CPUs and batch rule
 * @param noCommonLru whether the map is {@code BPF_F_NO_COMMON_LRU}
 * @param maxEntries  {@code max_entries} as the map reports it (a multiple of P with NO_COMMON_LRU)
 * @param cpu         the CPU operations run on
 * @param sets        the ACTIVE/INACTIVE/FREE sets: one (common LRU) or one per CPU (NO_COMMON_LRU)
 * @param locals      each CPU's LFREE and PENDING lists (common LRU), none with NO_COMMON_LRU
 * @param <K>         key type
 * @param <V>         value type
 */
public record LruState<K, V>(LruParameters parameters, boolean noCommonLru, int maxEntries, int cpu,
                             List<ListSet<K, V>> sets, List<Local<K, V>> locals) {

    /**
     * A node holding a key.
     *
     * @param key   the key
     * @param value its value
     * @param ref   the reference bit
     */
    public record Node<K, V>(K key, V value, boolean ref) {
        public Node {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * One set of global (or, with NO_COMMON_LRU, per-CPU) lists.
     *
     * @param active   ACTIVE, head first
     * @param inactive INACTIVE, head first
     * @param cursor   the rotation cursor: the position in {@code inactive} of the node it points at
     *                 (0 = head), or -1 for INACTIVE's sentinel
     * @param free     how many nodes are on FREE
     */
    public record ListSet<K, V>(List<Node<K, V>> active, List<Node<K, V>> inactive, int cursor, int free) {
        public ListSet {
            active = List.copyOf(active);
            inactive = List.copyOf(inactive);
            if (cursor < -1 || cursor >= inactive.size()) {
                throw new IllegalArgumentException("rotation cursor " + cursor + " is neither -1 (the sentinel) nor a "
                        + "position in the INACTIVE list of " + inactive.size());
            }
            if (free < 0) {
                throw new IllegalArgumentException("FREE count " + free + " is negative");
            }
        }

        long nodes() {
            return (long) active.size() + inactive.size() + free;
        }
    }

    /**
     * One CPU's local lists (common LRU).
     *
     * @param free      how many nodes are on its LFREE
     * @param pending   PENDING, head first
     * @param nextSteal the CPU it steals from first
     */
    public record Local<K, V>(int free, List<Node<K, V>> pending, int nextSteal) {
        public Local {
            pending = List.copyOf(pending);
            if (free < 0) {
                throw new IllegalArgumentException("LFREE count " + free + " is negative");
            }
        }
    }

    public LruState {
        Objects.requireNonNull(parameters, "parameters");
        sets = List.copyOf(sets);
        locals = List.copyOf(locals);
        int p = parameters.possibleCpus();
        if (maxEntries < 1) {
            throw new IllegalArgumentException("max entries " + maxEntries + " is below 1");
        }
        if (cpu < 0 || cpu >= p) {
            throw new IllegalArgumentException("current CPU " + cpu + " is outside 0.." + (p - 1));
        }
        if (noCommonLru) {
            checkPerCpu(p, maxEntries, sets, locals);
        } else {
            checkCommon(p, maxEntries, sets, locals);
        }
        checkKeysUnique(sets, locals);
    }

    private static <K, V> void checkPerCpu(int p, int maxEntries, List<ListSet<K, V>> sets, List<Local<K, V>> locals) {
        if (maxEntries % p != 0) {
            throw new IllegalArgumentException("max entries " + maxEntries + " of a NO_COMMON_LRU map is not a "
                    + "multiple of " + p + " CPUs");
        }
        if (sets.size() != p || !locals.isEmpty()) {
            throw new IllegalArgumentException("a NO_COMMON_LRU map has one list set per CPU (" + p + ") and no local "
                    + "lists, got " + sets.size() + " sets and " + locals.size() + " local lists");
        }
        for (int c = 0; c < p; c++) {
            if (sets.get(c).nodes() != maxEntries / p) {
                throw new IllegalArgumentException("CPU " + c + "'s lists hold " + sets.get(c).nodes()
                        + " nodes, its share is " + maxEntries / p);
            }
        }
    }

    private static <K, V> void checkCommon(int p, int maxEntries, List<ListSet<K, V>> sets, List<Local<K, V>> locals) {
        if (sets.size() != 1 || locals.size() != p) {
            throw new IllegalArgumentException("a common-LRU map has one global list set and local lists per CPU ("
                    + p + "), got " + sets.size() + " sets and " + locals.size() + " local lists");
        }
        long nodes = sets.get(0).nodes();
        for (int c = 0; c < p; c++) {
            Local<K, V> l = locals.get(c);
            if (l.nextSteal() < 0 || l.nextSteal() >= p) {
                throw new IllegalArgumentException("CPU " + c + "'s next steal " + l.nextSteal() + " is outside 0.."
                        + (p - 1));
            }
            nodes += l.free() + l.pending().size();
        }
        if (nodes != maxEntries) {
            throw new IllegalArgumentException("the lists hold " + nodes + " nodes, the map has " + maxEntries);
        }
    }

    private static <K, V> void checkKeysUnique(List<ListSet<K, V>> sets, List<Local<K, V>> locals) {
        Set<K> seen = new HashSet<>();
        for (Node<K, V> n : entries(sets, locals)) {
            if (!seen.add(n.key())) {
                throw new IllegalArgumentException("key " + n.key() + " is held by two nodes");
            }
        }
    }

    /** The nodes holding a key: each set's ACTIVE then INACTIVE, then each CPU's PENDING. */
    public List<Node<K, V>> entries() {
        return entries(sets, locals);
    }

    private static <K, V> List<Node<K, V>> entries(List<ListSet<K, V>> sets, List<Local<K, V>> locals) {
        List<Node<K, V>> out = new ArrayList<>();
        for (ListSet<K, V> s : sets) {
            out.addAll(s.active());
            out.addAll(s.inactive());
        }
        for (Local<K, V> l : locals) {
            out.addAll(l.pending());
        }
        return out;
    }

    /** The number of keys held. */
    public int size() {
        return entries().size();
    }
}
