package io.sbulb.xdp.bpf;

import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An owned file descriptor of a kernel BPF object (a program, a link): the object lives at
 * least as long as the fd is open. Closing is idempotent.
 */
public final class BpfFd implements AutoCloseable {

    private static final int BPF_OBJ_NAME_LEN = 16;
    private static final int PROG_INFO_NAME = 64; // offset of name[] in struct bpf_prog_info
    private static final int MAP_INFO_SIZE = 88;  // struct bpf_map_info, as far as it is read
    private static final int MAP_INFO_NAME = 24;  // offset of name[] in struct bpf_map_info

    private final String what;
    private int fd;

    private BpfFd(int fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    static BpfFd own(int fd, String what) {
        return new BpfFd(fd, what);
    }

    /**
     * An fd of the loaded program with this id (bpf_prog_get_fd_by_id); ENOENT if there is none.
     */
    public static BpfFd programById(int id) {
        int fd = LibBpf.bpf_prog_get_fd_by_id(id);
        if (fd < 0) {
            throw new BpfException("open BPF program " + id + " by id", -fd);
        }
        return new BpfFd(fd, "BPF program " + id);
    }

    /** The fd; valid until {@link #close()}. */
    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException(what + " fd is closed");
        }
        return fd;
    }

    /** What the kernel says about a program: its id and name (truncated to 15 bytes by the kernel). */
    public record ProgramInfo(int type, int id, String name) {
    }

    /** What the kernel says about a link: {@code type} is a BPF_LINK_TYPE_*, e.g. {@link Xdp#LINK_TYPE_XDP}. */
    public record LinkInfo(int type, int id, int programId, int xdpIfindex) {
    }

    /** The info of the program behind {@code progFd} (bpf_obj_get_info_by_fd). */
    public static ProgramInfo programInfo(int progFd) {
        ByteBuffer b = info(progFd, 232, "BPF program"); // struct bpf_prog_info of Linux 6.x
        return new ProgramInfo(b.getInt(0), b.getInt(4), objectName(b, PROG_INFO_NAME));
    }

    /** The info of the link behind {@code linkFd}: type, id, prog_id are its first three u32. */
    public static LinkInfo linkInfo(int linkFd) {
        ByteBuffer b = info(linkFd, 64, "BPF link"); // struct bpf_link_info: 3 u32, then a union at 16
        return new LinkInfo(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(16)); // xdp.ifindex
    }

    /** The map behind {@code mapFd} as the kernel describes it: struct bpf_map_info's type, sizes, entries, name. */
    public static MapDescription mapInfo(int mapFd) {
        ByteBuffer b = info(mapFd, MAP_INFO_SIZE, "BPF map");
        return new MapDescription(objectName(b, MAP_INFO_NAME), b.getInt(0), b.getInt(8), b.getInt(12), b.getInt(16));
    }

    /** The kernel's id of the map behind {@code mapFd}. */
    static int mapId(int mapFd) {
        return info(mapFd, MAP_INFO_SIZE, "BPF map").getInt(4);
    }

    /** The NUL-terminated name[BPF_OBJ_NAME_LEN] at {@code offset} of an info struct. */
    private static String objectName(ByteBuffer info, int offset) {
        byte[] name = new byte[BPF_OBJ_NAME_LEN];
        info.get(offset, name);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new String(name, 0, len, StandardCharsets.UTF_8);
    }

    private static ByteBuffer info(int fd, int size, String what) {
        byte[] info = new byte[size];
        IntByReference len = new IntByReference(info.length);
        int rc = LibBpf.bpf_obj_get_info_by_fd(fd, info, len);
        if (rc != 0) {
            throw new BpfException("get info of " + what + " fd " + fd, -rc);
        }
        return ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
    }

    /** The fd of the object pinned at {@code path} in bpffs (bpf_obj_get); ENOENT if nothing is pinned there. */
    public static BpfFd pinned(String path, String what) {
        int fd = LibBpf.bpf_obj_get(path);
        if (fd < 0) {
            throw new BpfException("open " + what + " pinned at " + path, -fd);
        }
        return new BpfFd(fd, what);
    }

    /** Pins the object at {@code path} in bpffs (bpf_obj_pin): it then lives until the file is removed. */
    public void pin(String path) {
        int rc = LibBpf.bpf_obj_pin(fd(), path);
        if (rc != 0) {
            throw new BpfException("pin " + what + " at " + path, -rc);
        }
    }

    /** Makes the link behind this fd run the program {@code progFd} instead, atomically (bpf_link_update). */
    public void updateLink(int progFd, String description) {
        int rc = LibBpf.bpf_link_update(fd(), progFd, null);
        if (rc != 0) {
            throw new BpfException(description, -rc);
        }
    }

    /** Closes the fd (once); the kernel releases the object when nothing else holds it. */
    @Override
    public void close() {
        if (fd >= 0) {
            int f = fd;
            fd = -1;
            int errno = LibC.closeFd(f);
            if (errno != 0) {
                throw new BpfException("close " + what + " fd " + f, errno);
            }
        }
    }

    @Override
    public String toString() {
        return what + (fd >= 0 ? " fd " + fd : " (closed)");
    }
}
