package io.sbulb.sim.lru;

import io.sbulb.sim.lru.LruNode.Where;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The default LRU_HASH lists (docs/kernel-lru.md §2.2, §2.4): one global set of
 * ACTIVE/INACTIVE/FREE lists with the rotation cursor, plus per-CPU local free and PENDING
 * lists that batch the reservation of {@code T} nodes at a time.
 */
final class CommonLru<K, V> implements LruBackend<K, V> {

    /** S for the common LRU (§2.1). */
    static final int NR_SCANS = 128;

    /** A CPU's local lists. */
    private static final class CpuLocal<K, V> {
        /** LFREE: reserved free nodes; used as a stack (order is not observable). */
        final ArrayDeque<LruNode<K, V>> free = new ArrayDeque<>();
        /** PENDING: keys inserted by this CPU since its last refill, head = newest. */
        final NodeList<K, V> pending = new NodeList<>();
        int nextSteal;

        CpuLocal(int cpu) {
            nextSteal = cpu;
        }
    }

    private final LruListSet<K, V> global;
    private final List<CpuLocal<K, V>> locals;
    private final int targetFree;
    private final Consumer<LruNode<K, V>> evictor;

    /**
     * @param maxEntries   N, all initially on the global FREE list
     * @param possibleCpus P
     * @param targetFree   T, the refill batch
     * @param evictor      unhashes an evicted node's key
     */
    CommonLru(int maxEntries, int possibleCpus, int targetFree, Consumer<LruNode<K, V>> evictor) {
        this.global = new LruListSet<>(NR_SCANS, maxEntries, 0, evictor);
        this.targetFree = targetFree;
        this.evictor = evictor;
        this.locals = new ArrayList<>(possibleCpus);
        for (int c = 0; c < possibleCpus; c++) {
            locals.add(new CpuLocal<>(c));
        }
    }

    /** Moves a node (already unlinked) onto {@code loc}'s LFREE. */
    private static <K, V> void toLocalFree(CpuLocal<K, V> loc, LruNode<K, V> node) {
        node.where = Where.LOCAL_FREE;
        node.ref = false;
        loc.free.push(node);
    }

    /** Refill step 1: PENDING, oldest first, to the head of ACTIVE (ref set) or INACTIVE. */
    private void flushPending(CpuLocal<K, V> loc) {
        while (!loc.pending.isEmpty()) {
            LruNode<K, V> node = loc.pending.tail();
            loc.pending.unlink(node);
            node.where = node.ref ? Where.ACTIVE : Where.INACTIVE;
            node.ref = false;
            (node.where == Where.ACTIVE ? global.active : global.inactive).addHead(node);
        }
    }

    /** {@code refill(c)} of §2.4: flush, rotate, take up to T from FREE, shrink for the rest. */
    private void refillLocal(CpuLocal<K, V> loc) {
        flushPending(loc);
        if (global.inactive.size() < global.active.size()) {
            global.rotateActive();
        }
        global.rotateInactive();
        int nfree = 0;
        while (nfree < targetFree) {
            LruNode<K, V> node = global.takeFreeHead();
            if (node == null) {
                break;
            }
            toLocalFree(loc, node);
            nfree++;
        }
        if (nfree < targetFree) {
            global.shrink(targetFree - nfree, node -> toLocalFree(loc, node));
        }
    }

    @Override
    public LruNode<K, V> popFree(int cpu) {
        CpuLocal<K, V> me = locals.get(cpu);
        if (me.free.isEmpty()) {
            refillLocal(me);
        }
        LruNode<K, V> node = me.free.poll();
        if (node == null) {
            node = steal(me);
            if (node == null) {
                return null;
            }
        }
        node.ref = false;
        node.where = Where.PENDING;
        node.cpu = cpu;
        me.pending.addHead(node);
        return node;
    }

    /** Round-robin steal over CPUs, starting at {@code next_steal}, at most one lap (§2.4 step 2). */
    private LruNode<K, V> steal(CpuLocal<K, V> me) {
        int first = me.nextSteal;
        int steal = first;
        LruNode<K, V> node;
        while (true) {
            CpuLocal<K, V> victim = locals.get(steal);
            node = victim.free.isEmpty() ? stealPending(victim.pending) : victim.free.pop();
            steal = (steal + 1) % locals.size();
            if (node != null || steal == first) {
                break;
            }
        }
        me.nextSteal = steal;
        return node;
    }

    /** Takes the oldest unreferenced PENDING node, else the oldest one, evicting its key. */
    private LruNode<K, V> stealPending(NodeList<K, V> pending) {
        for (boolean force : new boolean[] {false, true}) {
            for (LruNode<K, V> node = pending.sentinel.prev; node != pending.sentinel; node = node.prev) {
                if (!node.ref || force) {
                    pending.unlink(node);
                    evictor.accept(node);
                    return node;
                }
            }
        }
        return null;
    }

    @Override
    public void pushFree(LruNode<K, V> node) {
        if (node.where == Where.PENDING) {
            CpuLocal<K, V> owner = locals.get(node.cpu);
            owner.pending.unlink(node);
            toLocalFree(owner, node);
        } else {
            global.move(node, Where.FREE);
        }
    }

    @Override
    public List<LruState.ListSet<K, V>> sets(UnaryOperator<V> copy) {
        return List.of(global.state(copy));
    }

    @Override
    public List<LruState.Local<K, V>> locals(UnaryOperator<V> copy) {
        return locals.stream().map(l -> new LruState.Local<>(l.free.size(), l.pending.state(copy), l.nextSteal)).toList();
    }

    @Override
    public void load(LruState<K, V> state, UnaryOperator<V> copy, Consumer<LruNode<K, V>> created) {
        global.load(state.sets().get(0), copy, created);
        for (int c = 0; c < locals.size(); c++) {
            CpuLocal<K, V> loc = locals.get(c);
            LruState.Local<K, V> s = state.locals().get(c);
            for (int i = 0; i < s.free(); i++) {
                toLocalFree(loc, new LruNode<>(Where.LOCAL_FREE, c));
            }
            loc.pending.load(s.pending(), Where.PENDING, c, copy, created);
            loc.nextSteal = s.nextSteal();
        }
    }
}
