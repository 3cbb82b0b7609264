package io.sbulb.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the lab drives (ip, ethtool, bpftool), each bounded in time. */
public final class Commands {

    private static final long TIMEOUT_SECONDS = 20;

    private Commands() {
    }

    /** What a command printed. */
    public record Output(int exitCode, String out) {
    }

    /**
     * Runs {@code command}; standard error is merged into the output.
     *
     * @throws LabException when it cannot start, times out, or (unless {@code mayFail}) exits non-zero
     */
    public static Output run(List<String> command, boolean mayFail) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LabException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes(); // ends when the command exits
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0 && !mayFail) {
                throw new LabException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + text.strip());
            }
            return new Output(p.exitValue(), text);
        } catch (IOException e) {
            p.destroyForcibly();
            throw new LabException("reading the output of " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Runs {@code command}, which must succeed; returns its output. */
    public static String run(String... command) {
        return run(List.of(command), false).out();
    }
}
