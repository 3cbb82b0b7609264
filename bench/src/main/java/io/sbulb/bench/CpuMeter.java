package io.sbulb.bench;

import io.sbulb.api.host.HostFacts;
import java.util.List;

/**
 * CPU time, read two ways (and the hypervisor's steal time): a CPU's busy time (wall time minus
 * its idle time: cpuidle's, microsecond resolution, else /proc/stat's, 10 ms; unavailable when
 * neither is there), and the run time of given tasks ({@code /proc/PID/schedstat}, nanoseconds).
 * All read through {@link Machine}.
 */
final class CpuMeter {

    private CpuMeter() {
    }

    /**
     * A reading: monotonic wall time, the CPU's idle time (-1: unavailable), the tasks' run time,
     * the CPU's steal time, all in ns.
     */
    record Reading(long wallNs, long idleNs, long tasksNs, long stealNs) {
        /** The CPU's busy time from {@code earlier} to this reading; -1 when its idle time is unavailable. */
        long busySince(Reading earlier) {
            if (idleNs < 0 || earlier.idleNs < 0) {
                return -1;
            }
            return Math.max(0, (wallNs - earlier.wallNs) - (idleNs - earlier.idleNs));
        }

        long tasksSince(Reading earlier) {
            return tasksNs - earlier.tasksNs;
        }

        long wallSince(Reading earlier) {
            return wallNs - earlier.wallNs;
        }

        /** Time the hypervisor ran something else instead of this (virtual) CPU: /proc/stat's steal. */
        long stealSince(Reading earlier) {
            return stealNs - earlier.stealNs;
        }
    }

    static Reading read(int cpu, List<Long> pids) {
        return read(Machine.HOST, cpu, pids);
    }

    static Reading read(Machine m, int cpu, List<Long> pids) {
        long idle;
        try {
            idle = m.idleNs(cpu).value();
        } catch (HostFacts.MissingFact e) {
            idle = -1;
        }
        long wall = System.nanoTime();
        long tasks = 0;
        for (long pid : pids) {
            tasks += m.runNs(pid);
        }
        return new Reading(wall, idle, tasks, m.stealNs(cpu));
    }

    /**
     * How the busy time of CPU {@code cpu} is measured, for the report: "cpuidle ...", "n/a (no
     * cpuidle: busy time from /proc/stat, 10 ms resolution)", or "unavailable: ..." with the paths.
     */
    static String source(Machine m, int cpu) {
        try {
            String s = m.idleNs(cpu).source();
            return s.startsWith("/proc/stat") ? "n/a (no cpuidle: busy time from /proc/stat, 10 ms resolution)"
                    : "wall time less idle time from " + s;
        } catch (HostFacts.MissingFact e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /** True when the busy time of CPU {@code cpu} is measured to the microsecond (cpuidle). */
    static boolean precise(Machine m, int cpu) {
        return source(m, cpu).startsWith("wall");
    }
}
