package io.sbulb.bench;

import io.sbulb.api.host.HostFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bench's one door to the host, through {@link HostFacts} (so under a root a test can fake):
 * what the report says of the machine, CPU idle and steal time, tasks' CPU time and memory, the
 * kernel threads the rig pins, the files of the tools it runs.
 */
final class Machine {

    /** The running machine. */
    static final Machine HOST = new Machine(HostFacts.SYSTEM);

    /** USER_HZ of /proc/stat: ticks of 10 ms. */
    static final long TICK_NS = 10_000_000L;

    private final HostFacts host;

    Machine(HostFacts host) {
        this.host = host;
    }

    String cpuModel() {
        String model = host.lines("/proc/cpuinfo").stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.replaceAll("^[^:]*:\\s*", "")).orElse("unknown CPU (no model name in /proc/cpuinfo)");
        return onlineCpus() + " x " + model;
    }

    /** CPUs online (not only those this process may run on, which taskset narrows); else the JVM's count. */
    int onlineCpus() {
        return host.onlineCpus().value();
    }

    String kernel() {
        return "Linux " + host.kernelRelease().value();
    }

    /**
     * A CPU's idle time so far, ns, and where it came from: the sum of its cpuidle states
     * (microseconds), else its /proc/stat line's idle and iowait (10 ms ticks).
     *
     * @throws HostFacts.MissingFact naming both paths when neither is there
     */
    HostFacts.Fact<Long> idleNs(int cpu) {
        String dir = "/sys/devices/system/cpu/cpu" + cpu + "/cpuidle";
        List<String> states = host.list(dir).stream().filter(s -> s.startsWith("state")).toList();
        if (!states.isEmpty()) {
            long us = 0;
            for (String s : states) {
                us += Long.parseLong(host.require(dir + "/" + s + "/time", "the idle time of CPU " + cpu));
            }
            return new HostFacts.Fact<>(us * 1000, dir + " (1 us resolution)");
        }
        Optional<String[]> stat = statLine(cpu);
        if (stat.isPresent() && stat.get().length > 5) {
            long ticks = Long.parseLong(stat.get()[4]) + Long.parseLong(stat.get()[5]); // idle, iowait
            return new HostFacts.Fact<>(ticks * TICK_NS, "/proc/stat (no cpuidle: 10 ms resolution)");
        }
        throw new HostFacts.MissingFact("cannot read the idle time of CPU " + cpu + ": no " + dir
                + "/state*, and no cpu" + cpu + " line in /proc/stat");
    }

    /** /proc/stat's steal time of the CPU, ns (10 ms ticks); 0 when not reported. */
    long stealNs(int cpu) {
        return statLine(cpu).filter(f -> f.length > 8).map(f -> Long.parseLong(f[8]) * TICK_NS).orElse(0L);
    }

    private Optional<String[]> statLine(int cpu) {
        return host.lines("/proc/stat").stream().map(l -> l.split("\\s+")).filter(f -> f[0].equals("cpu" + cpu))
                .findFirst();
    }

    /** A task's time on a CPU so far (/proc/PID/schedstat), ns; 0 once it has ended. */
    long runNs(long pid) {
        return host.read("/proc/" + pid + "/schedstat").map(s -> Long.parseLong(s.split("\\s+")[0])).orElse(0L);
    }

    /** A task's resident memory (VmRSS), KiB; -1 when it is gone. */
    long rssKb(long pid) {
        return host.status(Long.toString(pid), "VmRSS").map(v -> Long.parseLong(v.replaceAll("\\D", ""))).orElse(-1L);
    }

    /** True when this process runs with real user id 0. */
    boolean root() {
        return host.status("self", "Uid").map(v -> v.split("\\s+")[0].equals("0")).orElse(false);
    }

    /** The CPUs this process may run on (Cpus_allowed_list, e.g. "0" or "0-1"); empty if unknown. */
    String cpusAllowed() {
        return host.status("self", "Cpus_allowed_list").orElse("");
    }

    /** PIDs of the tasks whose name (/proc/PID/comm) starts with {@code prefix}. */
    List<Long> tasksNamed(String prefix) {
        List<Long> pids = new ArrayList<>();
        for (String name : host.list("/proc")) {
            if (name.chars().allMatch(Character::isDigit)
                    && host.read("/proc/" + name + "/comm").filter(c -> c.startsWith(prefix)).isPresent()) {
                pids.add(Long.parseLong(name));
            }
        }
        return pids;
    }

    /** Where {@code absolute} is on this machine (a file a tool is given, e.g. nginx's stream module). */
    String path(String absolute) {
        return host.path(absolute).toString();
    }

    boolean exists(String absolute) {
        return host.exists(absolute);
    }
}
