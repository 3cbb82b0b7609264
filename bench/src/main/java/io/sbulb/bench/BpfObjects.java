package io.sbulb.bench;

import io.sbulb.xdp.bpf.BpfObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;

/** Opens and loads the benchmark's BPF objects, packaged next to these classes by the build. */
final class BpfObjects {

    private BpfObjects() {
    }

    /** Loads object {@code name} and wraps it; the object is closed if wrapping fails. */
    static <T> T load(String name, Function<BpfObject, T> wrap) {
        BpfObject obj = load(name);
        try {
            return wrap.apply(obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Loads {@code io/sbulb/bench/NAME.bpf.o} into the kernel (needs CAP_BPF). */
    static BpfObject load(String name) {
        String resource = "/io/sbulb/bench/" + name + ".bpf.o";
        byte[] image;
        try (InputStream in = BpfObjects.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("BPF object " + resource + " is missing from the classpath "
                        + "(the bench module's build compiles it with clang)");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + resource, e);
        }
        BpfObject obj = BpfObject.openMem(name, image);
        try {
            obj.load();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }
}
