package io.sbulb.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code sbulb} command, run as a process of its own inside a lab namespace (with
 * {@code ip netns exec}, which execs it: the process is sbulb's JVM), its standard output and
 * error written to files, and $NOTIFY_SOCKET pointing where the caller listens.
 */
public final class SbulbProcess implements AutoCloseable {

    /** sbulb's logging setup, a resource of its module (sbulb/src/main/resources). */
    private static final String LOGGING = "logback.xml";

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private SbulbProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code sbulb ARGS} in namespace {@code netns} with this JVM's classpath (which holds
     * sbulb: its module's jar or classes, with the lab's).
     *
     * @param notifySocket the $NOTIFY_SOCKET to give it, or null for none
     * @param logDir       where {@code sbulb.out} and {@code sbulb.err} go
     */
    public static SbulbProcess start(String netns, List<String> args, String notifySocket, Path logDir) {
        // the stop signals reset: a parent that ignores SIGINT (a background job of a script)
        // would otherwise pass that on, and a SIGINT sent to stop sbulb would be ignored
        return start(netns, args, notifySocket, logDir, "--default-signal=INT,TERM");
    }

    /** As {@link #start(String, List, String, Path)}, with the signal dispositions given as env(1)'s option. */
    public static SbulbProcess start(String netns, List<String> args, String notifySocket, Path logDir,
                                     String envSignalOption) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "env", envSignalOption));
        cmd.addAll(command(System.getProperty("java.class.path")));
        cmd.addAll(args);
        Path out = logDir.resolve("sbulb.out");
        Path err = logDir.resolve("sbulb.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("NOTIFY_SOCKET");
        if (notifySocket != null) {
            pb.environment().put("NOTIFY_SOCKET", notifySocket);
        }
        try {
            return new SbulbProcess(pb.start(), out, err);
        } catch (IOException e) {
            throw new LabException("cannot start sbulb: " + e.getMessage(), e);
        }
    }

    /**
     * The command that runs sbulb from {@code classpath} with this JVM's java: {@code java ...
     * io.sbulb.cli.Sbulb}, its arguments to be appended. sbulb's own logging setup (its
     * logback.xml, as in the shipped jar), never a test's logback-test.xml that a test classpath
     * may hold (a module's test-classes).
     */
    public static List<String> command(String classpath) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dlogback.configurationFile=" + LOGGING,
                "-cp", classpath, "io.sbulb.cli.Sbulb");
    }

    /**
     * Runs {@code sbulb check FILE} (no namespace, no root needed) with this JVM's classpath: its
     * exit status (0 valid, 2 refused) and what it printed.
     */
    public static Commands.Output check(Path file) {
        List<String> cmd = new ArrayList<>(command(System.getProperty("java.class.path")));
        cmd.addAll(List.of("check", file.toString()));
        return Commands.run(cmd, true);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM and waits at most {@code timeout} for the exit; its status, or empty if still running. */
    public OptionalInt terminate(Duration timeout) {
        process.destroy(); // SIGTERM
        return await(timeout);
    }

    /**
     * Sends SIGKILL (sbulb gets no chance to do anything: a crash, the OOM killer, systemd's
     * last resort) and waits at most {@code timeout} for the exit; its status (128 + 9), or empty.
     */
    public OptionalInt kill(Duration timeout) {
        process.destroyForcibly(); // SIGKILL
        return await(timeout);
    }

    /** Waits at most {@code timeout} for the exit. */
    public OptionalInt await(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return OptionalInt.of(process.exitValue());
            }
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** What it printed on standard output so far. */
    public String out() {
        return read(stdout);
    }

    /** What it printed on standard error so far. */
    public String err() {
        return read(stderr);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e.getMessage() + ")";
        }
    }

    /** Kills it if still running (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        if (process.isAlive() && terminate(Duration.ofSeconds(10)).isEmpty()) {
            process.destroyForcibly();
            await(Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return "sbulb (pid " + process.pid() + ")\n--- stdout\n" + out() + "--- stderr\n" + err();
    }
}
