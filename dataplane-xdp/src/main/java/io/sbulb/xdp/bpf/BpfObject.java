package io.sbulb.xdp.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A BPF ELF object opened from memory with libbpf: described, configured (map sizes, read-only
 * data) while merely open, then loaded into the kernel, after which its maps and programs have
 * file descriptors. Closing it releases every kernel object it created.
 *
 * <p>Never opened from a filesystem path: the object comes from the jar, so what runs is what
 * was built and tested.
 */
public final class BpfObject implements AutoCloseable {

    private final String name;
    private final Memory elf; // libelf reads the image in place: it must outlive the object
    private Pointer obj;
    private boolean loaded;
    private final int possibleCpus;

    private BpfObject(String name, Memory elf, Pointer obj) {
        this.name = name;
        this.elf = elf;
        this.obj = obj;
        int cpus = LibBpf.libbpf_num_possible_cpus();
        if (cpus <= 0) {
            throw new BpfException("count possible CPUs", -cpus);
        }
        this.possibleCpus = cpus;
    }

    /**
     * Opens an ELF image with {@code bpf_object__open_mem}.
     *
     * @param name object name (libbpf derives internal map names such as {@code name.rodata} from it)
     */
    public static BpfObject openMem(String name, byte[] image) {
        return openMem(name, image, 0);
    }

    /**
     * Opens an ELF image; the programs' loads will ask the kernel verifier for its log at
     * {@code kernelLogLevel} (0 none, 1 the log, 2 verbose; libbpf prints it at debug level).
     */
    public static BpfObject openMem(String name, byte[] image, int kernelLogLevel) {
        if (image.length == 0) {
            throw new IllegalArgumentException("BPF object image '" + name + "' is empty");
        }
        Memory elf = new Memory(image.length);
        elf.write(0, image, 0, image.length);
        Memory objectName = new Memory(name.length() + 1L);
        objectName.setString(0, name, "US-ASCII");
        // struct bpf_object_open_opts (libbpf 1.x) up to kernel_log_level: sz at 0, object_name at 8,
        // kernel_log_buf at 56 and kernel_log_size at 64 left 0 (libbpf allocates the buffer),
        // kernel_log_level at 72
        Memory opts = new Memory(80);
        opts.clear();
        opts.setLong(0, 80);
        opts.setPointer(8, objectName);
        opts.setInt(72, kernelLogLevel);
        LibBpfLog.Captured<Pointer> opened =
                LibBpfLog.capture(() -> LibBpf.bpf_object__open_mem(elf, image.length, opts));
        int errno = Native.getLastError();
        if (opened.value() == null) {
            throw new BpfException("open BPF object " + name, errno, opened.log());
        }
        return new BpfObject(name, elf, opened.value());
    }

    public String name() {
        return name;
    }

    public boolean loaded() {
        return loaded;
    }

    /** Number of possible CPUs (the stride count of per-CPU map values). */
    public int possibleCpus() {
        return possibleCpus;
    }

    /** Every map the object defines, internal ones ({@code .rodata}, ...) included. */
    public List<MapDescription> maps() {
        checkOpen();
        List<MapDescription> maps = new ArrayList<>();
        for (Pointer m = LibBpf.bpf_object__next_map(obj, null); m != null; m = LibBpf.bpf_object__next_map(obj, m)) {
            maps.add(describe(m));
        }
        return maps;
    }

    public Optional<MapDescription> describeMap(String mapName) {
        checkOpen();
        Pointer m = LibBpf.bpf_object__find_map_by_name(obj, mapName);
        return m == null ? Optional.empty() : Optional.of(describe(m));
    }

    /** Sets a map's size; only before load. */
    public void setMaxEntries(String mapName, int maxEntries) {
        checkNotLoaded("set max entries of " + mapName);
        int rc = LibBpf.bpf_map__set_max_entries(mapPointer(mapName), maxEntries);
        if (rc != 0) {
            throw new BpfException("set max entries of map " + mapName + " to " + maxEntries, -rc);
        }
    }

