package io.sbulb.xdp.bpf;

import com.sun.jna.Pointer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/** Read access to the BTF of an open {@link BpfObject}: enum values and struct sizes. */
public final class Btf {

    private static final int KIND_STRUCT = 4;
    private static final int KIND_ENUM = 6;
    private static final int BTF_TYPE_SIZE = 12; // struct btf_type
    private static final int BTF_ENUM_SIZE = 8;  // struct btf_enum

    private final Pointer btf;
    private final BpfObject owner;

    Btf(Pointer btf, BpfObject owner) {
        this.btf = btf;
        this.owner = owner;
    }

    /** The constants of {@code enum name}, in declaration order, or an empty map if absent. */
    public Map<String, Long> enumValues(String name) {
        owner.checkOpen();
        Map<String, Long> values = new LinkedHashMap<>();
        int id = LibBpf.btf__find_by_name_kind(btf, name, KIND_ENUM);
        if (id <= 0) {
            return values;
        }
        Pointer t = LibBpf.btf__type_by_id(btf, id);
        int vlen = t.getInt(4) & 0xffff;
        for (int i = 0; i < vlen; i++) {
            Pointer e = t.share(BTF_TYPE_SIZE + (long) i * BTF_ENUM_SIZE);
            values.put(LibBpf.btf__name_by_offset(btf, e.getInt(0)), (long) e.getInt(4));
        }
        return values;
    }

    /** The size in bytes of {@code struct name}, if the BTF has it. */
    public OptionalInt structSize(String name) {
        owner.checkOpen();
        int id = LibBpf.btf__find_by_name_kind(btf, name, KIND_STRUCT);
        if (id <= 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(LibBpf.btf__type_by_id(btf, id).getInt(8));
    }
}
