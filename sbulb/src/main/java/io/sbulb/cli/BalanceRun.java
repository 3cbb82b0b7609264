package io.sbulb.cli;

import io.sbulb.balancer.Balancer;
import io.sbulb.balancer.SdNotify;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

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

    /** Runs until stopped; returns the exit status. Fatal errors propagate, after the detach. */
    static int run(Balancer.Settings settings, PrintWriter out) throws InterruptedException {
        SdNotify notify = SdNotify.fromEnvironment();
        Balancer balancer = Balancer.start(settings, out, notify);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            balancer.requestStop("the JVM is shutting down");
            try {
                if (!done.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    balancer.close(); // the loop is stuck: detach from here
                }
            } catch (InterruptedException e) {
                balancer.close();
            }
        }, "sbulb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Signal.handle(new Signal("INT"), s -> balancer.requestStop("SIGINT"));
        Signal.handle(new Signal("TERM"), s -> balancer.requestStop("SIGTERM"));
        try {
            balancer.run();
            return ExitCodes.OK;
        } finally {
            balancer.close();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook sees done and returns
            }
        }
    }
}
