package io.sbulb.xdp.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A compiled BPF object packaged on the classpath by the build (clang at {@code process-resources}),
 * read once: its bytes and their SHA-256, so the running code can be traced to a build. The one
 * way objects are found: never opened from a filesystem path (what runs is what was built and tested).
 */
public final class PackagedObject {

    private final String resource;
    private final byte[] image;
    private final String sha256;

    private PackagedObject(String resource, byte[] image) {
        this.resource = resource;
        this.image = image;
        this.sha256 = sha256(image);
    }

    /**
     * Reads resource {@code name} of {@code anchor}'s package ({@code "sbulb.bpf.o"}), or an absolute
     * resource ({@code "/io/sbulb/xdp/sbulb.bpf.o"}), with {@code anchor}'s class loader.
     *
     * @throws IllegalStateException naming the resource when it is not on the classpath
     */
    public static PackagedObject read(Class<?> anchor, String name) {
        String resource = name.startsWith("/") ? name
                : "/" + anchor.getPackageName().replace('.', '/') + "/" + name;
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("BPF object " + resource + " is missing from the classpath (the Maven "
                        + "build of the module holding " + anchor.getName() + " compiles it with clang: was it built?)");
            }
            return new PackagedObject(resource, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("read BPF object " + resource + " from the classpath", e);
        }
    }

    /** The absolute resource name, e.g. {@code /io/sbulb/xdp/sbulb.bpf.o}. */
    public String resource() {
        return resource;
    }

    /** The object's bytes (a copy). */
    public byte[] image() {
        return image.clone();
    }

    /** The hex SHA-256 of the object's bytes. */
    public String sha256() {
        return sha256;
    }

    /** Opens the object without loading it (needs no privilege); {@code name} as {@link BpfObject#openMem}. */
    public BpfObject open(String name, int kernelLogLevel) {
        return BpfObject.openMem(name, image, kernelLogLevel); // openMem copies the image
    }

    /** Opens the object, loads it into the kernel (needs CAP_BPF) and wraps it; see {@link #load(String, Consumer, Function)}. */
    public <T> T load(String name, Function<BpfObject, T> wrap) {
        return load(name, obj -> { }, wrap);
    }

    /**
     * Opens the object, lets {@code configure} set it up before the load (map sizes, read-only
     * data), loads it and wraps it. If any of these fails the object is closed: nothing stays in
     * the kernel.
     */
    public <T> T load(String name, Consumer<BpfObject> configure, Function<BpfObject, T> wrap) {
        BpfObject obj = open(name, 0);
        try {
            configure.accept(obj);
            obj.load();
            return wrap.apply(obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return resource + " (sha256 " + sha256 + ")";
    }

    private static String sha256(byte[] image) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
