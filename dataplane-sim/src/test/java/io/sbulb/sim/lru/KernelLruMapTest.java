package io.sbulb.sim.lru;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.sim.lru.KernelLruMap.UpdateFlag;
import io.sbulb.sim.lru.KernelLruMap.UpdateResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Invariants of {@link KernelLruMap}, written as the facts of docs/kernel-lru.md
 * (§2.6 and the measured tables B1, B2, B4, B6). Unless stated otherwise the parameters are
 * those of the machine the facts were measured on: 2 possible CPUs, Linux 6.16+ batch rule.
 */
class KernelLruMapTest {

    private static final LruParameters MEASURED = new LruParameters(2, BatchRule.SINCE_6_16);

    private static KernelLruMap<Integer, Integer> common(int n) {
        return new KernelLruMap<>(n, MEASURED);
    }

    /** The project's operation: program lookup, insert with BPF_NOEXIST on a miss. */
    private static void access(KernelLruMap<Integer, Integer> map, int key) {
        if (map.programLookup(key) == null) {
            assertThat(map.programUpdate(key, key, UpdateFlag.NOEXIST)).isEqualTo(UpdateResult.OK);
        }
    }

    private static void insertAll(KernelLruMap<Integer, Integer> map, int from, int to) {
        for (int k = from; k <= to; k++) {
            access(map, k);
        }
    }

    /** Inserts keys from..to and returns, per insert number (1-based, counted from 1), the keys it evicted. */
    private static Map<Integer, List<Integer>> evictionsOfInserts(KernelLruMap<Integer, Integer> map, int from, int to) {
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (int k = from; k <= to; k++) {
            access(map, k);
            if (!map.lastEvicted().isEmpty()) {
                out.put(k, map.lastEvicted());
            }
        }
        return out;
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
    }

    // --- B1: batched eviction ------------------------------------------------------------------

    @Test
    void commonN1000FirstEvictionAtInsert897Evicts24Keys() {
        KernelLruMap<Integer, Integer> map = common(1000);
        insertAll(map, 1, 896);
        assertThat(map.size()).isEqualTo(896);
        assertThat(evictionsOfInserts(map, 897, 1200)).containsExactly(
                Map.entry(897, range(1, 24)),
                Map.entry(1025, range(25, 152)),
                Map.entry(1153, range(153, 280)));
    }

    @Test
    void commonN13EvictsTwoKeysAtInsert13() {
        assertThat(evictionsOfInserts(common(13), 1, 20)).containsExactly(
                Map.entry(13, List.of(1, 2)),
                Map.entry(16, List.of(3, 4, 5)),
                Map.entry(19, List.of(6, 7, 8)));
    }

    @Test
    void commonN4EvictsOneKeyPerInsertFromInsert5() {
        assertThat(evictionsOfInserts(common(4), 1, 7)).containsExactly(
                Map.entry(5, List.of(1)), Map.entry(6, List.of(2)), Map.entry(7, List.of(3)));
    }

    @Test
    void firstEvictionWithoutDeletesIsAtInsertFloorNOverTTimesTPlusOne() {
        for (int n = 1; n <= 1100; n++) {
            int t = MEASURED.batch(n);
            int at = n / t * t + 1;
            int count = n % t == 0 ? t : t - n % t;
            Map<Integer, List<Integer>> evictions = evictionsOfInserts(common(n), 1, at);
            assertThat(evictions).as("N=%d, T=%d", n, t).containsExactly(Map.entry(at, range(1, count)));
        }
    }

    @Test
    void noCommonLruN4EvictsBothKeysOfCpu0AtTheThirdInsert() {
        KernelLruMap<Integer, Integer> map = new KernelLruMap<>(4, MEASURED, true);
        assertThat(evictionsOfInserts(map, 1, 6)).containsExactly(
                Map.entry(3, List.of(1, 2)), Map.entry(5, List.of(3, 4)));
        assertThat(map.keys()).containsExactlyInAnyOrder(5, 6);
    }

    @ParameterizedTest(name = "requested {0} -> reported {1}")
    @CsvSource({"5, 6", "7, 8", "8, 8", "1, 2"})
    void noCommonLruRoundsMaxEntriesUpToAMultipleOfP(int requested, int reported) {
        assertThat(new KernelLruMap<Integer, Integer>(requested, MEASURED, true).maxEntries()).isEqualTo(reported);
        assertThat(new KernelLruMap<Integer, Integer>(requested, MEASURED, false).maxEntries()).isEqualTo(requested);
    }

    @Test
    void noCommonLruKeysOfAnotherCpuAreOnlyEvictedByThatCpu() {
        KernelLruMap<Integer, Integer> map = new KernelLruMap<>(16, MEASURED, true);
        map.setCpu(1);
        insertAll(map, 1, 2);
        map.setCpu(0);
        assertThat(evictionsOfInserts(map, 3, 13)).containsExactly(Map.entry(11, List.of(3, 4, 5, 6)));
        assertThat(map.keys()).contains(1, 2);
    }

