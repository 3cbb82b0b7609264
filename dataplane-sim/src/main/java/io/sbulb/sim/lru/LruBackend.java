package io.sbulb.sim.lru;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The node allocator behind a {@link KernelLruMap}: the common LRU ({@link CommonLru}) or the
 * per-CPU LRU of {@code BPF_F_NO_COMMON_LRU} ({@link PerCpuLru}).
 */
interface LruBackend<K, V> {

    /**
     * Takes a free node for an update on {@code cpu}, evicting keys if needed
     * (docs/kernel-lru.md §2.4, §2.5). Returns {@code null} if none could be found.
     */
    LruNode<K, V> popFree(int cpu);

    /** Returns a node that no longer holds a key (or never got one) to the free lists (§2.3). */
    void pushFree(LruNode<K, V> node);

    /** The list sets as values ({@link LruState#sets}), values copied with {@code copy}. */
    List<LruState.ListSet<K, V>> sets(UnaryOperator<V> copy);

    /** The per-CPU local lists as values ({@link LruState#locals}); none with NO_COMMON_LRU. */
    List<LruState.Local<K, V>> locals(UnaryOperator<V> copy);

    /**
     * Makes this fresh backend hold the lists of {@code state}, which was checked on construction
     * and is of this backend's kind and size; {@code created} hashes each node's key.
     */
    void load(LruState<K, V> state, UnaryOperator<V> copy, Consumer<LruNode<K, V>> created);
}
