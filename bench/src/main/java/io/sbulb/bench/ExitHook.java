package io.sbulb.bench;

/**
 * Stops a process the benchmark started if the JVM exits first (Ctrl-C, SIGTERM): a shutdown
 * hook, removed again when the process is stopped the ordinary way ({@link #close()}).
 */
final class ExitHook implements AutoCloseable {

    private final Thread hook;

    private ExitHook(Thread hook) {
        this.hook = hook;
    }

    static ExitHook register(String name, Runnable stop) {
        Thread t = new Thread(stop, name);
        Runtime.getRuntime().addShutdownHook(t);
        return new ExitHook(t);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
