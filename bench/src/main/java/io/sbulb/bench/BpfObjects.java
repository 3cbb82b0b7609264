package io.sbulb.bench;

import io.sbulb.xdp.bpf.BpfObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
        BpfObject obj = BpfObject.openMem(name, image(name));
        try {
            configure.accept(obj);
            obj.load();
            return wrap.apply(obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Loads {@code io/sbulb/bench/NAME.bpf.o} into the kernel (needs CAP_BPF). */
    static BpfObject load(String name) {
        return load(name, Function.identity());
    }

    private static byte[] image(String name) {
        String resource = "/io/sbulb/bench/" + name + ".bpf.o";
        try (InputStream in = BpfObjects.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("BPF object " + resource + " is missing from the classpath "
                        + "(the bench module's build compiles it with clang)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + resource, e);
        }
    }
}
