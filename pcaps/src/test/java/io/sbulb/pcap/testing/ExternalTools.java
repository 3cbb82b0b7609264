package io.sbulb.pcap.testing;

import io.sbulb.api.testing.Privileges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The independent tools pcaps are checked with: tcpdump and Scapy (Debian's tcpdump and
 * python3-scapy, installed by ci/install-deps.sh). Missing tools skip a test with the reason,
 * or fail it under CI.
 */
public final class ExternalTools {

    public static final String PYTHON = "/usr/bin/python3";
    private static final String TCPDUMP = "/usr/bin/tcpdump";
    private static final long TIMEOUT_SECONDS = 60;

    private ExternalTools() {
    }

    /** What a program printed and how it ended. */
    public record Run(int exitCode, String stdout, String stderr) {
        public List<String> lines() {
            return stdout.isEmpty() ? List.of() : Arrays.asList(stdout.split("\n"));
        }
    }

    /** {@code tcpdump -nn -r FILE}: one line per record when the file is good. */
    public static Run tcpdump(Path pcap) {
        requireExecutable(TCPDUMP, "tcpdump");
        return run(List.of(TCPDUMP, "-nn", "-r", pcap.toString()));
    }

    /**
     * The records of {@code pcap} as tcpdump reads them: its hex dump ({@code -xx}) turned back
     * into bytes, as hex strings, one per record.
     */
    public static List<String> tcpdumpFrames(Path pcap) {
        requireExecutable(TCPDUMP, "tcpdump");
        Run run = run(List.of(TCPDUMP, "-nn", "-xx", "-r", pcap.toString()));
        if (run.exitCode() != 0) {
            throw new AssertionError("tcpdump -xx -r " + pcap + " failed: " + run.stderr());
        }
        List<String> frames = new ArrayList<>();
        StringBuilder current = null;
        for (String line : run.lines()) {
            if (line.startsWith("\t0x")) { // "\t0x0010:  0023 0001 ..." : 16 bytes of the current record
                current.append(line.substring(line.indexOf(':') + 1).replaceAll("\\s", ""));
            } else { // the summary line that opens a record
                if (current != null) {
                    frames.add(current.toString());
                }
                current = new StringBuilder();
            }
        }
        if (current != null) {
            frames.add(current.toString());
        }
        return frames;
    }

    /** Runs a Python 3 script (Debian's interpreter, which has Scapy) with arguments. */
    public static Run python(String script, String... args) {
        requireExecutable(PYTHON, "python3-scapy");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Runs a command to its end (at most a minute). */
    public static Run run(List<String> command) {
        try {
            Path out = Files.createTempFile("sbulb-tool", ".out");
            Path err = Files.createTempFile("sbulb-tool", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS + " s");
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip(),
                        Files.readString(err, StandardCharsets.UTF_8).strip());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    private static void requireExecutable(String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            Privileges.skipOrFail(path + " is missing (ci/install-deps.sh installs " + debianPackage + ")");
        }
    }
}
