package io.sbulb.sim.lru;

/**
 * Intrusive circular doubly linked list with a sentinel (docs/kernel-lru.md §2.2).
 * The head ({@code sentinel.next}) is the newest node, the tail ({@code sentinel.prev}) the
 * oldest; so a node's {@code prev} is its newer neighbour and its {@code next} the older one.
 */
final class NodeList<K, V> {

    final LruNode<K, V> sentinel = new LruNode<>(null, -1);
    private int size;

    NodeList() {
        sentinel.prev = sentinel;
        sentinel.next = sentinel;
    }

    boolean isEmpty() {
        return sentinel.next == sentinel;
    }

    int size() {
        return size;
    }

    void addHead(LruNode<K, V> node) {
        node.next = sentinel.next;
        node.prev = sentinel;
        sentinel.next.prev = node;
        sentinel.next = node;
        size++;
    }

    void unlink(LruNode<K, V> node) {
        node.prev.next = node.next;
        node.next.prev = node.prev;
        node.prev = null;
        node.next = null;
        size--;
    }

    /** The oldest node, or {@code null} if empty. */
    LruNode<K, V> tail() {
        return isEmpty() ? null : sentinel.prev;
    }

    /** The newest node, or {@code null} if empty. */
    LruNode<K, V> head() {
        return isEmpty() ? null : sentinel.next;
    }
}
