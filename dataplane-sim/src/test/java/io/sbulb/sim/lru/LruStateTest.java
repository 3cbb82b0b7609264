package io.sbulb.sim.lru;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.sim.lru.KernelLruMap.UpdateFlag;
import io.sbulb.sim.snapshot.ElementFormat;
import io.sbulb.sim.snapshot.Envelope;
import io.sbulb.sim.snapshot.SnapshotInput;
import io.sbulb.sim.snapshot.SnapshotOutput;
import java.util.List;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelLruMap#state} and {@link KernelLruMap#restore}, through the bytes of
 * {@link LruStateFormat}: a map restored from its state goes on exactly as the map it was saved
 * from (docs/kernel-lru.md: which keys every later operation evicts), for the common LRU and
 * NO_COMMON_LRU, on one or several CPUs.
 */
class LruStateTest {

    private static final ElementFormat<Integer> INT = new ElementFormat<>() {
        @Override
        public void write(SnapshotOutput out, Integer v) {
            out.i32(v);
        }

        @Override
        public Integer read(SnapshotInput in, String what) {
            return in.i32(what);
        }
    };

    /** The map saved to bytes, read back and restored; the state read back must equal the one saved. */
    static KernelLruMap<Integer, Integer> throughBytes(KernelLruMap<Integer, Integer> map) {
        LruState<Integer, Integer> saved = map.state(v -> v);
        SnapshotOutput out = new SnapshotOutput();
        LruStateFormat.write(out, saved, INT, INT);
        SnapshotInput in = Envelope.open(Envelope.seal("LRUSTATE", 1, out), "LRUSTATE", 1);
        LruState<Integer, Integer> read = LruStateFormat.read(in, "map", INT, INT);
        in.expectEnd();
        assertThat(read).isEqualTo(saved);
        KernelLruMap<Integer, Integer> restored = KernelLruMap.restore(read, v -> v);
        assertThat(restored.state(v -> v)).isEqualTo(saved);
        return restored;
    }

    /** One map operation; {@code RESTART} replaces the map by one restored from its state. */
    enum Kind { ACCESS, LOOKUP, UPDATE_ANY, UPDATE_EXIST, UPDATE_NOEXIST, DELETE, USER_LOOKUP, USER_DELETE, SET_CPU, RESTART }

    record Op(Kind kind, int key) {
    }

    record Setup(int maxEntries, LruParameters params, boolean noCommonLru) {
    }