    // --- B2: touches set a bit, they do not reorder --------------------------------------------

    @Test
    void projectScenarioEvictsC2OnThisMachine() {
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 100, 103);
        map.programLookup(100);
        map.programLookup(101);
        access(map, 104);
        assertThat(map.lastEvicted()).containsExactly(102);
        assertThat(map.keys()).containsExactlyInAnyOrder(100, 101, 103, 104);
    }

    @Test
    void touchingEveryKeyOfAFullMapMakesTheNextInsertEvictTheNewestKey() {
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 1, 4);
        for (int k = 1; k <= 4; k++) {
            assertThat(map.programLookup(k)).isEqualTo(k);
        }
        assertThat(evictionsOfInserts(map, 5, 9)).containsExactly(
                Map.entry(5, List.of(4)), Map.entry(6, List.of(5)), Map.entry(7, List.of(1)),
                Map.entry(8, List.of(2)), Map.entry(9, List.of(3)));
    }

    @Test
    void touchedKeysOutliveLaterUntouchedKeys() {
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 1, 4);
        map.programLookup(1);
        map.programLookup(2);
        assertThat(evictionsOfInserts(map, 5, 8)).containsExactly(
                Map.entry(5, List.of(3)), Map.entry(6, List.of(4)), Map.entry(7, List.of(5)), Map.entry(8, List.of(6)));
        assertThat(map.keys()).containsExactlyInAnyOrder(1, 2, 7, 8);
    }

    @Test
    void userSpaceLookupProtectsNothing() {
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 1, 4);
        assertThat(map.userLookup(1)).isEqualTo(1);
        assertThat(map.userLookup(2)).isEqualTo(2);
        assertThat(map.containsKey(1)).isTrue();
        map.keys();
        map.entries();
        assertThat(evictionsOfInserts(map, 5, 8)).containsExactly(
                Map.entry(5, List.of(1)), Map.entry(6, List.of(2)), Map.entry(7, List.of(3)), Map.entry(8, List.of(4)));
    }

    @Test
    void programLookupMissChangesNothing() {
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 1, 4);
        assertThat(map.programLookup(99)).isNull();
        assertThat(map.keys()).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(evictionsOfInserts(map, 5, 5)).containsExactly(Map.entry(5, List.of(1)));
    }

    // --- B4: update of an existing key pops a free node first ----------------------------------

    @Test
    void updateOfExistingKeyInFullN4MapEvictsKey1() {
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 1, 4);
        assertThat(map.userUpdate(4, 40, UpdateFlag.ANY)).isEqualTo(UpdateResult.OK);
        assertThat(map.lastEvicted()).containsExactly(1);
        assertThat(map.size()).isEqualTo(3);
        assertThat(map.entries()).containsExactlyInAnyOrderEntriesOf(Map.of(2, 2, 3, 3, 4, 40));
    }

    @Test
    void updateOfExistingKeyCanEvictTheKeyItselfAndReinsertIt() {
        KernelLruMap<Integer, Integer> map = common(8);
        insertAll(map, 1, 8);
        assertThat(map.userUpdate(1, 10, UpdateFlag.ANY)).isEqualTo(UpdateResult.OK);
        assertThat(map.lastEvicted()).containsExactly(1, 2);
        assertThat(map.entries()).containsExactlyInAnyOrderEntriesOf(
                Map.of(1, 10, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8));
    }

    @Test
    void failedUpdatesStillPopAFreeNodeFirst() {
        // §2.3 step 1: pop_free happens before the key is looked up, whatever the flags
        KernelLruMap<Integer, Integer> map = common(4);
        insertAll(map, 1, 4);
        assertThat(map.programUpdate(3, 30, UpdateFlag.NOEXIST)).isEqualTo(UpdateResult.EEXIST);
        assertThat(map.lastEvicted()).containsExactly(1);
        assertThat(map.userLookup(3)).isEqualTo(3);
        assertThat(map.programUpdate(99, 99, UpdateFlag.EXIST)).isEqualTo(UpdateResult.ENOENT);
        assertThat(map.keys()).containsExactlyInAnyOrder(2, 3, 4);
    }

    @Test
    void deletedPendingNodesAreReusedBeforeAnyEviction() {
        KernelLruMap<Integer, Integer> map = common(8);
        insertAll(map, 1, 8);
        assertThat(map.userDelete(3)).isTrue();
        assertThat(map.programDelete(5)).isTrue();
        assertThat(map.programDelete(5)).isFalse();
        assertThat(evictionsOfInserts(map, 9, 14)).containsExactly(
                Map.entry(11, List.of(1, 2)), Map.entry(13, List.of(4, 6)));
    }

    // --- B6: the batch rule and P decide the project scenario ----------------------------------

    @ParameterizedTest(name = "{0} CPUs, {1}: evicts {2}")
    @CsvSource({
        "2, SINCE_6_16, 102",
        "4, SINCE_6_16, 102",
        "64, SINCE_6_16, 102",
        "1, SINCE_6_16, 102 103",
        "2, BEFORE_6_16, 102 103",
        "1, BEFORE_6_16, 102 103"})
    void projectScenarioDependsOnBatchRuleAndPossibleCpus(int cpus, BatchRule rule, String evicted) {
        KernelLruMap<Integer, Integer> map = new KernelLruMap<>(4, new LruParameters(cpus, rule));
        insertAll(map, 100, 103);
        map.programLookup(100);
        map.programLookup(101);
        access(map, 104);
        List<Integer> expected = new ArrayList<>();
        for (String k : evicted.split(" ")) {
            expected.add(Integer.valueOf(k));
        }
        assertThat(map.lastEvicted()).containsExactlyElementsOf(expected);
    }

    // --- CPUs -----------------------------------------------------------------------------------

    @Test
    void aCpuWithNoFreeNodeStealsAnotherCpusPendingKey() {
        KernelLruMap<Integer, Integer> map = common(1);
        access(map, 1);
        map.setCpu(1);
        assertThat(map.cpu()).isEqualTo(1);
        access(map, 2);
        assertThat(map.lastEvicted()).containsExactly(1);
        assertThat(map.keys()).containsExactly(2);
    }

    // --- values by reference, copies ----------------------------------------------------------

    @Test
    void valuesAreStoredByReferenceAndViewsAreCopies() {
        KernelLruMap<String, int[]> map = new KernelLruMap<>(4, MEASURED);
        int[] counter = {0};
        assertThat(map.programUpdate("a", counter, UpdateFlag.NOEXIST)).isEqualTo(UpdateResult.OK);
        map.programLookup("a")[0]++;
        assertThat(map.userLookup("a")).isSameAs(counter).containsExactly(1);
        assertThat(map.entries().get("a")).isSameAs(counter);

        Set<String> keys = map.keys();
        keys.clear();
        map.entries().clear();
        assertThat(map.keys()).containsExactly("a");
        assertThat(map.size()).isEqualTo(1);
    }

    // --- argument validation -------------------------------------------------------------------

    @Test
    void rejectsMaxEntriesBelowOne() {
        assertThatThrownBy(() -> new KernelLruMap<Integer, Integer>(0, MEASURED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1").hasMessageContaining("0");
        assertThatThrownBy(() -> new KernelLruMap<Integer, Integer>(-5, MEASURED, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5");
    }

    @Test
    void rejectsMaxEntriesThatOverflowWhenRoundedUpPerCpu() {
        assertThatThrownBy(() -> new KernelLruMap<Integer, Integer>(Integer.MAX_VALUE, MEASURED, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Integer.MAX_VALUE));
    }

    @Test
    void rejectsMissingParameters() {
        assertThatThrownBy(() -> new KernelLruMap<Integer, Integer>(4, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("parameters");
    }

    @Test
    void rejectsCpuOutsidePossibleCpus() {
        KernelLruMap<Integer, Integer> map = common(4);
        assertThatThrownBy(() -> map.setCpu(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu 2").hasMessageContaining("2 possible CPUs");
        assertThatThrownBy(() -> map.setCpu(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu -1");
        assertThat(map.cpu()).isZero();
    }

    @Test
    void rejectsNullKeysValuesAndFlags() {
        KernelLruMap<Integer, Integer> map = common(4);
        assertThatThrownBy(() -> map.programUpdate(null, 1, UpdateFlag.ANY)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.programUpdate(1, null, UpdateFlag.ANY)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.programUpdate(1, 1, null)).isInstanceOf(NullPointerException.class);
        assertThat(map.size()).isZero();
    }

    // --- size ----------------------------------------------------------------------------------

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void millionEntryMapsAreCheapToBuildAndFill() {
        for (boolean noCommon : new boolean[] {false, true}) {
            KernelLruMap<Integer, Integer> map = new KernelLruMap<>(1 << 20, MEASURED, noCommon);
            assertThat(map.maxEntries()).isEqualTo(1 << 20);
            insertAll(map, 1, 100_000);
            assertThat(map.size()).isEqualTo(100_000);
            for (int k = 1; k <= 100_000; k += 7) {
                map.programLookup(k);
            }
            insertAll(map, 100_001, 200_000);
            assertThat(map.size()).isEqualTo(200_000);
        }
    }

    @Test
    void withoutParametersItEvictsAsThisMachinesKernel() {
        KernelLruMap<Integer, Integer> m = new KernelLruMap<>(64);
        assertThat(m.parameters()).isEqualTo(LruParameters.detect());
    }
}
