package io.sbulb.sim.lru;

import io.sbulb.api.LruParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An executable model of one Linux {@code BPF_MAP_TYPE_LRU_HASH} map as the kernel behaves for
 * sequential use (docs/kernel-lru.md §2; a port of {@code model.py}). It reproduces
 * which keys the kernel evicts, step for step: batched eviction through per-CPU pending lists,
 * the ACTIVE/INACTIVE second-chance lists with their rotation cursor and scan limits, the ref
 * bit set by program lookups, and "pop a free node first" on every update.
 *
 * <p>Only keys are observable (§2): node identity, free-list order and dump order are not
 * modelled. Values are stored by reference; the object {@link #programLookup} returns is the
 * stored one and may be mutated in place, like a BPF program writing through the pointer a
 * lookup returns (this has no LRU effect).
 *
 * <p>Operations run on the CPU set by {@link #setCpu} (default 0). Not thread-safe: the model
 * is of sequential use only. Keys and values must not be {@code null}.
 *
 * @param <K> key type (needs {@code equals}/{@code hashCode})
 * @param <V> value type
 */
public final class KernelLruMap<K, V> {

    /** Flags of {@code bpf_map_update_elem}. */
    public enum UpdateFlag {
        /** {@code BPF_ANY}: create or replace. */
        ANY,
        /** {@code BPF_NOEXIST}: create only. */
        NOEXIST,
        /** {@code BPF_EXIST}: replace only. */
        EXIST
    }

    /** Result of an update, named after the kernel's return codes. */
    public enum UpdateResult {
        /** Success (0). */
        OK,
        /** The key exists and the flag was {@link UpdateFlag#NOEXIST} ({@code -EEXIST}). */
        EEXIST,
        /** The key is missing and the flag was {@link UpdateFlag#EXIST} ({@code -ENOENT}). */
        ENOENT,
        /** No free node could be found, even by stealing ({@code -ENOMEM}). */
        ENOMEM
    }

    private final int maxEntries;
    private final boolean noCommonLru;
    private final LruParameters params;
    private final Map<K, LruNode<K, V>> table = new HashMap<>();
    private final LruBackend<K, V> lru;
    private final List<K> evicted = new ArrayList<>();
    private int cpu;

    /**
     * A common-LRU map evicting as this machine's kernel does: possible CPUs and batch rule read
     * by {@link LruParameters#detect()} (overridable with its system properties).
     */
    public KernelLruMap(int maxEntries) {
        this(maxEntries, LruParameters.detect(), false);
    }

    /** A common-LRU map; see {@link #KernelLruMap(int, LruParameters, boolean)}. */
    public KernelLruMap(int maxEntries, LruParameters params) {
        this(maxEntries, params, false);
    }

    /**
     * Creates an empty map, all nodes free (§2.2).
     *
     * @param maxEntries  {@code max_entries} as requested, at least 1. With
     *                    {@code noCommonLru} the kernel rounds it up to a multiple of P (§2.1);
     *                    {@link #maxEntries()} reports the rounded value
     * @param params      possible CPUs P and the batch rule for T (§2.1)
     * @param noCommonLru whether the map is created with {@code BPF_F_NO_COMMON_LRU} (§2.5)
     * @throws IllegalArgumentException if {@code maxEntries < 1} or too large
     */
    public KernelLruMap(int maxEntries, LruParameters params, boolean noCommonLru) {
        Objects.requireNonNull(params, "LRU parameters must not be null");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("max entries must be at least 1, got " + maxEntries);
        }
        int p = params.possibleCpus();
        this.params = params;
        this.noCommonLru = noCommonLru;
        if (noCommonLru) {
            long rounded = ((long) maxEntries + p - 1) / p * p;
            if (rounded > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("max entries " + maxEntries + " rounded up to a multiple of "
                        + p + " CPUs exceeds the limit " + Integer.MAX_VALUE);
            }
            this.maxEntries = (int) rounded;
            this.lru = new PerCpuLru<>(this.maxEntries / p, p, this::evict);
        } else {
            this.maxEntries = maxEntries;
            this.lru = new CommonLru<>(maxEntries, p, params.batch(maxEntries), this::evict);
        }
    }

    /** Unhashes a node chosen for eviction and records its key. */
    private void evict(LruNode<K, V> node) {
        LruNode<K, V> removed = table.remove(node.key);
        if (removed != node) {
            throw new IllegalStateException("evicted node does not hold key " + node.key + " in the table");
        }
        evicted.add(node.key);
        node.key = null;
        node.value = null;
    }

    /** {@code max_entries} as the kernel reports it (rounded up to a multiple of P with NO_COMMON_LRU). */
    public int maxEntries() {
        return maxEntries;
    }

    /** Whether this map models {@code BPF_F_NO_COMMON_LRU}. */
    public boolean noCommonLru() {
        return noCommonLru;
    }

    /** The parameters this map was built with. */
    public LruParameters parameters() {
        return params;
    }

    /** The CPU the following operations run on. */
    public int cpu() {
        return cpu;
    }

    /**
     * Sets the CPU the following operations run on (per-CPU state, §2.2).
     *
     * @throws IllegalArgumentException unless {@code 0 <= cpu < P}
     */
    public void setCpu(int cpu) {
        if (cpu < 0 || cpu >= params.possibleCpus()) {
            throw new IllegalArgumentException("cpu " + cpu + " out of range: must be >= 0 and < "
                    + params.possibleCpus() + " possible CPUs");
        }
        this.cpu = cpu;
    }

    /**
     * Lookup from a BPF program (§2.3): a hit sets the key's ref bit; nothing moves.
     *
     * @return the stored value (by reference), or {@code null} on a miss
     */
    public V programLookup(K key) {
        Objects.requireNonNull(key, "key");
        evicted.clear();
        LruNode<K, V> node = table.get(key);
        if (node == null) {
            return null;
        }
        node.ref = true;
        return node.value;
    }

    /**
     * Update from a BPF program (§2.3): pops a free node first, whether or not the key exists,
     * which may evict keys including {@code key} itself.
     */
    public UpdateResult programUpdate(K key, V value, UpdateFlag flag) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(flag, "flag");
        evicted.clear();
        LruNode<K, V> fresh = lru.popFree(cpu);
        if (fresh == null) {
            return UpdateResult.ENOMEM;
        }
        LruNode<K, V> old = table.get(key);
        if (old != null && flag == UpdateFlag.NOEXIST) {
            lru.pushFree(fresh);
            return UpdateResult.EEXIST;
        }
        if (old == null && flag == UpdateFlag.EXIST) {
            lru.pushFree(fresh);
            return UpdateResult.ENOENT;
        }
        fresh.key = key;
        fresh.value = value;
        table.put(key, fresh);
        if (old != null) {
            fresh.ref = true;
            old.key = null;
            old.value = null;
            lru.pushFree(old);
        }
        return UpdateResult.OK;
    }

    /** Delete from a BPF program (§2.3): unhash, then free the node. Returns whether the key existed. */
    public boolean programDelete(K key) {
        Objects.requireNonNull(key, "key");
        evicted.clear();
        LruNode<K, V> node = table.remove(key);
        if (node == null) {
            return false;
        }
        node.key = null;
        node.value = null;
        lru.pushFree(node);
        return true;
    }

    /** Lookup from user space ({@code BPF_MAP_LOOKUP_ELEM}): no effect on recency (§2.3). */
    public V userLookup(K key) {
        Objects.requireNonNull(key, "key");
        evicted.clear();
        LruNode<K, V> node = table.get(key);
        return node == null ? null : node.value;
    }

    /** Update from user space: exactly like {@link #programUpdate} on the current CPU (§2.3). */
    public UpdateResult userUpdate(K key, V value, UpdateFlag flag) {
        return programUpdate(key, value, flag);
    }

    /** Delete from user space: exactly like {@link #programDelete} (§2.3). */
    public boolean userDelete(K key) {
        return programDelete(key);
    }

    /** Whether the key is present; no effect on recency (like a syscall lookup). */
    public boolean containsKey(K key) {
        return table.containsKey(key);
    }

    /** A copy of the present keys (a dump, or batch lookup: no effect on recency, §2.3). */
    public Set<K> keys() {
        return new HashSet<>(table.keySet());
    }

    /** A copy of the present entries, values by reference; no effect on recency. */
    public Map<K, V> entries() {
        Map<K, V> copy = new HashMap<>();
        table.forEach((k, node) -> copy.put(k, node.value));
        return copy;
    }

    /** The number of present keys. */
    public int size() {
        return table.size();
    }

    /**
     * The keys the most recent lookup, update or delete evicted, in eviction order (a copy).
     * An update that evicts its own key and re-inserts it lists that key here.
     */
    public List<K> lastEvicted() {
        return List.copyOf(evicted);
    }

    /**
     * Everything that decides this map's later evictions, as values (its lists in order, ref
     * bits, rotation cursors, free counts, next steals, the current CPU); no effect on recency.
     * The keys of {@link #lastEvicted()} are not part of it. Values are copied with {@code copy}
     * so that the state does not change when stored values are mutated in place.
     */
    public LruState<K, V> state(UnaryOperator<V> copy) {
        return new LruState<>(params, noCommonLru, maxEntries, cpu, lru.sets(copy), lru.locals(copy));
    }

    /**
     * A map in {@code state}: every later operation evicts exactly what the map {@code state} was
     * taken from would have. Values are copied with {@code copy}, so that several maps restored
     * from one state do not share them.
     */
    public static <K, V> KernelLruMap<K, V> restore(LruState<K, V> state, UnaryOperator<V> copy) {
        KernelLruMap<K, V> map = new KernelLruMap<>(state.maxEntries(), state.parameters(), state.noCommonLru());
        map.cpu = state.cpu();
        map.lru.load(state, copy, node -> map.table.put(node.key, node));
        return map;
    }

    @Override
    public String toString() {
        return "KernelLruMap[maxEntries=" + maxEntries + (noCommonLru ? ", NO_COMMON_LRU" : "")
                + ", " + params + ", cpu " + cpu + ", size " + table.size() + "]";
    }
}
