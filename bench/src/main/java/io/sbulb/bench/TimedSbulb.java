package io.sbulb.bench;

import io.sbulb.lab.Lab;
import io.sbulb.lab.LabException;
import io.sbulb.lab.SbulbProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An sbulb process of the state benchmark, its start timed by what it prints: the moment each
 * line first appears on its standard output (read every millisecond), from the moment it was
 * started. The lines of a start over pinned state, in order: the program loaded (JVM start, open,
 * load with the pinned maps), the data path taken over (after counting the associations kept),
 * the BPF link taken over (the new program runs the interface), running (READY=1 is sent just
 * before).
 */
final class TimedSbulb implements AutoCloseable {

    static final String LOADED = "sbulb: XDP program loaded";
    static final String ADOPTED = "sbulb: took over the data path pinned at ";
    static final String LINKED = "sbulb: took over the BPF link on ";
    static final String RUNNING = "sbulb: running;";
    private static final Pattern KEPT = Pattern.compile(Pattern.quote(ADOPTED) + "\\S+: (\\d+) associations kept");

    private final SbulbProcess process;
    private final long startNs;
    private final Map<String, Long> seen = new LinkedHashMap<>();
    private ExitHook stopOnExit;

    private TimedSbulb(SbulbProcess process, long startNs) {
        this.process = process;
        this.startNs = startNs;
        this.stopOnExit = ExitHook.register("stop-sbulb", process::close);
    }

    /**
     * Starts {@code sbulb veth0 ... ARGS} in the lab's balancer namespace and waits (at most
     * {@code timeoutSeconds}) until it runs, noting when each line came.
     */
    static TimedSbulb start(Lab lab, List<String> args, Path workDir, double timeoutSeconds) {
        Path logs;
        try {
            logs = Files.createTempDirectory(workDir, "sbulb");
        } catch (IOException e) {
            throw new LabException("no directory for sbulb's output in " + workDir + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        TimedSbulb s = new TimedSbulb(SbulbProcess.start(lab.lbNetns(), args, null, logs), t0);
        long deadline = t0 + (long) (timeoutSeconds * 1e9);
        while (!s.seen.containsKey(RUNNING)) {
            String out = s.process.out();
            long now = System.nanoTime();
            for (String marker : List.of(LOADED, ADOPTED, LINKED, RUNNING)) {
                if (!s.seen.containsKey(marker) && out.contains(marker)) {
                    s.seen.put(marker, now - t0);
                }
            }
            if (!s.process.isAlive() || now > deadline) {
                String what = s.process.toString();
                s.close();
                throw new LabException("sbulb did not run within " + timeoutSeconds + " s:\n" + what);
            }
            Pause.ms(1);
        }
        return s;
    }

    /** From the start to the first appearance of line {@code marker}, ns; -1 if it did not appear. */
    long at(String marker) {
        return seen.getOrDefault(marker, -1L);
    }

    /** When it was started, System.nanoTime(). */
    long startNs() {
        return startNs;
    }

    /** The associations it said it took over, or -1 if it started afresh. */
    long associationsKept() {
        Matcher m = KEPT.matcher(process.out());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    long pid() {
        return process.pid();
    }

    /**
     * SIGKILL, or SIGTERM when {@code kill} is false; the time from the signal to the exit, ns.
     * The status must be 137 or 0.
     */
    long stop(boolean kill) {
        long t0 = System.nanoTime();
        var status = kill ? process.kill(java.time.Duration.ofSeconds(20))
                : process.terminate(java.time.Duration.ofSeconds(20));
        long ns = System.nanoTime() - t0;
        int wanted = kill ? 128 + 9 : 0;
        if (status.isEmpty() || status.getAsInt() != wanted) {
            throw new LabException("sbulb did not exit with " + wanted + " (" + status + "):\n" + process);
        }
        closeHook();
        return ns;
    }

    @Override
    public String toString() {
        return process.toString();
    }

    private void closeHook() {
        if (stopOnExit != null) {
            stopOnExit.close();
            stopOnExit = null;
        }
    }

    /** SIGTERM if still running (with --on-exit keep the data path stays, for the lab's close to remove). */
    @Override
    public void close() {
        closeHook();
        process.close();
    }
}
