package io.sbulb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time, read two ways (and the hypervisor's steal time): a CPU's busy time (wall time minus the time its cpuidle states
 * report, microsecond resolution; /proc/stat counts in 1/100 s), and the run time of given
 * tasks ({@code /proc/PID/schedstat}, nanoseconds).
 */
final class CpuMeter {

    private CpuMeter() {
    }

    /** A reading: monotonic wall time, the CPU's idle time, the tasks' run time, all in ns. */
    record Reading(long wallNs, long idleNs, long tasksNs, long stealNs) {
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

        /** Time the hypervisor ran something else instead of this (virtual) CPU: /proc/stat's steal. */
        long stealSince(Reading earlier) {
            return stealNs - earlier.stealNs;
        }
    }

    static Reading read(int cpu, List<Long> pids) {
        long idle = idleNs(cpu);
        long wall = System.nanoTime();
        long tasks = 0;
        for (long pid : pids) {
            tasks += runNs(pid);
        }
        return new Reading(wall, idle, tasks, stealNs(cpu));
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

    /** /proc/stat's steal time of the CPU, ns (counted in 1/100 s). */
    static long stealNs(int cpu) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                String[] f = l.split("\\s+");
                if (f[0].equals("cpu" + cpu) && f.length > 8) {
                    return Long.parseLong(f[8]) * 10_000_000L; // USER_HZ is 100 on Linux
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
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
