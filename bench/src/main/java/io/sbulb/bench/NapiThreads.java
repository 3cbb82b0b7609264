package io.sbulb.bench;

import io.sbulb.lab.Commands;
import io.sbulb.lab.LabException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Threaded NAPI for a veth: its receive processing (XDP included) runs in a kernel thread of
 * its own ({@code napi/DEV-ID}) instead of the softirq of whichever CPU sent to it, so that it
 * can be pinned to a CPU and its CPU time read. This is how the benchmark gives the load
 * balancer a core of its own on a machine with two.
 */
final class NapiThreads {

    private NapiThreads() {
    }

    /**
     * Turns threaded NAPI on for {@code dev} of namespace {@code ns} (off and on again, so that
     * the threads are new), pins its threads to {@code cpu}, and returns their PIDs. The device
     * must have NAPI on (an XDP program attached, for veth). With {@code realtime}, the threads
     * run SCHED_FIFO: they take the CPU from anything else as soon as frames arrive.
     */
    static List<Long> pin(String ns, String dev, int cpu, boolean realtime) {
        setThreaded(ns, dev, false);
        Set<Long> before = napiThreads(dev);
        setThreaded(ns, dev, true);
        List<Long> created = new ArrayList<>();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (created.isEmpty() && System.nanoTime() < deadline) {
            for (long pid : napiThreads(dev)) {
                if (!before.contains(pid)) {
                    created.add(pid);
                }
            }
            if (created.isEmpty()) {
                Pause.ms(10);
            }
        }
        if (created.isEmpty()) {
            throw new LabException("threaded NAPI on " + dev + " in " + ns + " started no napi/" + dev
                    + "-* kernel thread");
        }
        for (long pid : created) {
            Commands.run("taskset", "-pc", Integer.toString(cpu), Long.toString(pid));
            if (realtime) {
                Commands.run("chrt", "-f", "-p", "50", Long.toString(pid));
            }
        }
        return created;
    }

    private static void setThreaded(String ns, String dev, boolean on) {
        Commands.run("ip", "netns", "exec", ns, "sh", "-c",
                "echo " + (on ? 1 : 0) + " > " + Machine.HOST.path("/sys/class/net/" + dev + "/threaded"));
    }

    /** PIDs of the kernel threads named {@code napi/DEV-*}. */
    private static Set<Long> napiThreads(String dev) {
        return new HashSet<>(Machine.HOST.tasksNamed("napi/" + dev + "-"));
    }
}