    @Provide
    Arbitrary<Setup> setups() {
        return Combinators.combine(Arbitraries.of(1, 2, 3, 4, 5, 7, 8, 13, 16, 64, 300),
                Arbitraries.of(1, 2, 3, 4), Arbitraries.of(BatchRule.class), Arbitraries.of(false, true))
                .as((n, p, rule, noCommon) -> new Setup(n, new LruParameters(p, rule), noCommon));
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(40, Kind.ACCESS), Tuple.of(15, Kind.LOOKUP),
                Tuple.of(5, Kind.UPDATE_ANY), Tuple.of(3, Kind.UPDATE_EXIST), Tuple.of(3, Kind.UPDATE_NOEXIST),
                Tuple.of(5, Kind.DELETE), Tuple.of(3, Kind.USER_LOOKUP), Tuple.of(2, Kind.USER_DELETE),
                Tuple.of(4, Kind.SET_CPU), Tuple.of(6, Kind.RESTART));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 700)).as(Op::new).list().ofMinSize(50)
                .ofMaxSize(600);
    }

    @Property(tries = 300)
    void aRestoredMapEvictsExactlyAsTheMapItWasSavedFrom(@ForAll("setups") Setup s, @ForAll("operations") List<Op> ops) {
        KernelLruMap<Integer, Integer> kept = new KernelLruMap<>(s.maxEntries(), s.params(), s.noCommonLru());
        KernelLruMap<Integer, Integer> restarted = new KernelLruMap<>(s.maxEntries(), s.params(), s.noCommonLru());
        int keys = 2 * kept.maxEntries() + 3;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op.kind() == Kind.RESTART) {
                restarted = throughBytes(restarted);
                continue;
            }
            Object a = apply(kept, op, keys);
            Object b = apply(restarted, op, keys);
            String at = "operation " + (i + 1) + " " + op;
            assertThat(b).as(at).isEqualTo(a);
            if (op.kind() != Kind.SET_CPU) { // lastEvicted() speaks of the last map operation, not state
                assertThat(restarted.lastEvicted()).as(at).isEqualTo(kept.lastEvicted());
            }
            assertThat(restarted.entries()).as(at).isEqualTo(kept.entries());
        }
        assertThat(restarted.state(v -> v)).isEqualTo(kept.state(v -> v));
    }

    private static Object apply(KernelLruMap<Integer, Integer> map, Op op, int keys) {
        int key = op.key() % keys;
        return switch (op.kind()) {
            case ACCESS -> map.programLookup(key) != null ? "hit" : map.programUpdate(key, key, UpdateFlag.NOEXIST);
            case LOOKUP -> Objects.toString(map.programLookup(key));
            case UPDATE_ANY -> map.programUpdate(key, op.key(), UpdateFlag.ANY);
            case UPDATE_EXIST -> map.programUpdate(key, op.key(), UpdateFlag.EXIST);
            case UPDATE_NOEXIST -> map.userUpdate(key, op.key(), UpdateFlag.NOEXIST);
            case DELETE -> map.programDelete(key);
            case USER_LOOKUP -> Objects.toString(map.userLookup(key));
            case USER_DELETE -> map.userDelete(key);
            case SET_CPU -> {
                map.setCpu(op.key() % map.parameters().possibleCpus());
                yield map.cpu();
            }
            case RESTART -> throw new IllegalArgumentException("not a map operation");
        };
    }

    /** Table B1, N=16 (T=4): insert 17 evicts 1..4 and leaves 3 reserved nodes; 21 evicts the next 4. */
    @Test
    void theReservedBatchSurvivesARestart() {
        KernelLruMap<Integer, Integer> map = new KernelLruMap<>(16, new LruParameters(2, BatchRule.SINCE_6_16));
        for (int k = 1; k <= 17; k++) {
            access(map, k);
        }
        assertThat(map.lastEvicted()).containsExactly(1, 2, 3, 4);
        map = throughBytes(map);
        for (int k = 18; k <= 20; k++) {
            access(map, k);
            assertThat(map.lastEvicted()).as("insert %d", k).isEmpty();
        }
        access(map, 21);
        assertThat(map.lastEvicted()).containsExactly(5, 6, 7, 8);
    }

    /** Table B2 row 2 (N=4: touch 1,2, insert 5..8), with a restart after the touches: the ref bits survive. */
    @Test
    void referenceBitsSurviveARestart() {
        KernelLruMap<Integer, Integer> map = new KernelLruMap<>(4, new LruParameters(2, BatchRule.SINCE_6_16));
        for (int k : new int[] {1, 2, 3, 4, 1, 2}) {
            access(map, k);
        }
        map = throughBytes(map);
        List<List<Integer>> evicted = new java.util.ArrayList<>();
        for (int k = 5; k <= 8; k++) {
            access(map, k);
            evicted.add(map.lastEvicted());
        }
        assertThat(evicted).containsExactly(List.of(3), List.of(4), List.of(5), List.of(6));
        assertThat(map.keys()).containsExactlyInAnyOrder(1, 2, 7, 8);
    }

    private static void access(KernelLruMap<Integer, Integer> map, int key) {
        if (map.programLookup(key) == null) {
            map.programUpdate(key, key, UpdateFlag.NOEXIST);
        }
    }

    @Test
    void aStateThatNoMapCanBeInIsRefusedWithTheRuleItBreaks() {
        LruParameters two = new LruParameters(2, BatchRule.SINCE_6_16);
        LruState.Node<Integer, Integer> one = new LruState.Node<>(1, 1, false);
        LruState.Local<Integer, Integer> idle = new LruState.Local<>(0, List.of(), 0);
        assertThatThrownBy(() -> new LruState<>(two, false, 4, 0,
                List.of(new LruState.ListSet<>(List.of(one), List.of(), -1, 2)), List.of(idle, idle)))
                .hasMessage("the lists hold 3 nodes, the map has 4");
        assertThatThrownBy(() -> new LruState<>(two, false, 4, 0,
                List.of(new LruState.ListSet<>(List.of(one), List.of(one), -1, 2)), List.of(idle, idle)))
                .hasMessage("key 1 is held by two nodes");
        assertThatThrownBy(() -> new LruState.ListSet<>(List.of(), List.of(one), 1, 0))
                .hasMessage("rotation cursor 1 is neither -1 (the sentinel) nor a position in the INACTIVE list of 1");
        assertThatThrownBy(() -> new LruState<>(two, false, 4, 2,
                List.of(new LruState.ListSet<>(List.of(), List.of(), -1, 4)), List.of(idle, idle)))
                .hasMessage("current CPU 2 is outside 0..1");
        assertThatThrownBy(() -> new LruState<>(two, false, 4, 0, List.of(new LruState.ListSet<>(List.of(), List.of(), -1, 4)),
                List.of(idle, new LruState.Local<>(0, List.of(), 2))))
                .hasMessage("CPU 1's next steal 2 is outside 0..1");
        assertThatThrownBy(() -> new LruState<>(two, true, 4, 0, List.of(new LruState.ListSet<>(List.of(), List.of(), -1, 2),
                new LruState.ListSet<>(List.of(), List.of(), -1, 3)), List.of()))
                .hasMessage("CPU 1's lists hold 3 nodes, its share is 2");
    }
}
