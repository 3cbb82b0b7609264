package io.sbulb.pcap;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Compares the frames a replay transmits, one by one as they come, with the records of an
 * expected pcap, and keeps the first difference (field by field, {@link FrameDiff}).
 */
final class ExpectedFrames implements AutoCloseable {

    private final PcapReader expected;
    private long compared;
    private String firstDifference;

    ExpectedFrames(Path file) {
        this.expected = PcapReader.open(file, "expected pcap");
    }

    /** Checks the next transmitted frame, which came from input record {@code inputRecord}. */
    void check(long inputRecord, byte[] transmitted) {
        compared++;
        if (firstDifference != null) {
            return;
        }
        String which = "transmitted frame " + compared + " (from input record " + inputRecord + ", log index "
                + (inputRecord - 1) + ")";
        Optional<CapturedFrame> want = expected.next();
        if (want.isEmpty()) {
            firstDifference = which + " is not expected: " + expected.file() + " holds only " + (compared - 1)
                    + " frames";
            return;
        }
        FrameDiff.firstDifference(want.get().bytes(), transmitted)
                .ifPresent(d -> firstDifference = which + " differs from expected record " + compared + " in " + d);
    }

    /** After the last transmitted frame: the first difference, including expected frames never transmitted. */
    Optional<String> result() {
        if (firstDifference == null) {
            long more = 0;
            while (expected.next().isPresent()) { // reads them all: a damaged tail is reported too
                more++;
            }
            if (more > 0) {
                firstDifference = "expected record " + (compared + 1) + " was not transmitted: " + compared
                        + " frames were transmitted, " + expected.file() + " holds " + (compared + more);
            }
        }
        return Optional.ofNullable(firstDifference);
    }

    @Override
    public void close() {
        expected.close();
    }
}
