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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every frame of a capture through a configured {@link Dataplane}, in order, and writes what
 * came out: the transmitted (XDP_TX) frames as a pcap, a JSON Lines log with one entry per input
 * frame ({@link ReplayLog}), and optionally compares the transmitted frames with an expected pcap.
 *
 * <p>Outputs appear whole or not at all: they are written to temporary files next to their
 * targets and moved into place only when the whole capture has been replayed; a damaged capture
 * or a failing dataplane leaves any earlier file of the same name as it was.
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

    /** Replays {@code capture}. */
    public ReplayReport run(Path capture) {
        List<Path> temporaries = new ArrayList<>();
        try (PcapReader in = PcapReader.open(capture);
             ExpectedFrames expected = expect == null ? null : new ExpectedFrames(expect)) {
            Path outTmp = out == null ? null : temporary(out, temporaries);
            Path logTmp = log == null ? null : temporary(log, temporaries);
            ReplayReport report;
            try (PcapWriter outWriter = outTmp == null ? null : PcapWriter.create(outTmp, in.precision());
                 ReplayLog logWriter = logTmp != null ? new ReplayLog(Files.newBufferedWriter(logTmp, StandardCharsets.UTF_8), true)
                         : logStream != null ? new ReplayLog(logStream, false) : null) {
                report = replay(in, outWriter, logWriter, expected);
            }
            if (outTmp != null) {
                Files.move(outTmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            if (logTmp != null) {
                Files.move(logTmp, log, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            temporaries.clear();
            return report;
        } catch (IOException e) {
            throw new ReplayException("cannot write the replay's output: " + e.getMessage(), e);
        } finally {
            for (Path t : temporaries) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // best effort: the replay's own error is what the user needs to see
                }
            }
        }
    }

    private ReplayReport replay(PcapReader in, PcapWriter outWriter, ReplayLog logWriter, ExpectedFrames expected)
            throws IOException {
        Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
        Map<Reason, Long> reasons = new EnumMap<>(Reason.class);
        long frames = 0;
        long cut = 0;
        List<CapturedFrame> batch = new ArrayList<>(BATCH);
        for (boolean more = true; more; ) {
            batch.clear();
            while (batch.size() < BATCH && (more = in.next().map(batch::add).isPresent())) {
                // the condition reads the next record into the batch
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
                    + e.getCause().getMessage(), e);
        }
    }

    private static Path temporary(Path target, List<Path> temporaries) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException("directory " + dir + " of " + target + " does not exist");
        }
        Path t = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        temporaries.add(t);
        return t;
    }
}
