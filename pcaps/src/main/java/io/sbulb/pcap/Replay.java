package io.sbulb.pcap;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Frame;
import io.sbulb.api.FrameRunException;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every frame of a capture through a configured {@link Dataplane}, in order, and writes what
 * came out: the transmitted (XDP_TX) frames as a pcap, a JSON Lines log with one entry per input
 * frame ({@link ReplayLog}), and optionally compares the transmitted frames with an expected pcap.
 *
 * <p>Outputs appear whole or not at all ({@link OutputFile}): they are written to temporary files
 * next to their targets and moved into place only when the whole capture has been replayed; a
 * damaged capture or a failing dataplane leaves any earlier file of the same name as it was.
 */
public final class Replay {

    /** Frames run per call to the dataplane: large enough to amortise a call, small enough to stream. */
    static final int BATCH = 256;

    private final Dataplane dataplane;
    private Path out;
    private Path log;
    private Writer logStream;
    private Path expect;

    private Replay(Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    /** A replay through {@code dataplane}, which must already be configured. */
    public static Replay through(Dataplane dataplane) {
        return new Replay(dataplane);
    }

    /** Writes the transmitted frames to {@code file} (a pcap, with the input records' timestamps). */
    public Replay transmittedTo(Path file) {
        this.out = file;
        return this;
    }

    /** Writes the per-frame log to {@code file}. */
    public Replay logTo(Path file) {
        this.log = file;
        this.logStream = null;
        return this;
    }

    /** Writes the per-frame log to {@code stream} as frames are run (for standard output); flushed, not closed. */
    public Replay logTo(Writer stream) {
        this.logStream = stream;
        this.log = null;
        return this;
    }

    /** Compares the transmitted frames with the records of {@code file}. */
    public Replay expecting(Path file) {
        this.expect = file;
        return this;
    }

    /**
     * Checks, without creating anything, that the outputs can be written and that the capture,
     * the outputs and the expected pcap are different files; the command line calls it before
     * loading a dataplane. {@code out}, {@code log} and {@code expect} may be null (not asked for).
     *
     * @throws OutputException naming the path and the reason
     */
    public static void checkPaths(Path capture, Path out, Path log, Path expect) {
        Map<Path, String> seen = new HashMap<>();
        distinct(seen, "capture", capture);
        if (expect != null) {
            distinct(seen, "expected pcap", expect);
        }
        if (out != null) {
            distinct(seen, "output pcap", OutputFile.check("output pcap", out));
        }
        if (log != null) {
            distinct(seen, "log", OutputFile.check("log", log));
        }
    }

    private static void distinct(Map<Path, String> seen, String role, Path path) {
        Path key;
        try {
            key = Files.exists(path) ? path.toRealPath() : path.toAbsolutePath().normalize();
        } catch (IOException e) {
            key = path.toAbsolutePath().normalize();
        }
        if (Files.exists(key) && !Files.isRegularFile(key)) {
            return; // a device such as /dev/stdout may well serve twice
        }
        String before = seen.putIfAbsent(key, role);
        if (before != null) {
            throw new OutputException(role + " " + path + " is the same file as the " + before
                    + ": give each its own file");
        }
    }

    /** Replays {@code capture}. */
    public ReplayReport run(Path capture) {
        checkPaths(capture, out, log, expect);
        OutputFile outFile = null;
        OutputFile logFile = null;
        try (PcapReader in = PcapReader.open(capture);
             ExpectedFrames expected = expect == null ? null : new ExpectedFrames(expect)) {
            outFile = out == null ? null : OutputFile.open("output pcap", out);
            logFile = log == null ? null : OutputFile.open("log", log);
            ReplayReport report;
            try (PcapWriter outWriter = outFile == null ? null
                         : PcapWriter.create(outFile.writePath(), outFile.target().toString(), in.precision());
                 ReplayLog logWriter = logFile != null ? openLog(logFile)
                         : logStream != null ? new ReplayLog(logStream, "(standard output)", false) : null) {
                report = replay(in, outWriter, logWriter, expected);
            }
            commit(outFile);
            commit(logFile);
            return report;
        } finally {
            if (outFile != null) {
                outFile.discard();
            }
            if (logFile != null) {
                logFile.discard();
            }
        }
    }

    private static ReplayLog openLog(OutputFile file) {
        try {
            return new ReplayLog(Files.newBufferedWriter(file.writePath(), StandardCharsets.UTF_8),
                    file.target().toString(), true);
        } catch (IOException e) {
            throw new ReplayException("cannot write the log " + file.target() + ": " + e.getMessage(), e);
        }
    }

    private static void commit(OutputFile file) {
        if (file == null) {
            return;
        }
        try {
            file.commit();
        } catch (IOException e) {
            throw new ReplayException("cannot put the " + file.role() + " in place at " + file.target() + ": "
                    + e.getMessage(), e);
        }
    }

    private ReplayReport replay(PcapReader in, PcapWriter outWriter, ReplayLog logWriter, ExpectedFrames expected) {
        Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
        Map<Reason, Long> reasons = new EnumMap<>(Reason.class);
        long frames = 0;
        long cut = 0;
        List<CapturedFrame> batch = new ArrayList<>(BATCH);
        PcapException damaged = null;
        for (boolean more = true; more; ) {
            batch.clear();
            try {
                while (batch.size() < BATCH && (more = in.next().map(batch::add).isPresent())) {
                    // the condition reads the next record into the batch
                }
            } catch (PcapException e) {
                damaged = e; // the frames before it are still run and logged (--log - shows them), then it is thrown
                more = false;
            }
            List<Result> results = run(in.file(), batch);
            for (int i = 0; i < batch.size(); i++) {
                CapturedFrame f = batch.get(i);
                Result r = results.get(i);
                frames++;
                if (f.cut()) {
                    cut++;
                }
                verdicts.merge(r.verdict(), 1L, Long::sum);
                reasons.merge(r.reason(), 1L, Long::sum);
                if (logWriter != null) {
                    logWriter.write(new ReplayLog.Entry(f.record() - 1, r.verdict(), r.reason(), f.bytes().length));
                }
                if (r.verdict() == Verdict.TX) {
                    byte[] transmitted = r.output().bytes();
                    if (outWriter != null) {
                        outWriter.write(f.timestamp(), transmitted);
                    }
                    if (expected != null) {
                        expected.check(f.record(), transmitted);
                    }
                }
            }
        }
        if (damaged != null) {
            throw damaged;
        }
        Optional<String> mismatch = expected == null ? Optional.empty() : expected.result();
        return new ReplayReport(dataplane.name(), frames, verdicts, reasons, cut, mismatch);
    }

    /** Runs a batch of frames in one call (one hand-over to the XDP dataplane's BPF thread). */
    private List<Result> run(Path capture, List<CapturedFrame> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        List<Frame> frames = new ArrayList<>(batch.size());
        for (CapturedFrame f : batch) {
            frames.add(Frame.of(f.bytes()));
        }
        try {
            return dataplane.processAll(frames);
        } catch (FrameRunException e) {
            CapturedFrame f = batch.get(e.index());
            throw new ReplayException(capture + ": record " + f.record() + " (log index " + (f.record() - 1)
                    + ", " + f.bytes().length + " bytes): the " + dataplane.name() + " dataplane cannot run it: "
                    + e.getCause().getMessage(), e, e.getCause() instanceof IllegalArgumentException);
        }
    }

}
