package io.sbulb.xdp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of a test, named {@code sbat-<pid>-<tag>-<n>}, deleted by {@link #close()}
 * with everything in it (a veth pair whose ends are both inside goes with it). The tools, not
 * sbulb's code, observe it: {@code ip -n} and {@code ip netns exec NS bpftool}.
 */
public final class TestNetns implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final long COMMAND_TIMEOUT_S = 20;

    /** Namespaces not yet deleted: a JVM that exits before a test's cleanup deletes them at exit. */
    private static final java.util.Set<String> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(n -> exec(List.of("ip", "netns", "del", n))), "sbat-netns-cleanup"));
    }

    private final String name;
    private boolean closed;

    private TestNetns(String name) {
        this.name = name;
    }

    /** Creates a fresh namespace; its loopback is up. */
    public static TestNetns create(String tag) {
        String name = "sbat-" + ProcessHandle.current().pid() + "-" + tag + "-" + COUNT.incrementAndGet();
        run(List.of("ip", "netns", "add", name));
        LIVE.add(name);
        TestNetns ns = new TestNetns(name);
        try {
            ns.ip("link", "set", "dev", "lo", "up");
            return ns;
        } catch (RuntimeException | AssertionError e) {
            ns.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** Runs {@code task} on a thread inside the namespace. */
    public <T> T call(Callable<T> task) {
        return Netns.call(name, task);
    }

    /** Runs {@code task} on a thread inside the namespace. */
    public void run(Netns.ThrowingRunnable task) {
        Netns.run(name, task);
    }

    /** {@code ip -n NS args}; fails the test unless it succeeds. Returns its output. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** {@code ip -n NS args}, whatever its exit status. */
    public Result tryIp(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** {@code ip netns exec NS command...}; fails the test unless it succeeds. */
    public String exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return run(cmd);
    }

    /** A veth pair with both ends in this namespace, both up. */
    public void addVethPair(String a, String b) {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
        ip("link", "set", "dev", a, "up");
        ip("link", "set", "dev", b, "up");
    }

    /**
     * An interface whose driver has no native XDP, up: a dummy if the kernel has them, else an
     * ifb (some kernels are built without dummy). Returns the type made.
     */
    public String addInterfaceWithoutNativeXdp(String dev) {
        String type = tryIp("link", "add", dev, "type", "dummy").status() == 0 ? "dummy" : "ifb";
        if (type.equals("ifb")) {
            ip("link", "add", dev, "type", "ifb");
        }
        ip("link", "set", "dev", dev, "up");
        return type;
    }

    /** What bpftool sees: the entries of {@code bpftool -j net show dev DEV} under "xdp". */
    public List<JsonNode> bpftoolXdp(String dev) {
        JsonNode root = json(exec("bpftool", "-j", "net", "show", "dev", dev));
        List<JsonNode> out = new ArrayList<>();
        root.forEach(section -> section.path("xdp").forEach(out::add));
        return out;
    }

    /** What ip link sees: the "xdp" object of {@code ip -j link show dev DEV}, missing if none. */
    public JsonNode ipLinkXdp(String dev) {
        JsonNode root = json(ip("-j", "link", "show", "dev", dev));
        assertThat(root.size()).as("ip -j link show dev %s", dev).isEqualTo(1);
        return root.get(0).path("xdp");
    }

    /** Both tools see program {@code progId} on {@code dev} in this mode ("driver"/"generic", 1/2). */
    public void assertXdp(String dev, int progId, String bpftoolMode, int ipMode) {
        List<JsonNode> seen = bpftoolXdp(dev);
        assertThat(seen).as("bpftool net show dev %s", dev).hasSize(1);
        assertThat(seen.get(0).path("id").asInt()).as("bpftool: program id on %s", dev).isEqualTo(progId);
        assertThat(seen.get(0).path("mode").asText()).as("bpftool: mode on %s", dev).isEqualTo(bpftoolMode);
        JsonNode xdp = ipLinkXdp(dev);
        assertThat(xdp.path("prog").path("id").asInt()).as("ip link: program id on %s (%s)", dev, xdp).isEqualTo(progId);
        assertThat(xdp.path("mode").asInt()).as("ip link: mode on %s (%s)", dev, xdp).isEqualTo(ipMode);
    }

    /** Neither tool sees an XDP program on {@code dev}. */
    public void assertNoXdp(String dev) {
        assertThat(bpftoolXdp(dev)).as("bpftool net show dev %s", dev).isEmpty();
        assertThat(ipLinkXdp(dev).isMissingNode()).as("ip link show dev %s: %s", dev, ipLinkXdp(dev)).isTrue();
    }

    /** Deletes the namespace, and with it its interfaces. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Result r = exec(List.of("ip", "netns", "del", name));
            LIVE.remove(name);
            assertThat(r.status()).as("ip netns del %s: %s", name, r.output()).isZero();
        }
    }

    /** A command's exit status and its output (stdout and stderr). */
    public record Result(int status, String output) {
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    private static String run(List<String> cmd) {
        Result r = exec(cmd);
        assertThat(r.status()).as("%s: %s", String.join(" ", cmd), r.output()).isZero();
        return r.output();
    }

    /** Runs a command, bounded by {@value #COMMAND_TIMEOUT_S} s; its output goes through a file, never blocking it. */
    public static Result exec(List<String> cmd) {
        Path out = null;
        try {
            out = Files.createTempFile("sbat-cmd", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + COMMAND_TIMEOUT_S + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }
}
