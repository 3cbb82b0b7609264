package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Reason;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.Btf;
import io.sbulb.xdp.bpf.MapDescription;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The C header and the Java side cannot drift apart silently: opens the compiled object (no
 * privilege needed, nothing is loaded) and checks every map name, type, key size and value
 * size, every struct size and every reason code Java assumes.
 */
class AbiTest {

    private static BpfObject obj;

    @BeforeAll
    static void open() {
        obj = SbulbProgram.open();
    }

    @AfterAll
    static void close() {
        obj.close();
    }

    private static MapDescription map(String name) {
        return obj.describeMap(name).orElseThrow(() -> new AssertionError("object has no map " + name));
    }

    @Test
    void everyMapJavaUsesHasTheAssumedTypeKeyAndValueSize() {
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put(SbulbAbi.MAP_CONFIG, new int[] {MapDescription.TYPE_ARRAY, SbulbAbi.U32, SbulbAbi.CONFIG_SIZE});
        expected.put(SbulbAbi.MAP_PORTS, new int[] {MapDescription.TYPE_ARRAY, SbulbAbi.U32, SbulbAbi.U8});
        expected.put(SbulbAbi.MAP_RS, new int[] {MapDescription.TYPE_ARRAY, SbulbAbi.U32, SbulbAbi.ADDR_SIZE});
        expected.put(SbulbAbi.MAP_RS_INDEX, new int[] {MapDescription.TYPE_HASH, SbulbAbi.ADDR_SIZE, SbulbAbi.RS_POS_SIZE});
        expected.put(SbulbAbi.MAP_GEN, new int[] {MapDescription.TYPE_ARRAY, SbulbAbi.U32, SbulbAbi.U32});
        expected.put(SbulbAbi.MAP_ASSOC, new int[] {MapDescription.TYPE_LRU_HASH, SbulbAbi.ASSOC_KEY_SIZE, SbulbAbi.ASSOC_SIZE});
        expected.put(SbulbAbi.MAP_STATE, new int[] {MapDescription.TYPE_ARRAY, SbulbAbi.U32, SbulbAbi.STATE_SIZE});
        expected.put(SbulbAbi.MAP_COUNTERS, new int[] {MapDescription.TYPE_PERCPU_ARRAY, SbulbAbi.U32, SbulbAbi.COUNTER_SIZE});
        expected.put(SbulbAbi.MAP_EVENTS, new int[] {MapDescription.TYPE_RINGBUF, 0, 0});
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            MapDescription d = map(e.getKey());
            assertThat(new int[] {d.type(), d.keySize(), d.valueSize()})
                    .as("map %s: type, key size, value size", e.getKey())
                    .containsExactly(e.getValue());
        }
    }

    @Test
    void fixedMapSizesMatchJava() {
        assertThat(map(SbulbAbi.MAP_PORTS).maxEntries()).isEqualTo(SbulbAbi.PORT_COUNT);
        assertThat(map(SbulbAbi.MAP_COUNTERS).maxEntries()).isEqualTo(Reason.CODE_COUNT);
        assertThat(map(SbulbAbi.MAP_EVENTS).maxEntries()).isEqualTo(SbulbAbi.EVENTS_BYTES);
    }

    @Test
    void loadTimeConstantsAreTheOnlyReadOnlyData() {
        String rodata = obj.internalMapName(".rodata").orElseThrow();
        assertThat(map(rodata).valueSize()).isEqualTo(SbulbAbi.PARAMS_SIZE);
    }

    @Test
    void everyStructCrossingTheBoundaryHasTheSizeJavaAssumes() {
        Btf btf = obj.btf();
        for (Map.Entry<String, Integer> e : SbulbAbi.STRUCT_SIZES.entrySet()) {
            assertThat(btf.structSize(e.getKey()))
                    .as("struct %s", e.getKey())
                    .hasValue(e.getValue());
        }
    }

    @Test
    void reasonCodesInTheObjectAreExactlyTheJavaEnum() {
        Map<String, Long> c = obj.btf().enumValues(SbulbAbi.REASON_ENUM);
        assertThat(c).as("enum %s in the object's BTF", SbulbAbi.REASON_ENUM).isNotEmpty();
        Map<String, Long> fromC = c.entrySet().stream()
                .filter(e -> !e.getKey().equals("SBULB_R_NONE") && !e.getKey().equals("SBULB_R__COUNT"))
                .collect(Collectors.toMap(e -> e.getKey().substring(SbulbAbi.REASON_PREFIX.length()), Map.Entry::getValue));
        Map<String, Long> fromJava = java.util.Arrays.stream(Reason.values())
                .collect(Collectors.toMap(Enum::name, r -> (long) r.code()));
        assertThat(fromC).isEqualTo(fromJava);
        assertThat(c.get("SBULB_R__COUNT")).isEqualTo(Reason.CODE_COUNT);
        assertThat(c.get("SBULB_R_NONE")).isZero();
    }

    /** The real-server filter's bit tells apart addresses that differ only by which word holds what. */
    @org.junit.jupiter.api.Test
    void theFilterBitMixesEveryWordInOrder() {
        java.util.function.ToIntFunction<String> bit = t -> SbulbAbi.filterBit(io.sbulb.api.IpAddress.parse(t));
        org.assertj.core.api.Assertions.assertThat(bit.applyAsInt("fd00:2::1")).isNotEqualTo(bit.applyAsInt("fd00:1::2"));
        java.util.Set<Integer> bits = new java.util.HashSet<>();
        for (int i = 1; i <= 256; i++) {
            int b = bit.applyAsInt("198.18.1." + (i - 1));
            org.assertj.core.api.Assertions.assertThat(b).isBetween(0, SbulbAbi.RS_FILTER_BITS - 1);
            bits.add(b);
            bits.add(bit.applyAsInt("fd00:1::" + Integer.toHexString(i)));
        }
        // 512 addresses into 1024 bits: a fair hash leaves about 400 distinct (1024 (1 - e^-0.5))
        org.assertj.core.api.Assertions.assertThat(bits.size()).isGreaterThan(360);
    }

    /** The association value encoder is the decoder's inverse (the decoder is held to the kernel by the XDP tests). */
    @org.junit.jupiter.api.Test
    void anAssociationValueDecodesToWhatWasEncoded() {
        io.sbulb.api.Endpoint client = io.sbulb.api.Endpoint.of("fd00:2::7", 40000);
        io.sbulb.api.IpAddress rs = io.sbulb.api.IpAddress.parse("fd00:1::3");
        org.assertj.core.api.Assertions.assertThat(SbulbAbi.association(SbulbAbi.assocKey(client),
                SbulbAbi.assocValue(rs, 5))).isEqualTo(new io.sbulb.api.Association(client, rs, 5));
    }
}
