package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Reason;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.Btf;
import io.sbulb.xdp.bpf.MapDescription;
import java.util.LinkedHashMap;
import java.util.List;
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
        int u32 = SbulbAbi.U32;
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put(SbulbAbi.MAP_GEN, new int[] {MapDescription.TYPE_ARRAY, u32, u32});
        expected.put(SbulbAbi.MAP_PORT_SVC, new int[] {MapDescription.TYPE_ARRAY, u32, 2});
        expected.put(SbulbAbi.MAP_RS_FAST, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.RS_FAST_SIZE});
        expected.put(SbulbAbi.MAP_CONFIG, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.CONFIG_SIZE});
        expected.put(SbulbAbi.MAP_SERVICES, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.SERVICE_SIZE});
        expected.put(SbulbAbi.MAP_VIPS, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.VIP_SIZE});
        expected.put(SbulbAbi.MAP_SCHED, new int[] {MapDescription.TYPE_ARRAY, u32, u32});
        expected.put(SbulbAbi.MAP_REALS, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.REAL_SIZE});
        expected.put(SbulbAbi.MAP_RS_EP, new int[] {MapDescription.TYPE_HASH, SbulbAbi.EP_KEY_SIZE, SbulbAbi.RS_EP_SIZE});
        expected.put(SbulbAbi.MAP_ADDRS, new int[] {MapDescription.TYPE_HASH, SbulbAbi.EP_KEY_SIZE,
                SbulbAbi.ADDR_FLAGS_SIZE});
        expected.put(SbulbAbi.MAP_ASSOC4, new int[] {MapDescription.TYPE_LRU_HASH, SbulbAbi.ASSOC4_KEY_SIZE,
                SbulbAbi.ASSOC_SIZE});
        expected.put(SbulbAbi.MAP_ASSOC6, new int[] {MapDescription.TYPE_LRU_HASH, SbulbAbi.ASSOC6_KEY_SIZE,
                SbulbAbi.ASSOC_SIZE});
        expected.put(SbulbAbi.MAP_STATE, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.STATE_SIZE});
        expected.put(SbulbAbi.MAP_COUNTERS, new int[] {MapDescription.TYPE_PERCPU_ARRAY, u32, SbulbAbi.COUNTER_SIZE});
        expected.put(SbulbAbi.MAP_SLOT_FRAMES, new int[] {MapDescription.TYPE_PERCPU_ARRAY, u32,
                SbulbAbi.SLOT_COUNT_SIZE});
        expected.put(SbulbAbi.MAP_CID_NODES, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.CID_NODE_SIZE});
        expected.put(SbulbAbi.MAP_STAMP, new int[] {MapDescription.TYPE_ARRAY, u32, SbulbAbi.STAMP_SIZE});
        expected.put(SbulbAbi.MAP_EVENTS, new int[] {MapDescription.TYPE_RINGBUF, 0, 0});
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            MapDescription d = map(e.getKey());
            assertThat(new int[] {d.type(), d.keySize(), d.valueSize()})
                    .as("map %s: type, key size, value size", e.getKey())
                    .containsExactly(e.getValue());
        }
        assertThat(obj.maps().stream().map(MapDescription::name).filter(n -> !n.contains(".")))
                .as("the object's maps, every one known to Java")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(SbulbProgram.PINNED_MAPS).as("every map but the event log is pinned")
                .containsExactlyInAnyOrderElementsOf(expected.keySet().stream()
                        .filter(n -> !n.equals(SbulbAbi.MAP_EVENTS)).toList());
    }

    @Test
    void fixedMapSizesMatchJava() {
        assertThat(map(SbulbAbi.MAP_CONFIG).maxEntries()).isEqualTo(SbulbAbi.GENERATIONS);
        assertThat(map(SbulbAbi.MAP_PORT_SVC).maxEntries()).isEqualTo(SbulbAbi.GENERATIONS * 2 * SbulbAbi.PORT_COUNT);
        assertThat(map(SbulbAbi.MAP_COUNTERS).maxEntries()).isEqualTo(Reason.CODE_COUNT);
        assertThat(map(SbulbAbi.MAP_EVENTS).maxEntries()).isEqualTo(SbulbAbi.EVENTS_BYTES);
    }

    @Test
    void theLayoutVersionJavaReadsIsTheObjects() {
        assertThat(obj.btf().enumValues(SbulbAbi.ABI_VERSION_ENUM).get(SbulbAbi.ABI_VERSION))
                .isEqualTo((long) SbulbAbi.LAYOUT_VERSION);
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

    /**
     * The placement's address flags are written to sbulb_addrs as they are: they must be the
     * header's SBULB_ADDR_* bits (#defines, not in the BTF: read from the header's text).
     */
    @Test
    void addressFlagsOfThePlacementAreTheHeadersBits() throws java.io.IOException {
        String header = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/bpf/sbulb_abi.h"));
        Map<String, Integer> defined = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#define SBULB_ADDR_(\\w+)\\s+(\\d+)").matcher(header);
        while (m.find()) {
            defined.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertThat(defined).containsExactly(Map.entry("VIP", io.sbulb.api.Placement.ADDRESS_VIP),
                Map.entry("SERVER", io.sbulb.api.Placement.ADDRESS_SERVER),
                Map.entry("HOST", io.sbulb.api.Placement.ADDRESS_HOST));
        assertThat(List.of(SbulbAbi.ADDR_VIP, SbulbAbi.ADDR_SERVER, SbulbAbi.ADDR_HOST))
                .containsExactly(defined.get("VIP"), defined.get("SERVER"), defined.get("HOST"));
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

    /** Each encoder is its decoder's inverse (the decoders are held to the kernel by the XDP tests). */
    @Test
    void everyStructDecodesToWhatWasEncoded() {
        io.sbulb.api.IpAddress v6 = io.sbulb.api.IpAddress.parse("fd00:1::3");
        io.sbulb.api.IpAddress v4 = io.sbulb.api.IpAddress.parse("198.18.2.3");
        for (io.sbulb.api.Endpoint client : List.of(io.sbulb.api.Endpoint.of("fd00:2::7", 40000),
                io.sbulb.api.Endpoint.of("198.18.7.9", 258))) {
            byte[] key = SbulbAbi.assocKey(client, 513);
            assertThat(key).hasSize(client.address().isIpv4() ? SbulbAbi.ASSOC4_KEY_SIZE : SbulbAbi.ASSOC6_KEY_SIZE);
            assertThat(SbulbAbi.AssocEntry.of(key, SbulbAbi.assocValue(70000, 9)))
                    .isEqualTo(new SbulbAbi.AssocEntry(client, 513, 70000, 9));
            assertThat(SbulbAbi.epKey(SbulbAbi.epKey(client.address(), client.port()))).isEqualTo(client);
        }
        SbulbAbi.Vip vip = new SbulbAbi.Vip(io.sbulb.api.Endpoint.of("fd00::1", 5683), 63, null);
        assertThat(SbulbAbi.Vip.of(vip.bytes())).isEqualTo(vip);
        SbulbAbi.Vip cidVip = new SbulbAbi.Vip(io.sbulb.api.Endpoint.of("198.18.0.1", 5684), 1023,
                new io.sbulb.api.DtlsCid(16, 3, 2));
        assertThat(SbulbAbi.Vip.of(cidVip.bytes())).isEqualTo(cidVip);
        assertThat(SbulbAbi.Vip.of(new byte[SbulbAbi.VIP_SIZE])).as("unused").isNull();
        SbulbAbi.RsFast fast = new SbulbAbi.RsFast(io.sbulb.api.Endpoint.of("198.18.1.7", 5684), 12, 70000);
        assertThat(SbulbAbi.RsFast.of(fast.bytes())).isEqualTo(fast);
        assertThat(SbulbAbi.RsFast.of(new byte[SbulbAbi.RS_FAST_SIZE])).as("unused").isNull();
        SbulbAbi.ServiceEntry svc = new SbulbAbi.ServiceEntry(v4, 3, 4096, "a-service.name_31_characters_xx", null);
        assertThat(svc.bytes()).hasSize(SbulbAbi.SERVICE_SIZE);
        assertThat(SbulbAbi.ServiceEntry.of(svc.bytes())).isEqualTo(svc);
        SbulbAbi.ServiceEntry cidSvc = new SbulbAbi.ServiceEntry(v6, 1, 7, "dtls", new io.sbulb.api.DtlsCid(255, 251, 4));
        assertThat(SbulbAbi.ServiceEntry.of(cidSvc.bytes())).isEqualTo(cidSvc);
        SbulbAbi.CidNode cidNode = new SbulbAbi.CidNode(0xfffffffeL, 70000);
        assertThat(cidNode.bytes()).hasSize(SbulbAbi.CID_NODE_SIZE);
        assertThat(SbulbAbi.CidNode.of(cidNode.bytes())).isEqualTo(cidNode);
        assertThat(SbulbAbi.CidNode.of(new byte[SbulbAbi.CID_NODE_SIZE])).as("unused").isNull();
        assertThat(SbulbAbi.cidNodeKey(1, 64, 3, 0x1ff)).isEqualTo((64 + 3) * 256 + 0xff);
        assertThat(SbulbAbi.ServiceEntry.of(SbulbAbi.ServiceEntry.NONE.bytes())).isEqualTo(SbulbAbi.ServiceEntry.NONE);
        SbulbAbi.Real real = new SbulbAbi.Real(v6, 77, 5, new int[] {2, 31}, 1023, 0b0110, new int[] {255, 1});
        assertThat(real.bytes()).hasSize(SbulbAbi.REAL_SIZE);
        assertThat(SbulbAbi.Real.of(real.bytes())).isEqualTo(real);
        assertThat(real.live(1)).isTrue();
        assertThat(real.retired(0)).isTrue();
        assertThat(real.live(0) || real.retired(1)).isFalse();
        SbulbAbi.RsEp ep = SbulbAbi.RsEp.none().with(1, SbulbAbi.EP_RETIRED, 7, 100000).with(0, SbulbAbi.EP_SERVER, 8, 3);
        assertThat(SbulbAbi.RsEp.of(ep.bytes())).isEqualTo(ep);
        assertThat(ep.kind()).containsExactly(SbulbAbi.EP_SERVER, SbulbAbi.EP_RETIRED);
        assertThat(SbulbAbi.addrFlags(SbulbAbi.addrFlags(new int[] {1, 2}))).containsExactly(1, 2);
        SbulbAbi.Config c = new SbulbAbi.Config(3, 4, 5, 6, SbulbAbi.Config.filterOf(List.of(v4, v6)));
        assertThat(SbulbAbi.Config.of(c.bytes())).usingRecursiveComparison().isEqualTo(c);
        SbulbAbi.Stamp st = new SbulbAbi.Stamp(2, 32, 1 << 20, 8, 64, 16);
        assertThat(SbulbAbi.Stamp.of(st.bytes())).isEqualTo(st);
        assertThat(SbulbAbi.Stamp.of(java.util.Arrays.copyOf(st.bytes(), 16)))
                .as("layout 1's stamp: its four fields").isEqualTo(new SbulbAbi.Stamp(2, 32, 1 << 20, 8, 0, 0));
    }

    /** The VIP hash mixes every part of the endpoint and the seed. */
    @Test
    void theVipHashDependsOnAddressPortFamilyAndSeed() {
        io.sbulb.api.Endpoint e = io.sbulb.api.Endpoint.of("198.18.0.1", 5683);
        int h = SbulbAbi.vipHash(e, 0);
        assertThat(SbulbAbi.vipHash(e, 1)).isNotEqualTo(h);
        assertThat(SbulbAbi.vipHash(io.sbulb.api.Endpoint.of("198.18.0.1", 5684), 0)).isNotEqualTo(h);
        assertThat(SbulbAbi.vipHash(io.sbulb.api.Endpoint.of("198.18.0.2", 5683), 0)).isNotEqualTo(h);
        assertThat(SbulbAbi.vipHash(io.sbulb.api.Endpoint.of("c612:1::", 5683), 0)).as("another family")
                .isNotEqualTo(h);
    }
}
