package io.sbulb.sim.lru;

import io.sbulb.sim.lru.LruNode.Where;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The LRU_HASH lists with {@code BPF_F_NO_COMMON_LRU} (docs/kernel-lru.md §2.5): each
 * CPU has its own ACTIVE/INACTIVE/FREE set and cursor over its own share of
 * {@code C = roundup(N, P) / P} nodes; no pending stage, scan limit and shrink target 4.
 */
final class PerCpuLru<K, V> implements LruBackend<K, V> {

    /** S for NO_COMMON_LRU (§2.1). */
    static final int NR_SCANS = 4;
    /** The shrink target for NO_COMMON_LRU (§2.1). */
    static final int PERCPU_FREE_TARGET = 4;

    private final List<LruListSet<K, V>> sets;

    /**
     * @param share   C, nodes per CPU
     * @param evictor unhashes an evicted node's key
     */
    PerCpuLru(int share, int possibleCpus, Consumer<LruNode<K, V>> evictor) {
        sets = new ArrayList<>(possibleCpus);
        for (int c = 0; c < possibleCpus; c++) {
            sets.add(new LruListSet<>(NR_SCANS, share, c, evictor));
        }
    }

    @Override
    public LruNode<K, V> popFree(int cpu) {
        LruListSet<K, V> own = sets.get(cpu);
        if (own.inactive.size() < own.active.size()) {
            own.rotateActive();
        }
        own.rotateInactive();
        if (own.freeEmpty()) {
            own.shrink(PERCPU_FREE_TARGET, own::toFree);
        }
        LruNode<K, V> node = own.takeFreeHead();
        if (node == null) {
            return null;
        }
        // straight to the head of INACTIVE, ref cleared
        node.ref = false;
        node.where = Where.INACTIVE;
        own.inactive.addHead(node);
        return node;
    }

    @Override
    public void pushFree(LruNode<K, V> node) {
        sets.get(node.cpu).move(node, Where.FREE);
    }

    @Override
    public List<LruState.ListSet<K, V>> sets(UnaryOperator<V> copy) {
        return sets.stream().map(s -> s.state(copy)).toList();
    }

    @Override
    public List<LruState.Local<K, V>> locals(UnaryOperator<V> copy) {
        return List.of();
    }

    @Override
    public void load(LruState<K, V> state, UnaryOperator<V> copy, Consumer<LruNode<K, V>> created) {
        for (int c = 0; c < sets.size(); c++) {
            sets.get(c).load(state.sets().get(c), copy, created);
        }
    }
}
