package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.RealServer;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Service;
import io.sbulb.control.engine.DrainWatch;
import io.sbulb.control.health.ServiceHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which draining real servers (weight 0 in the file) are drained (issue 16): none of their
 * associations has carried a frame for their service's {@code drain-quiet}
 * ({@link ServiceHealth#DEFAULT_DRAIN_QUIET} without a health section). Fed the data path's
 * forwarded frames per server ({@code DataplaneControl.serverFrames()}) now and then; says once
 * when a server becomes drained, and again if it carries traffic and drains once more.
 */
final class DrainReporter {

    private final Map<ServerRef, DrainWatch> watches = new HashMap<>();
    private final Set<ServerRef> drained = new TreeSet<>();

    /**
     * One sample at {@code nowNs}: the lines to log for the servers that have just begun to drain
     * (weight 0) or have just become drained.
     *
     * @param file     the configuration the file gives (its weights say who drains)
     * @param policies each service's health section, for its drain-quiet
     * @param frames   frames forwarded per server so far
     */
    List<String> sample(DataplaneConfig file, Map<String, ServiceHealth> policies, Map<ServerRef, Long> frames,
                        long nowNs) {
        Set<ServerRef> draining = new TreeSet<>();
        List<String> lines = new ArrayList<>();
        for (Service s : file.services()) {
            ServiceHealth h = policies.get(s.name());
            Duration quiet = h == null ? ServiceHealth.DEFAULT_DRAIN_QUIET : h.drainQuiet();
            for (RealServer rs : s.realServers()) {
                if (rs.weight() != 0) {
                    continue;
                }
                ServerRef ref = new ServerRef(s.name(), rs.address());
                draining.add(ref);
                if (!watches.containsKey(ref)) {
                    lines.add("service " + ref.service() + " server " + ref.address() + " draining: weight 0, it keeps "
                            + "its clients and takes no new one; drained after " + quiet.toSeconds() + " s without a frame");
                }
                DrainWatch w = watches.computeIfAbsent(ref, k -> new DrainWatch(quiet));
                if (w.sample(frames.getOrDefault(ref, 0L), nowNs)) {
                    if (drained.add(ref)) {
                        lines.add("service " + ref.service() + " server " + ref.address() + " drained: no frame for "
                                + w.quietFor(nowNs).toSeconds() + " s");
                    }
                } else {
                    drained.remove(ref);
                }
            }
        }
        watches.keySet().retainAll(draining);
        drained.retainAll(draining);
        return lines;
    }

    /** For the status line: {@code "; N drained"}, or nothing. */
    String status() {
        return drained.isEmpty() ? "" : "; " + drained.size() + " drained";
    }
}
