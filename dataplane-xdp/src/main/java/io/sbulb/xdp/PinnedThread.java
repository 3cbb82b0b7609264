package io.sbulb.xdp;

import io.sbulb.xdp.bpf.LibC;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One thread pinned to one CPU that runs every kernel operation of a dataplane. The kernel's
 * LRU map keeps per-CPU state (docs/kernel-lru.md §4.3): only if every test run and
 * map syscall comes from the same CPU is its eviction deterministic and reproducible by the
 * reference model.
 */
final class PinnedThread implements AutoCloseable {

    private final ExecutorService executor;
    private volatile Thread thread;

    PinnedThread(String name, int cpu) {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-cpu" + cpu);
            t.setDaemon(true);
            return t;
        });
        call(() -> {
            thread = Thread.currentThread();
            if (cpu != XdpDataplane.ANY_CPU) {
                LibC.pinCurrentThread(cpu);
            }
            return null;
        });
    }

    /** Runs {@code task} on the pinned thread and returns its result, rethrowing its exception. */
    <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            return callHere(task);
        }
        Future<T> f = executor.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new IllegalStateException("interrupted while waiting for the BPF thread", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static <T> T callHere(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
