package io.sbulb.sim.lru;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.sim.lru.KernelLruMap.UpdateFlag;
import io.sbulb.sim.lru.KernelLruMap.UpdateResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every recorded kernel trace ({@code kernel-lru/traces/*.txt}, with the kernel's output
 * in {@code *.txt.kernel}) through {@link KernelLruMap} and requires the same output, line for
 * line, as the kernel-LRU model's {@code run()} (model.py, docs/kernel-lru.md) and the real kernel. Every step
 * prints the keys that disappeared and appeared, so this proves that the model's key set after
 * every step equals the kernel's.
 */
class KernelTraceReplayTest {

    private static final String TRACE_DIR = "kernel-lru/traces";
    private static final int MIN_TRACES = 100;

    /**
     * The traces were recorded on a Linux 6.18 kernel with 2 possible CPUs, so the common-LRU
     * batch is T = clamp((N / 2) / 2, 1, 128) (README §2.1).
     */
    private static final LruParameters RECORDING_MACHINE = new LruParameters(2, BatchRule.SINCE_6_16);

    static Stream<String> traces() throws IOException, URISyntaxException {
        URL dir = KernelTraceReplayTest.class.getClassLoader().getResource(TRACE_DIR);
        assertThat(dir).as("test resource folder %s on the classpath", TRACE_DIR).isNotNull();
        URI uri = dir.toURI();
        List<String> names;
        if ("jar".equals(uri.getScheme())) {
            try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                names = list(fs.provider().getPath(uri));
            }
        } else {
            names = list(Path.of(uri));
        }
        assertThat(names.size())
                .as("number of *.txt traces in %s (%s)", TRACE_DIR, uri)
                .isGreaterThanOrEqualTo(MIN_TRACES);
        return names.stream();
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".txt"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void modelReproducesKernelTrace(String trace) {
        List<String> script = readLines(TRACE_DIR + "/" + trace);
        List<String> expected = readLines(TRACE_DIR + "/" + trace + ".kernel");
        Replay replay = new Replay();
        int produced = 0;
        for (String raw : script) {
            String command = raw.strip();
            if (command.isEmpty() || command.startsWith("#")) {
                continue;
            }
            String actual = replay.step(command);
            produced++;
            String wanted = produced <= expected.size() ? expected.get(produced - 1) : "<end of kernel trace>";
            if (!actual.equals(wanted)) {
                fail("%s: output line %d differs%n  command:  %s%n  kernel:   %s%n  model:    %s",
                        trace, produced, command, wanted, actual);
            }
        }
        assertThat(produced).as("%s: output lines (model vs kernel)", trace).isEqualTo(expected.size());
    }

    /** The interpreter of model.py's {@code run()}, over a {@link KernelLruMap}. */
    private static final class Replay {
        private KernelLruMap<Integer, Integer> map;
        private Set<Integer> keys = Set.of();

        String step(String line) {
            String[] f = line.split("\\s+");
            String cmd = f[0];
            switch (cmd) {
                case "create": {
                    int n = Integer.parseInt(f[1]);
                    int flags = Integer.parseInt(f[2]);
                    int cpu = map != null ? map.cpu() : 0;
                    map = new KernelLruMap<>(n, RECORDING_MACHINE, (flags & 2) != 0);
                    map.setCpu(cpu);
                    keys = Set.of();
                    return String.format("created max_entries=%d (requested %d) flags=%d", map.maxEntries(), n, flags);
                }
                case "echo":
                    return line;
                case "cpu":
                    map.setCpu(Integer.parseInt(f[1]));
                    return line;
                case "dump":
                    return "dump:" + new TreeSet<>(map.keys()).stream().map(k -> " " + k).collect(Collectors.joining());
                default:
                    break;
            }
            int k = Integer.parseInt(f[1]);
            String res = run(cmd, k);
            Set<Integer> after = map.keys();
            StringBuilder s = new StringBuilder(cmd).append(' ').append(k).append(' ').append(res);
            List<Integer> removed = difference(keys, after);
            List<Integer> added = difference(after, keys);
            removed.forEach(x -> s.append(" -").append(x));
            added.forEach(x -> s.append(" +").append(x));
            // everything that vanished, other than a deleted key, must be reported as evicted
            Set<Integer> explained = new HashSet<>(map.lastEvicted());
            if (cmd.equals("d") || cmd.equals("sd")) {
                explained.add(k);
            }
            assertThat(explained).as("lastEvicted() after '%s'", line).containsAll(removed);
            keys = after;
            return s.toString();
        }

        private String run(String cmd, int k) {
            switch (cmd) {
                case "p":
                    if (map.programLookup(k) != null) {
                        return "HIT";
                    }
                    return map.programUpdate(k, k, UpdateFlag.NOEXIST) == UpdateResult.OK ? "MISS" : "FAIL";
                case "t":
                    return map.programLookup(k) != null ? "HIT" : "MISS";
                case "u":
                    return map.programUpdate(k, k, UpdateFlag.ANY) == UpdateResult.OK ? "OK" : "FAIL";
                case "d":
                    return map.programDelete(k) ? "OK" : "ENOENT";
                case "sd":
                    return map.userDelete(k) ? "OK" : "ENOENT";
                case "sl":
                    return map.userLookup(k) != null ? "HIT" : "MISS";
                case "su":
                    UpdateResult r = map.userUpdate(k, k, UpdateFlag.ANY);
                    switch (r) {
                        case OK:
                            return "OK";
                        case ENOMEM:
                            return "ERR12";
                        case EEXIST:
                            return "ERR17";
                        case ENOENT:
                            return "ERR2";
                        default:
                            throw new IllegalStateException("unexpected " + r);
                    }
                case "sb":
                    return "n=" + map.size();
                default:
                    throw new IllegalArgumentException("bad command '" + cmd + "'");
            }
        }

        private static List<Integer> difference(Set<Integer> a, Set<Integer> b) {
            List<Integer> out = new ArrayList<>();
            for (Integer x : a) {
                if (!b.contains(x)) {
                    out.add(x);
                }
            }
            Collections.sort(out);
            return out;
        }
    }

    private static List<String> readLines(String resource) {
        InputStream in = KernelTraceReplayTest.class.getClassLoader().getResourceAsStream(resource);
        assertThat(in).as("resource %s", resource).isNotNull();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
