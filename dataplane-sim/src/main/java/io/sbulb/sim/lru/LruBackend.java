package io.sbulb.sim.lru;

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
}
