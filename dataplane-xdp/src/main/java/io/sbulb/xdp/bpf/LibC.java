package io.sbulb.xdp.bpf;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The few libc calls sbulb needs: error text, formatting libbpf's messages, CPU pinning, interfaces, fds. */
public final class LibC {

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    static native String strerror(int errnum);

    static native int vsnprintf(byte[] buf, long size, String format, Pointer args);

    static native int sched_setaffinity(int pid, long cpusetsize, byte[] mask);

    static native int if_nametoindex(String ifname);

    static native int close(int fd);

    static native int mount(String source, String target, String fstype, long flags, String data);

    /** The text of an errno value, e.g. "Operation not permitted". */
    public static String errorText(int errno) {
        return strerror(errno);
    }

    /** Pins the calling thread to one CPU. */
    public static void pinCurrentThread(int cpu) {
        byte[] mask = new byte[128]; // cpu_set_t: 1024 bits
        if (cpu < 0 || cpu >= mask.length * 8) {
            throw new IllegalArgumentException("CPU " + cpu + " is outside 0.." + (mask.length * 8 - 1));
        }
        mask[cpu / 8] |= (byte) (1 << (cpu % 8));
        if (sched_setaffinity(0, mask.length, mask) != 0) {
            int errno = Native.getLastError();
            throw new BpfException("pin thread to CPU " + cpu + " (sched_setaffinity)", errno);
        }
    }

    /**
     * The index of the network interface {@code name} in the calling thread's network
     * namespace, or a negative errno ({@code -ENODEV} when there is none of that name).
     */
    public static int interfaceIndex(String name) {
        int index = if_nametoindex(name);
        return index != 0 ? index : -Native.getLastError();
    }

    /** membarrier(2) command that waits for an RCU grace period on a machine with several CPUs. */
    private static final int MEMBARRIER_CMD_GLOBAL = 1;
    /** Without membarrier: XDP runs a frame in microseconds with preemption off; this is far more. */
    private static final long GRACE_FALLBACK_MILLIS = 10;

    /**
     * Returns once every BPF program run that started before the call has finished: membarrier(2)
     * MEMBARRIER_CMD_GLOBAL, which is synchronize_rcu() in the kernel (XDP programs run inside
     * RCU read-side sections). Where the call is refused (nohz_full CPUs, an unknown
     * architecture), waits {@value #GRACE_FALLBACK_MILLIS} ms instead.
     */
    public static void awaitRcuGracePeriod() {
        long nr = switch (Platform.ARCH) {
            case "x86-64" -> 324;
            case "aarch64" -> 283;
            default -> -1;
        };
        if (nr > 0 && com.sun.jna.Function.getFunction(Platform.C_LIBRARY_NAME, "syscall")
                .invokeInt(new Object[] {nr, MEMBARRIER_CMD_GLOBAL, 0, 0}) == 0) {
            return;
        }
        try {
            Thread.sleep(GRACE_FALLBACK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a file descriptor; 0, or the errno of close(2) (the fd is released either way on Linux). */
    static int closeFd(int fd) {
        return close(fd) == 0 ? 0 : Native.getLastError();
    }

    /**
     * Mounts a bpf filesystem at {@code target} (mode 0700), in the caller's mount namespace.
     *
     * @throws BpfException with the errno when the kernel refuses
     */
    public static void mountBpffs(String target) {
        if (mount("bpf", target, "bpf", 0, "mode=0700") != 0) {
            throw new BpfException("mount bpffs at " + target, Native.getLastError());
        }
    }
}
