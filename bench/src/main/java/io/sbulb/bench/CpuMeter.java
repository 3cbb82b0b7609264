package io.sbulb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time, read two ways: a CPU's busy time (wall time minus the time its cpuidle states
 * report, microsecond resolution; /proc/stat counts in 1/100 s), and the run time of given
 * tasks ({@code /proc/PID/schedstat}, nanoseconds).
 */
final class CpuMeter {

    private CpuMeter() {
    }

    /** A reading: monotonic wall time, the CPU's idle time, the tasks' run time, all in ns. */
    record Reading(long wallNs, long idleNs, long tasksNs) {
        /** The CPU's busy time from {@code earlier} to this reading. */
        long busySince(Reading earlier) {
            return (wallNs - earlier.wallNs) - (idleNs - earlier.idleNs);
        }

        long tasksSince(Reading earlier) {
            return tasksNs - earlier.tasksNs;
        }

        long wallSince(Reading earlier) {
            return wallNs - earlier.wallNs;
        }
    }

    static Reading read(int cpu, List<Long> pids) {
        long idle = idleNs(cpu);
        long wall = System.nanoTime();
        long tasks = 0;
        for (long pid : pids) {
            tasks += runNs(pid);
        }
        return new Reading(wall, idle, tasks);
    }

    /** True when CPU {@code cpu} reports its idle time through cpuidle (what {@link #read} needs). */
    static boolean available(int cpu) {
        return Files.isDirectory(Path.of("/sys/devices/system/cpu/cpu" + cpu + "/cpuidle/state0"));
    }

    private static long idleNs(int cpu) {
        Path dir = Path.of("/sys/devices/system/cpu/cpu" + cpu + "/cpuidle");
        long us = 0;
        try (Stream<Path> states = Files.list(dir)) {
            for (Path s : (Iterable<Path>) states::iterator) {
                if (s.getFileName().toString().startsWith("state")) {
                    us += Long.parseLong(Files.readString(s.resolve("time")).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read the idle time of CPU " + cpu + " from " + dir, e);
        }
        return us * 1000;
    }

    /** A task's time on a CPU so far, ns; 0 once it has ended. */
    static long runNs(long pid) {
        try {
            String[] f = Files.readString(Path.of("/proc/" + pid + "/schedstat")).strip().split("\\s+");
            return Long.parseLong(f[0]);
        } catch (IOException e) {
            return 0;
        }
    }
}
