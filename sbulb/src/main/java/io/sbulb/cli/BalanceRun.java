package io.sbulb.cli;

import io.sbulb.balancer.Balancer;
import io.sbulb.control.daemon.SdNotify;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs a started {@link Balancer} in the foreground until SIGINT or SIGTERM, then detaches.
 * The signals are handled, not left to the JVM's default (which exits with 128+signal), so a
 * stop asked for ends with status 0; a JVM shutdown for any other reason (SIGHUP, an exit
 * elsewhere) still detaches through a shutdown hook.
 */
final class BalanceRun {

    private static final long SHUTDOWN_WAIT_SECONDS = 10;

    private BalanceRun() {
    }

    /**
     * Runs until stopped; returns the exit status. Fatal errors propagate, after the detach.
     * The signal handlers and the shutdown hook are in place before anything is loaded, so a
     * SIGTERM that arrives while sbulb starts (systemctl stop right after start) still ends in a
     * clean stop: the balancer, once started, stops at once.
     */
    static int run(Balancer.Settings settings, PrintWriter out) throws InterruptedException {
        AtomicReference<String> stopRequest = new AtomicReference<>();
        AtomicReference<Balancer> running = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop(stopRequest, running, "the JVM is shutting down");
            try {
                if (!done.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS) && running.get() != null) {
                    running.get().close(); // the loop is stuck: detach from here
                }
            } catch (InterruptedException e) {
                if (running.get() != null) {
                    running.get().close();
                }
            }
        }, "sbulb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (String name : List.of("INT", "TERM")) {
                // a signal the parent left ignored stays ignored (a shell's background job ignores
                // SIGINT): the JVM then installs no handler; say so rather than seem deaf to it
                if (Signal.handle(new Signal(name), s -> requestStop(stopRequest, running, "SIG" + name))
                        == SignalHandler.SIG_IGN) {
                    out.println("sbulb: warning: SIG" + name + " is ignored (inherited from the parent process, "
                            + "as a shell does for a background job), so it will not stop sbulb; "
                            + (name.equals("INT") ? "SIGTERM" : "SIGINT") + " does");
                    out.flush();
                }
            }
            Balancer balancer = Balancer.start(settings, out, SdNotify.fromEnvironment());
            running.set(balancer);
            try {
                if (stopRequest.get() != null) {
                    balancer.requestStop(stopRequest.get()); // it came while starting
                }
                balancer.run();
                return ExitCodes.OK;
            } catch (RuntimeException | Error | InterruptedException e) {
                try {
                    balancer.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            } finally {
                balancer.close(); // idempotent: a no-op after the close above
            }
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook sees done and returns
            }
        }
    }

    private static void requestStop(AtomicReference<String> request, AtomicReference<Balancer> running, String why) {
        request.compareAndSet(null, why);
        Balancer b = running.get();
        if (b != null) {
            b.requestStop(why);
        }
    }
}
