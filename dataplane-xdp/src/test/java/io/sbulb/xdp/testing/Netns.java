package io.sbulb.xdp.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.sbulb.xdp.bpf.BpfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}, bound under
 * {@code /run/netns}). The namespace of a Linux thread is its own: a fresh thread enters the
 * namespace with {@code setns(2)}, runs the task and ends, so the calling thread never changes
 * namespace. What the task creates stays in that namespace after the thread ends: a socket
 * opened there sends and receives there, from any thread; an interface index means an
 * interface of that namespace.
 *
 * <p>Test code (dataplane-xdp's test-jar, reused by the lab), not in the shipped jar: sbulb
 * itself runs in whatever namespace it is started in.
 */
public final class Netns {

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Path RUN_NETNS = Path.of("/run/netns");

    static {
        Native.register(Netns.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int open(String path, int flags);

    private static native int close(int fd);

    private static native int setns(int fd, int nstype);

    private Netns() {
    }

    /** The file {@code ip netns add name} binds the namespace to. */
    public static Path path(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a network namespace name");
        }
        return RUN_NETNS.resolve(name);
    }

    /** True when the namespace exists. */
    public static boolean exists(String name) {
        return Files.exists(path(name));
    }

    /**
     * Runs {@code task} on a new thread inside namespace {@code name} and returns its result.
     *
     * @throws BpfException when the namespace cannot be entered (errno and the name)
     */
    public static <T> T call(String name, Callable<T> task) {
        Path ns = path(name);
        FutureTask<T> f = new FutureTask<>(() -> {
            int fd = open(ns.toString(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new BpfException("open network namespace " + ns, Native.getLastError());
            }
            try {
                if (setns(fd, CLONE_NEWNET) != 0) {
                    throw new BpfException("enter network namespace " + name + " (setns)", Native.getLastError());
                }
            } finally {
                close(fd);
            }
            return task.call();
        });
        Thread t = new Thread(f, "netns-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in network namespace " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("in network namespace " + name + ": " + cause, cause);
        }
    }

    /** Runs {@code task} inside namespace {@code name}. */
    public static void run(String name, ThrowingRunnable task) {
        call(name, () -> {
            task.run();
            return null;
        });
    }

    /** A task that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
