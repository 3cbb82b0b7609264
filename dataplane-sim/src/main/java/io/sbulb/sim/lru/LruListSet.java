package io.sbulb.sim.lru;

import io.sbulb.sim.lru.LruNode.Where;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One set of ACTIVE, INACTIVE and FREE lists with its rotation cursor
 * (docs/kernel-lru.md §2.2): the global set of the common LRU, or one CPU's set with
 * {@code BPF_F_NO_COMMON_LRU}. Holds the list operations both variants share:
 * {@link #move}, {@link #rotateActive}, {@link #rotateInactive} and {@link #shrink} (§2.4).
 *
 * <p>Fresh nodes are allocated lazily: FREE starts with {@code unallocated} virtual nodes at
 * its tail. Nodes are only ever taken from and pushed to the head of FREE, so the virtual nodes
 * stay behind every real one and are reached only when no real node is left; this keeps
 * construction of a 1M-entry map O(1) without changing behaviour (node identity is not
 * observable, §2).
 */
final class LruListSet<K, V> {

    final NodeList<K, V> active = new NodeList<>();
    final NodeList<K, V> inactive = new NodeList<>();
    final NodeList<K, V> free = new NodeList<>();
    /** The rotation cursor {@code cur} ({@code next_inactive_rotation}): INACTIVE's sentinel or one INACTIVE node. */
    LruNode<K, V> nir = inactive.sentinel;

    private final int scanLimit;
    private final int owner;
    private final Consumer<LruNode<K, V>> evictor;
    private int unallocated;

    /**
     * @param scanLimit S: 128 for the common LRU, 4 for NO_COMMON_LRU (§2.1)
     * @param nodes     how many nodes start on FREE
     * @param owner     the CPU fresh nodes belong to (matters for NO_COMMON_LRU only)
     * @param evictor   unhashes an evicted node's key
     */
    LruListSet(int scanLimit, int nodes, int owner, Consumer<LruNode<K, V>> evictor) {
        this.scanLimit = scanLimit;
        this.unallocated = nodes;
        this.owner = owner;
        this.evictor = evictor;
    }

    private NodeList<K, V> list(Where where) {
        switch (where) {
            case ACTIVE:
                return active;
            case INACTIVE:
                return inactive;
            case FREE:
                return free;
            default:
                throw new IllegalStateException("node on " + where + " is not on a global list");
        }
    }

    // --- FREE, with lazily allocated nodes ---------------------------------------------------

    boolean freeEmpty() {
        return free.isEmpty() && unallocated == 0;
    }

    /** Unlinks and returns the head of FREE (ref and where left to the caller); null if none. */
    LruNode<K, V> takeFreeHead() {
        LruNode<K, V> node = free.head();
        if (node != null) {
            free.unlink(node);
            return node;
        }
        if (unallocated == 0) {
            return null;
        }
        unallocated--;
        return new LruNode<>(Where.FREE, owner);
    }

    /** Destination for {@link #shrink} with NO_COMMON_LRU: the head of this FREE. */
    void toFree(LruNode<K, V> node) {
        node.where = Where.FREE;
        node.ref = false;
        free.addHead(node);
    }

    // --- list moves ---------------------------------------------------------------------------

    /**
     * Moves a node that is on ACTIVE, INACTIVE or FREE to the head of {@code target}, clearing
     * its ref bit and applying the cursor fix-up rule (§2.2).
     */
    void move(LruNode<K, V> node, Where target) {
        node.ref = false;
        detach(node);
        node.where = target;
        list(target).addHead(node);
    }

    /** Unlinks a node from its ACTIVE/INACTIVE/FREE list, first stepping the cursor off it. */
    private void detach(LruNode<K, V> node) {
        if (node == nir) {
            nir = node.prev;
        }
        list(node.where).unlink(node);
    }

    /** Evicts a node: unhashes its key, unlinks it and hands it to {@code dest}. */
    private void evict(LruNode<K, V> node, Consumer<LruNode<K, V>> dest) {
        evictor.accept(node);
        detach(node);
        dest.accept(node);
    }

    // --- LRU maintenance (§2.4) ---------------------------------------------------------------

    /** Demotes unreferenced ACTIVE nodes from the tail, at most S visits, stopping after the old head. */
    void rotateActive() {
        if (active.isEmpty()) {
            return;
        }
        LruNode<K, V> first = active.head();
        LruNode<K, V> node = active.tail();
        int i = 0;
        while (node != active.sentinel) {
            LruNode<K, V> prev = node.prev;
            move(node, node.ref ? Where.ACTIVE : Where.INACTIVE);
            i++;
            if (i == scanLimit || node == first) {
                break;
            }
            node = prev;
        }
    }

    /** Cursor-based scan of INACTIVE promoting referenced nodes to ACTIVE, at most S visits. */
    void rotateInactive() {
        if (inactive.isEmpty()) {
            return;
        }
        LruNode<K, V> last = nir.next;
        if (last == inactive.sentinel) {
            last = last.next;
        }
        LruNode<K, V> cur = nir;
        LruNode<K, V> nxt = inactive.sentinel;
        int i = 0;
        while (i < scanLimit) {
            if (cur == inactive.sentinel) {
                cur = cur.prev; // wrap to the tail without counting a visit
                continue;
            }
            nxt = cur.prev;
            if (cur.ref) {
                move(cur, Where.ACTIVE);
            }
            if (cur == last) {
                break;
            }
            cur = nxt;
            i++;
        }
        nir = nxt;
    }

    /**
     * Evicts up to {@code wanted} unreferenced INACTIVE nodes from the tail into {@code dest}
     * (at most S visits); if none was evicted, force-evicts the INACTIVE tail, else the ACTIVE
     * tail. Returns the number evicted.
     */
    int shrink(int wanted, Consumer<LruNode<K, V>> dest) {
        int n = 0;
        int i = 0;
        LruNode<K, V> node = inactive.sentinel.prev;
        while (node != inactive.sentinel) {
            LruNode<K, V> prev = node.prev;
            if (node.ref) {
                move(node, Where.ACTIVE);
            } else {
                evict(node, dest);
                n++;
                if (n == wanted) {
                    break;
                }
            }
            i++;
            if (i == scanLimit) {
                break;
            }
            node = prev;
        }
        if (n > 0) {
            return n;
        }
        NodeList<K, V> victims = inactive.isEmpty() ? active : inactive;
        node = victims.tail();
        if (node == null) {
            return 0;
        }
        evict(node, dest);
        return 1;
    }

    // --- state (LruState) ---------------------------------------------------------------------

    /** This set as values: its lists, the cursor's position in INACTIVE (-1: the sentinel), FREE's count. */
    LruState.ListSet<K, V> state(UnaryOperator<V> copy) {
        int cursor = -1;
        int i = 0;
        for (LruNode<K, V> n = inactive.sentinel.next; n != inactive.sentinel; n = n.next, i++) {
            if (n == nir) {
                cursor = i;
            }
        }
        return new LruState.ListSet<>(active.state(copy), inactive.state(copy), cursor, free.size() + unallocated);
    }

    /** Makes this fresh set hold {@code s}; {@code created} hashes each node's key. */
    void load(LruState.ListSet<K, V> s, UnaryOperator<V> copy, Consumer<LruNode<K, V>> created) {
        active.load(s.active(), Where.ACTIVE, owner, copy, created);
        inactive.load(s.inactive(), Where.INACTIVE, owner, copy, created);
        nir = inactive.sentinel;
        for (int i = 0; i <= s.cursor(); i++) {
            nir = nir.next;
        }
        unallocated = s.free(); // free nodes are interchangeable (§2): all virtual
    }
}
