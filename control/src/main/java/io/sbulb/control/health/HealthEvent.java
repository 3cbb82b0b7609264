package io.sbulb.control.health;

import io.sbulb.control.health.RiseFall.State;

/**
 * A server's state change: the new state, the check that found it, and why: how many results in
 * a row, and for DOWN the last error.
 */
public record HealthEvent(Target target, HealthCheck check, State state, int results, String lastError) {

    /** The probe kind: udp, coap, dtls. */
    public String kind() {
        return check.probe().kind();
    }

    /** One log line. */
    @Override
    public String toString() {
        return target + " " + state + ": " + kind() + " probe "
                + (state == State.DOWN ? "failed " + results + " time" + (results == 1 ? "" : "s") + " in a row, last: "
                        + lastError
                        : "answered " + results + " time" + (results == 1 ? "" : "s") + " in a row");
    }
}
