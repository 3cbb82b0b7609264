package io.sbulb.control.health;

import java.time.Duration;
import java.util.Objects;

/**
 * How one service's real servers are probed: the probe, the server's UDP port it is sent to, the
 * interval between probes, how long an answer is waited for, and how many results in a row
 * change a server's state (README, "Health checks"). The defaults are HAProxy's: inter 2 s,
 * rise 2, fall 3; the timeout is 1 s.
 */
public record HealthCheck(Probe probe, int port, Duration interval, Duration timeout, int rise, int fall) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    public static final int MAX_RUN = 100;

    public HealthCheck {
        Objects.requireNonNull(probe, "probe");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is outside 1..65535");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("interval: " + show(interval) + " is outside " + show(MIN_INTERVAL) + ".."
                    + show(MAX_INTERVAL));
        }
        if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("timeout: " + show(timeout) + " is outside " + show(MIN_TIMEOUT)
                    + "..the interval (" + show(interval) + "): one probe is in flight at a time");
        }
        if (rise < 1 || rise > MAX_RUN) {
            throw new IllegalArgumentException("rise: " + rise + " is outside 1.." + MAX_RUN);
        }
        if (fall < 1 || fall > MAX_RUN) {
            throw new IllegalArgumentException("fall: " + fall + " is outside 1.." + MAX_RUN);
        }
    }

    /** The probe at this port with the default interval, timeout, rise and fall. */
    public static HealthCheck of(Probe probe, int port) {
        return new HealthCheck(probe, port, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RISE, DEFAULT_FALL);
    }

    /** A duration as the services file writes it, in its largest exact unit: 500ms, 2s, 5m, 1h. */
    public static String show(Duration d) {
        long ms = d.toMillis();
        if (ms == 0 || ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    @Override
    public String toString() {
        return probe + " port " + port + " interval " + show(interval) + " timeout " + show(timeout) + " rise " + rise
                + " fall " + fall;
    }
}
