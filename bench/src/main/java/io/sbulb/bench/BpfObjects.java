package io.sbulb.bench;

import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.PackagedObject;
import java.util.function.Consumer;
import java.util.function.Function;

/** Opens and loads the benchmark's BPF objects, packaged next to these classes by the build. */
final class BpfObjects {

    private BpfObjects() {
    }

    /** Loads object {@code name} and wraps it; the object is closed if wrapping fails. */
    static <T> T load(String name, Function<BpfObject, T> wrap) {
        return load(name, obj -> { }, wrap);
    }

    /**
     * Opens object {@code name}, lets {@code configure} set it up before the load (map sizes),
     * loads it and wraps it; the object is closed if any of these fails.
     */
    static <T> T load(String name, Consumer<BpfObject> configure, Function<BpfObject, T> wrap) {
        return PackagedObject.read(BpfObjects.class, name + ".bpf.o").load(name, configure, wrap);
    }

    /** Loads {@code io/sbulb/bench/NAME.bpf.o} into the kernel (needs CAP_BPF). */
    static BpfObject load(String name) {
        return load(name, Function.identity());
    }
}
