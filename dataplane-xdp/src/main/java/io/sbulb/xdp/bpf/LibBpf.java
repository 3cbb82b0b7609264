package io.sbulb.xdp.bpf;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/**
 * JNA direct mapping of exactly the libbpf (1.x) calls sbulb uses. Conventions of libbpf 1.x:
 * functions returning int give a negative errno on failure; functions returning a pointer give
 * NULL and set errno. Callers go through {@link BpfObject}, {@link BpfMap} and
 * {@link BpfProgram}, which turn both into {@link BpfException}s.
 *
 * <p>{@code size_t} is mapped to {@code long}: sbulb runs on 64-bit Linux only.
 */
final class LibBpf {

    static {
        // "bpf" finds libbpf.so, or the newest libbpf.so.N when only the runtime package is there.
        Native.register(LibBpf.class, NativeLibrary.getInstance("bpf"));
    }

    private LibBpf() {
    }

    /** libbpf_print_fn_t: level, printf format, va_list (a pointer on the 64-bit ABIs we run on). */
    interface PrintFn extends Callback {
        int invoke(int level, String format, Pointer args);
    }

    // logging and system facts
    static native Pointer libbpf_set_print(PrintFn fn);

    static native int libbpf_num_possible_cpus();

    // object lifecycle
    static native Pointer bpf_object__open_mem(Pointer buf, long size, Pointer opts);

    static native int bpf_object__load(Pointer obj);

    static native void bpf_object__close(Pointer obj);

    static native Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    static native Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    static native Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    static native Pointer bpf_object__btf(Pointer obj);

    // maps, as described by the object
    static native String bpf_map__name(Pointer map);

    static native int bpf_map__type(Pointer map);

    static native int bpf_map__key_size(Pointer map);

    static native int bpf_map__value_size(Pointer map);

    static native int bpf_map__max_entries(Pointer map);

    static native int bpf_map__set_max_entries(Pointer map, int maxEntries);

    static native int bpf_map__set_initial_value(Pointer map, byte[] data, long size);

    static native int bpf_map__fd(Pointer map);

    // programs
    static native int bpf_program__fd(Pointer prog);

    static native int bpf_prog_test_run_opts(int progFd, TestRunOpts opts);

    static native int bpf_obj_get_info_by_fd(int fd, byte[] info, IntByReference infoLen);

    static native int bpf_prog_get_fd_by_id(int id);

    // bpffs: pinned objects outlive the process
    static native int bpf_map__set_pin_path(Pointer map, String path);

    static native int bpf_obj_pin(int fd, String path);

    static native int bpf_obj_get(String path);

    static native int bpf_link_update(int linkFd, int newProgFd, Pointer opts);

    // XDP: a BPF link (detached when its last fd closes), or netlink (stays until detached)
    static native int bpf_link_create(int progFd, int targetFd, int attachType, LinkCreateOpts opts);

    static native int bpf_xdp_attach(int ifindex, int progFd, int flags, XdpAttachOpts opts);

    static native int bpf_xdp_detach(int ifindex, int flags, XdpAttachOpts opts);

    static native int bpf_xdp_query(int ifindex, int flags, XdpQueryOpts opts);

    // map elements, by fd
    static native int bpf_map_lookup_elem(int fd, byte[] key, byte[] value);

    static native int bpf_map_update_elem(int fd, byte[] key, byte[] value, long flags);

    static native int bpf_map_delete_elem(int fd, byte[] key);

    static native int bpf_map_lookup_batch(int fd, byte[] inBatch, byte[] outBatch, byte[] keys, byte[] values,
                                           IntByReference count, Pointer opts);

    // BTF
    static native int btf__find_by_name_kind(Pointer btf, String name, int kind);

    static native Pointer btf__type_by_id(Pointer btf, int id);

    static native String btf__name_by_offset(Pointer btf, int offset);

    // ring buffers

    /** ring_buffer_sample_fn: context, record, record size. */
    interface SampleFn extends Callback {
        int invoke(Pointer ctx, Pointer data, long size);
    }

    static native Pointer ring_buffer__new(int mapFd, SampleFn sample, Pointer ctx, Pointer opts);

    static native int ring_buffer__consume(Pointer rb);

    static native void ring_buffer__free(Pointer rb);

    /** struct bpf_test_run_opts of libbpf/bpf.h (libbpf 1.x layout, sz first). */
    @Structure.FieldOrder({"sz", "data_in", "data_out", "data_size_in", "data_size_out", "ctx_in", "ctx_out",
            "ctx_size_in", "ctx_size_out", "retval", "repeat", "duration", "flags", "cpu", "batch_size"})
    public static final class TestRunOpts extends Structure {
        public long sz;
        public Pointer data_in;
        public Pointer data_out;
        public int data_size_in;
        public int data_size_out;
        public Pointer ctx_in;
        public Pointer ctx_out;
        public int ctx_size_in;
        public int ctx_size_out;
        public int retval;
        public int repeat;
        public int duration;
        public int flags;
        public int cpu;
        public int batch_size;

        TestRunOpts() {
            sz = size();
        }
    }

    /**
     * The head of struct bpf_link_create_opts of libbpf/bpf.h: XDP uses only {@code flags}.
     * libbpf takes a shorter struct than its own ({@code sz} says how much there is).
     */
    @Structure.FieldOrder({"sz", "flags"})
    public static final class LinkCreateOpts extends Structure {
        public long sz;
        public int flags;

        LinkCreateOpts(int flags) {
            this.flags = flags;
            sz = size(); // 16: the padding after flags is zero, as libbpf checks
        }
    }

    /** struct bpf_xdp_attach_opts of libbpf/libbpf.h. */
    @Structure.FieldOrder({"sz", "old_prog_fd"})
    public static final class XdpAttachOpts extends Structure {
        public long sz;
        public int old_prog_fd;

        XdpAttachOpts(int oldProgFd) {
            old_prog_fd = oldProgFd;
            sz = size();
        }
    }

    /** struct bpf_xdp_query_opts of libbpf/libbpf.h (libbpf 1.1; later versions add fields after these). */
    @Structure.FieldOrder({"sz", "prog_id", "drv_prog_id", "hw_prog_id", "skb_prog_id", "attach_mode"})
    public static final class XdpQueryOpts extends Structure {
        public long sz;
        public int prog_id;
        public int drv_prog_id;
        public int hw_prog_id;
        public int skb_prog_id;
        public byte attach_mode;

        XdpQueryOpts() {
            sz = size();
        }
    }
}
