package io.sbulb.pcap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Says where two frames differ, by header field ({@link FrameFields}), in words a user can act on. */
public final class FrameDiff {

    private FrameDiff() {
    }

    /**
     * The differing field of {@code expected} that explains the difference best, with both values,
     * then the names of the others: "IP.dst: expected 198.18.1.2, got 198.18.1.1 (also differ:
     * IP.chksum, UDP.chksum)". Checksums come last: they differ because something they cover does.
     * Empty when the frames are equal byte for byte.
     */
    public static Optional<String> firstDifference(byte[] expected, byte[] actual) {
        if (Arrays.equals(expected, actual)) {
            return Optional.empty();
        }
        List<FrameFields.Field> differing = new ArrayList<>();
        List<FrameFields.Field> checksums = new ArrayList<>();
        for (FrameFields.Field f : FrameFields.of(expected)) {
            if (!f.sameIn(expected, actual)) {
                (f.name().endsWith(".chksum") ? checksums : differing).add(f);
            }
        }
        differing.addAll(checksums);
        if (differing.isEmpty()) {
            // every field of the expected frame is there, unchanged: the actual frame is longer
            return Optional.of("length: expected " + expected.length + " bytes, got " + actual.length
                    + " (the same bytes followed by " + (actual.length - expected.length) + " more)");
        }
        FrameFields.Field first = differing.get(0);
        StringBuilder s = new StringBuilder(first.name()).append(": expected ").append(first.render(expected))
                .append(", got ").append(value(first, expected, actual));
        if (differing.size() > 1) {
            s.append(" (also differ: ");
            for (int i = 1; i < differing.size(); i++) {
                s.append(i > 1 ? ", " : "").append(differing.get(i).name());
            }
            s.append(')');
        }
        return Optional.of(s.toString());
    }

    private static String value(FrameFields.Field f, byte[] expected, byte[] actual) {
        String got = f.render(actual);
        if (got == null) {
            return "nothing: the frame ends at byte " + actual.length;
        }
        if (f.format() == FrameFields.Format.BYTES && got.equals(f.render(expected))) {
            return got + ", differing beyond the bytes shown";
        }
        return got;
    }
}
