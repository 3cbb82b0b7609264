package io.sbulb.api.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one door through which sbulb reads the host: /proc, /sys, sysctls, CPU lists, the kernel
 * release. Every path is taken below a root directory ({@link #SYSTEM}: "/"), so that a test
 * can point a reader at a fake root and see what it does when a file is missing. A fact that
 * has a fallback says where it came from ({@link Fact#source()}); one that has none throws
 * {@link MissingFact}, which names the path.
 */
public final class HostFacts {

    /** The running machine. */
    public static final HostFacts SYSTEM = new HostFacts(Path.of("/"));

    private final Path root;

    public HostFacts(Path root) {
        this.root = root;
    }

    /** A value and where it was read from, e.g. "/sys/devices/system/cpu/present (no .../possible)". */
    public record Fact<T>(T value, String source) {
    }

    /** A fact the host does not expose; the message names the path. */
    public static final class MissingFact extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MissingFact(String message) {
            super(message);
        }
    }

    public Path root() {
        return root;
    }

    /** Where {@code absolute} (e.g. "/proc/stat") is under this root. */
    public Path path(String absolute) {
        return root.resolve(absolute.replaceFirst("^/+", ""));
    }

    /** The file's text, stripped; empty when it is missing or unreadable. */
    public Optional<String> read(String absolute) {
        try {
            return Optional.of(Files.readString(path(absolute)).strip());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The file's text, stripped. @throws MissingFact naming the path and {@code what} it holds */
    public String require(String absolute, String what) {
        return read(absolute).orElseThrow(() -> new MissingFact("cannot read " + what + ": " + absolute
                + " is missing or unreadable"));
    }

    /** The file's lines; empty when it is missing or unreadable. */
    public List<String> lines(String absolute) {
        return read(absolute).map(s -> List.of(s.split("\n"))).orElse(List.of());
    }

    /** True when the path exists (a file, a directory or a link). */
    public boolean exists(String absolute) {
        return Files.exists(path(absolute));
    }

    /** The names in a directory, sorted; empty when it is missing. */
    public List<String> list(String absolute) {
        try (Stream<Path> s = Files.list(path(absolute))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** The target of a symbolic link, e.g. /proc/thread-self/ns/net's "net:[4026531840]". */
    public String readLink(String absolute) {
        try {
            return Files.readSymbolicLink(path(absolute)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new MissingFact("cannot read the link " + absolute + ": " + e);
        }
    }

    /** The value of field {@code key} ("CapEff", "VmRSS") of {@code /proc/PID/status} ("self" or a PID). */
    public Optional<String> status(String pid, String key) {
        return lines("/proc/" + pid + "/status").stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).strip()).findFirst();
    }

    /**
     * The number of possible CPUs (what per-CPU kernel structures are sized by): from
     * /sys/devices/system/cpu/possible, else present, else online, else the JVM's count;
     * {@link Fact#source()} says which.
     */
    public Fact<Integer> possibleCpus() {
        return cpuCount("possible", "present", "online");
    }

    /** The number of online CPUs (not only those this process may run on): .../online, else the JVM's count. */
    public Fact<Integer> onlineCpus() {
        return cpuCount("online");
    }

    private Fact<Integer> cpuCount(String... lists) {
        StringBuilder missing = new StringBuilder();
        for (String l : lists) {
            String p = "/sys/devices/system/cpu/" + l;
            Optional<String> v = read(p);
            if (v.isPresent()) {
                try {
                    return new Fact<>(countCpuList(v.get()), p + missing + (missing.length() > 0 ? ")" : ""));
                } catch (IllegalArgumentException e) {
                    missing.append(missing.length() == 0 ? " (" : "; ").append(p).append(" unreadable: ").append(v.get());
                    continue;
                }
            }
            missing.append(missing.length() == 0 ? " (no " : "; no ").append(p);
        }
        return new Fact<>(Runtime.getRuntime().availableProcessors(),
                "the JVM's available processors" + missing + (missing.length() > 0 ? ")" : ""));
    }

    /** The kernel release, e.g. "6.18.1-cloud-amd64": /proc/sys/kernel/osrelease, else the JVM's os.version. */
    public Fact<String> kernelRelease() {
        Optional<String> r = read("/proc/sys/kernel/osrelease");
        return r.map(v -> new Fact<>(v, "/proc/sys/kernel/osrelease")).orElseGet(() -> new Fact<>(
                System.getProperty("os.version", ""), "the JVM's os.version (no /proc/sys/kernel/osrelease)"));
    }

    /** Counts the CPUs in a sysfs CPU list such as {@code 0-3,6,8-9}. */
    public static int countCpuList(String list) {
        int count = 0;
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(part);
                count++;
            } else {
                int from = Integer.parseInt(part.substring(0, dash));
                int to = Integer.parseInt(part.substring(dash + 1));
                if (to < from) {
                    throw new IllegalArgumentException("bad CPU range '" + part + "' in '" + list + "'");
                }
                count += to - from + 1;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("empty CPU list '" + list + "'");
        }
        return count;
    }
}
