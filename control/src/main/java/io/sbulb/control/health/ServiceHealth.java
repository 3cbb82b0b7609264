package io.sbulb.control.health;

import java.time.Duration;
import java.util.Objects;

/**
 * A service's {@code health:} section (README, "Health checks"): how its real servers are
 * probed, what a down server means for its clients, what happens when all are down, and how long
 * a draining server must carry no traffic to be reported drained.
 */
public record ServiceHealth(HealthCheck check, OnDown onDown, AllDown allDown, Duration drainQuiet) {

    public static final Duration DEFAULT_DRAIN_QUIET = Duration.ofSeconds(30);
    public static final Duration MIN_DRAIN_QUIET = Duration.ofSeconds(1);
    public static final Duration MAX_DRAIN_QUIET = Duration.ofHours(24);

    /** What a DOWN server's clients do (decision 1). */
    public enum OnDown {
        /** The server leaves the service's effective list: its clients are moved on their next datagram (default). */
        MOVE,
        /** The server gets weight 0: it keeps its clients and takes no new one. */
        KEEP;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What happens when every server of the service is DOWN (decision 1). */
    public enum AllDown {
        /** Every server leaves: the service's clients are dropped (default). */
        DROP,
        /** Health is ignored for the service: the servers stay as the file says. */
        KEEP;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ServiceHealth {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(onDown, "onDown");
        Objects.requireNonNull(allDown, "allDown");
        if (drainQuiet.compareTo(MIN_DRAIN_QUIET) < 0 || drainQuiet.compareTo(MAX_DRAIN_QUIET) > 0) {
            throw new IllegalArgumentException("drain-quiet: " + HealthCheck.show(drainQuiet) + " is outside "
                    + HealthCheck.show(MIN_DRAIN_QUIET) + ".." + HealthCheck.show(MAX_DRAIN_QUIET));
        }
    }

    /** The check with the defaults for the rest: move, drop, 30 s. */
    public static ServiceHealth of(HealthCheck check) {
        return new ServiceHealth(check, OnDown.MOVE, AllDown.DROP, DEFAULT_DRAIN_QUIET);
    }

    /** One line for {@code sbulb check}. */
    public String describe() {
        HealthCheck c = check;
        return "health: " + c.probe() + " to port " + c.port() + " every " + HealthCheck.show(c.interval())
                + ", timeout " + HealthCheck.show(c.timeout()) + ", down after " + c.fall() + " failure"
                + (c.fall() == 1 ? "" : "s") + ", up after " + c.rise() + " answer" + (c.rise() == 1 ? "" : "s")
                + "; on-down " + onDown.word() + (onDown == OnDown.MOVE ? " (its clients move)" : " (it keeps its clients)")
                + ", all-down " + allDown.word() + (allDown == AllDown.DROP ? " (clients dropped)" : " (health ignored)")
                + ", drained after " + HealthCheck.show(drainQuiet) + " quiet";
    }
}
