package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.control.health.EffectiveConfig;
import io.sbulb.control.health.HealthCheck;
import io.sbulb.control.health.HealthEvent;
import io.sbulb.control.health.Prober;
import io.sbulb.control.health.Probes;
import io.sbulb.control.health.RiseFall.State;
import io.sbulb.control.health.ServiceHealth;
import io.sbulb.control.health.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * The daemon's view of its real servers' health: the services' health sections, the prober that
 * watches their servers (started when a first service has a section), the states its events
 * reported, and the effective configuration they make of the file's ({@link EffectiveConfig}).
 * The prober's events are queued from its thread ({@link #offer}) and taken on the daemon's
 * ({@link #drain}); everything else runs on the daemon's thread.
 */
final class HealthKeeper implements AutoCloseable {

    private final EffectiveConfig effective;
    private final Function<Prober.Listener, Probes> proberFactory;
    private final Runnable wake;
    private final ConcurrentLinkedQueue<HealthEvent> queue = new ConcurrentLinkedQueue<>();
    private final Map<Target, State> states = new HashMap<>();
    private Map<String, ServiceHealth> policies = Map.of();
    private Map<Target, HealthCheck> targets = Map.of();
    private Probes prober;

    /** {@code wake} is run (on the prober's thread) when an event is queued. */
    HealthKeeper(EffectiveConfig effective, Function<Prober.Listener, Probes> proberFactory, Runnable wake) {
        this.effective = effective;
        this.proberFactory = proberFactory;
        this.wake = wake;
    }

    /** The health sections in force. */
    Map<String, ServiceHealth> policies() {
        return policies;
    }

    /**
     * Probes the servers of the services of {@code file} that have a section in {@code policies}.
     * A (service, server) probed before with the same check keeps its state; the others start UP.
     */
    void watch(Map<String, ServiceHealth> policies, DataplaneConfig file) {
        this.policies = Map.copyOf(policies);
        Map<Target, HealthCheck> next = new HashMap<>();
        for (Service s : file.services()) {
            ServiceHealth h = policies.get(s.name());
            if (h != null) {
                for (RealServer rs : s.realServers()) {
                    next.put(new Target(s.name(), rs.address()), h.check());
                }
            }
        }
        states.keySet().removeIf(t -> !next.containsKey(t));
        for (var e : next.entrySet()) {
            if (!e.getValue().equals(targets.get(e.getKey()))) {
                states.remove(e.getKey()); // a new check starts UP, as the prober does
            }
        }
        targets = Map.copyOf(next);
        if (prober == null && !targets.isEmpty()) {
            prober = proberFactory.apply(new Prober.Listener() {
                @Override
                public void changed(HealthEvent event) {
                    offer(event);
                }
            });
        }
        if (prober != null) {
            prober.watch(targets);
        }
    }

    /** A state change, from the prober's thread (or a test's). */
    void offer(HealthEvent event) {
        queue.add(event);
        wake.run();
    }

    /** The state changes queued since the last call, now counted in the states. */
    List<HealthEvent> drain() {
        List<HealthEvent> out = new ArrayList<>();
        HealthEvent e;
        while ((e = queue.poll()) != null) {
            if (!e.check().equals(targets.get(e.target()))) {
                continue; // a server no longer probed, or with another check (the file changed meanwhile)
            }
            out.add(e);
            if (e.state() == State.DOWN) {
                states.put(e.target(), State.DOWN);
            } else {
                states.remove(e.target());
            }
        }
        return out;
    }

    /** What the data path should run: {@code file} with the servers' health applied. */
    DataplaneConfig effective(DataplaneConfig file) {
        return effective.apply(file, Map.copyOf(states), policies);
    }

    /** For the status line: "; 1 of 3 probed real servers down", or nothing when nothing is probed. */
    String status() {
        if (targets.isEmpty()) {
            return "";
        }
        return "; " + states.size() + " of " + targets.size() + " probed real server" + (targets.size() == 1 ? "" : "s")
                + " down";
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.close();
        }
    }
}
