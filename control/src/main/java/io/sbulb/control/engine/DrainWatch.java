package io.sbulb.control.engine;

import java.time.Duration;

/**
 * When a draining real server is drained (issue 16): none of its associations has carried
 * traffic for a quiet period. Fed samples of the frames the data path forwarded for the server
 * (its slot's counter) with their time; the server is drained once the count has not moved for
 * {@code quiet}. Pure: the caller reads the counter and the clock.
 */
public final class DrainWatch {

    private final long quietNs;
    private long lastFrames = -1;
    private long lastChangeNs;

    public DrainWatch(Duration quiet) {
        if (quiet.isNegative() || quiet.isZero()) {
            throw new IllegalArgumentException("a quiet period must be positive, not " + quiet);
        }
        this.quietNs = quiet.toNanos();
    }

    /**
     * Takes the count {@code frames} read at {@code nowNs}; true when the server is drained: the
     * count has not changed for the quiet period (the first sample starts the period).
     */
    public boolean sample(long frames, long nowNs) {
        if (frames != lastFrames) {
            lastFrames = frames;
            lastChangeNs = nowNs;
        }
        return nowNs - lastChangeNs >= quietNs;
    }

    /** How long the count has not moved, as of {@code nowNs} (0 before the first sample). */
    public Duration quietFor(long nowNs) {
        return lastFrames < 0 ? Duration.ZERO : Duration.ofNanos(nowNs - lastChangeNs);
    }
}
