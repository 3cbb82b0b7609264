package io.sbulb.control.health;

/**
 * A server's health from its probes' results, as HAProxy counts them: an UP server goes DOWN
 * after {@code fall} failures in a row, a DOWN server comes UP after {@code rise} successes in a
 * row; a result that agrees with the current state resets the run. A server starts UP (as in
 * HAProxy): starting the daemon does not take traffic away before a probe has failed. Not
 * thread-safe.
 */
public final class RiseFall {

    public enum State {
        UP, DOWN
    }

    private final int rise;
    private final int fall;
    private State state;
    private int run;

    public RiseFall(int rise, int fall, State initial) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise " + rise + " and fall " + fall + " are at least 1");
        }
        this.rise = rise;
        this.fall = fall;
        this.state = initial;
    }

    public State state() {
        return state;
    }

    /** The results in a row that disagree with the current state (failures when UP, successes when DOWN). */
    public int run() {
        return run;
    }

    /** Counts one probe's result; true when it changed the state. */
    public boolean record(boolean ok) {
        boolean against = (state == State.UP) != ok;
        if (!against) {
            run = 0;
            return false;
        }
        run++;
        if (run < (state == State.UP ? fall : rise)) {
            return false;
        }
        state = state == State.UP ? State.DOWN : State.UP;
        run = 0;
        return true;
    }
}
