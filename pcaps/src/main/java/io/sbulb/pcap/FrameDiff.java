package io.sbulb.pcap;

import java.util.Arrays;
import java.util.Optional;

/** Says where two frames differ, by header field ({@link FrameFields}), in words a user can act on. */
public final class FrameDiff {

    private FrameDiff() {
    }

    /**
     * The first field of {@code expected} whose bytes differ in {@code actual}, as
     * "IP.dst: expected 198.18.1.2, got 198.18.1.1"; empty when the frames are equal byte for byte.
     */
    public static Optional<String> firstDifference(byte[] expected, byte[] actual) {
        if (Arrays.equals(expected, actual)) {
            return Optional.empty();
        }
        for (FrameFields.Field f : FrameFields.of(expected)) {
            if (!f.sameIn(expected, actual)) {
                String got = f.render(actual);
                if (got == null) {
                    got = "nothing: the frame ends at byte " + actual.length;
                } else if (f.format() == FrameFields.Format.BYTES && got.equals(f.render(expected))) {
                    got = got + " differing beyond the shown bytes";
                }
                return Optional.of(f.name() + ": expected " + f.render(expected) + ", got " + got);
            }
        }
        // every field of the expected frame is there, unchanged: the actual frame is longer
        return Optional.of("length: expected " + expected.length + " bytes, got " + actual.length
                + " (the same bytes followed by " + (actual.length - expected.length) + " more)");
    }
}
