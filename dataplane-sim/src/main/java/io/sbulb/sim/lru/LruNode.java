package io.sbulb.sim.lru;

/**
 * One element of the map (docs/kernel-lru.md §2.2): a key, its value, the
 * {@code ref} bit, the list it currently sits on, the links of that list and the CPU that owns
 * it (while pending for the common LRU; always, for {@code BPF_F_NO_COMMON_LRU}).
 */
final class LruNode<K, V> {

    /** The list a node is on; sentinels have {@code null}. */
    enum Where {
        /** Global (or per-CPU, for NO_COMMON_LRU) ACTIVE list. */
        ACTIVE,
        /** Global (or per-CPU) INACTIVE list. */
        INACTIVE,
        /** Global (or per-CPU) FREE list. */
        FREE,
        /** A CPU's local free list (common LRU only). */
        LOCAL_FREE,
        /** A CPU's PENDING list (common LRU only). */
        PENDING
    }

    K key;
    V value;
    boolean ref;
    Where where;
    LruNode<K, V> prev;
    LruNode<K, V> next;
    int cpu;

    LruNode(Where where, int cpu) {
        this.where = where;
        this.cpu = cpu;
    }
}
