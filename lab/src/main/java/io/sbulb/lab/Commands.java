package io.sbulb.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        String line = String.join(" ", command);
        Path out;
        try {
            out = Files.createTempFile("sbulb-lab-cmd", ".out");
        } catch (IOException e) {
            throw new LabException("cannot run " + line + ": no temporary file for its output: " + e.getMessage(), e);
        }
        try {
            // output to a file, not a pipe: reading a pipe would wait for the command however long it hangs
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException(line + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0 && !mayFail) {
                throw new LabException(line + " failed (exit " + p.exitValue() + "): " + text.strip());
            }
            return new Output(p.exitValue(), text);
        } catch (IOException e) {
            throw new LabException("cannot run " + line + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + line, e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // a temporary file left behind is harmless
            }
        }
    }

    /** Runs {@code command}, which must succeed; returns its output. */
    public static String run(String... command) {
        return run(List.of(command), false).out();
    }
}
