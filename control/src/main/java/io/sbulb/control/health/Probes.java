package io.sbulb.control.health;

import java.util.Map;

/** What the daemon needs of a prober: the targets to watch, and to stop. {@link Prober} is the one. */
public interface Probes extends AutoCloseable {

    /** Sets the watched targets (see {@link Prober#watch}). */
    void watch(Map<Target, HealthCheck> targets);

    @Override
    void close();
}