    /** Replaces the initial contents of a data map ({@code .rodata} etc.); only before load. */
    public void setInitialValue(String mapName, byte[] value) {
        checkNotLoaded("set initial value of " + mapName);
        MapDescription d = describe(mapPointer(mapName));
        if (value.length != d.valueSize()) {
            throw new IllegalArgumentException("initial value of " + mapName + " has " + value.length
                    + " bytes, the map holds " + d.valueSize());
        }
        int rc = LibBpf.bpf_map__set_initial_value(mapPointer(mapName), value, value.length);
        if (rc != 0) {
            throw new BpfException("set initial value of map " + mapName, -rc);
        }
    }

    /**
     * Pins map {@code mapName} at {@code path} when the object is loaded (bpf_map__set_pin_path):
     * a map already pinned there is reused if it is compatible (type, key and value sizes, max
     * entries, flags), else the load fails; otherwise the new map is pinned there.
     */
    public void setPinPath(String mapName, String path) {
        checkOpen();
        int rc = LibBpf.bpf_map__set_pin_path(mapPointer(mapName), path);
        if (rc != 0) {
            throw new BpfException("set the pin path of map " + mapName + " to " + path, -rc);
        }
    }

    /** The name of the internal map whose name ends with {@code suffix} (e.g. ".rodata"). */
    public Optional<String> internalMapName(String suffix) {
        return maps().stream().map(MapDescription::name).filter(n -> n.endsWith(suffix)).findFirst();
    }

    /**
     * Creates the maps and loads the programs into the kernel.
     *
     * @throws BpfException with errno and libbpf's output, which holds the verifier log
     */
    public void load() {
        checkNotLoaded("load");
        LibBpfLog.Captured<Integer> rc = LibBpfLog.capture(() -> LibBpf.bpf_object__load(obj));
        if (rc.value() != 0) {
            throw new BpfException("load BPF object " + name, -rc.value(), rc.log());
        }
        loaded = true;
    }

    /** A live map of the loaded object. */
    public BpfMap map(String mapName) {
        checkLoaded("map " + mapName);
        Pointer m = mapPointer(mapName);
        MapDescription d = describe(m);
        int fd = LibBpf.bpf_map__fd(m);
        if (fd < 0) {
            throw new BpfException("get fd of map " + mapName, -fd);
        }
        return new BpfMap(d, fd, possibleCpus);
    }

    /** A live program of the loaded object. */
    public BpfProgram program(String programName) {
        checkLoaded("program " + programName);
        Pointer p = LibBpf.bpf_object__find_program_by_name(obj, programName);
        if (p == null) {
            throw new IllegalArgumentException("BPF object " + name + " has no program " + programName);
        }
        int fd = LibBpf.bpf_program__fd(p);
        if (fd < 0) {
            throw new BpfException("get fd of program " + programName, -fd);
        }
        return new BpfProgram(programName, fd);
    }

    /** The object's BTF (type information), available once open. */
    public Btf btf() {
        checkOpen();
        Pointer btf = LibBpf.bpf_object__btf(obj);
        if (btf == null) {
            throw new IllegalStateException("BPF object " + name + " carries no BTF (compile with -g)");
        }
        return new Btf(btf, this);
    }

    /** Closes the object: every map and program fd it holds. Idempotent. */
    @Override
    public void close() {
        if (obj != null) {
            LibBpf.bpf_object__close(obj);
            obj = null;
            elf.close();
        }
    }

    private Pointer mapPointer(String mapName) {
        checkOpen();
        Pointer m = LibBpf.bpf_object__find_map_by_name(obj, mapName);
        if (m == null) {
            throw new IllegalArgumentException("BPF object " + name + " has no map " + mapName);
        }
        return m;
    }

    private static MapDescription describe(Pointer m) {
        return new MapDescription(LibBpf.bpf_map__name(m), LibBpf.bpf_map__type(m), LibBpf.bpf_map__key_size(m),
                LibBpf.bpf_map__value_size(m), LibBpf.bpf_map__max_entries(m));
    }

    void checkOpen() {
        if (obj == null) {
            throw new IllegalStateException("BPF object " + name + " is closed");
        }
    }

    private void checkNotLoaded(String what) {
        checkOpen();
        if (loaded) {
            throw new IllegalStateException("cannot " + what + ": BPF object " + name + " is already loaded");
        }
    }

    private void checkLoaded(String what) {
        checkOpen();
        if (!loaded) {
            throw new IllegalStateException("no " + what + " yet: BPF object " + name + " is not loaded");
        }
    }
}
