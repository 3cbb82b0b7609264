package io.sbulb.sim.lru;

import io.sbulb.sim.lru.LruNode.Where;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

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

    /** The nodes, head first, as values ({@link LruState.Node}); values copied with {@code copy}. */
    List<LruState.Node<K, V>> state(UnaryOperator<V> copy) {
        List<LruState.Node<K, V>> out = new ArrayList<>(size);
        for (LruNode<K, V> n = sentinel.next; n != sentinel; n = n.next) {
            out.add(new LruState.Node<>(n.key, copy.apply(n.value), n.ref));
        }
        return out;
    }

    /**
     * Fills this empty list with new nodes for {@code nodes} (head first), marked as on list
     * {@code where} and owned by {@code cpu}, values copied with {@code copy}; each is handed to
     * {@code created} (which hashes its key).
     */
    void load(List<LruState.Node<K, V>> nodes, Where where, int cpu, UnaryOperator<V> copy,
              Consumer<LruNode<K, V>> created) {
        if (!isEmpty()) {
            throw new IllegalStateException("loading into a list that holds " + size + " nodes");
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            LruState.Node<K, V> s = nodes.get(i);
            LruNode<K, V> n = new LruNode<>(where, cpu);
            n.key = s.key();
            n.value = copy.apply(s.value());
            n.ref = s.ref();
            addHead(n);
            created.accept(n);
        }
    }
}
