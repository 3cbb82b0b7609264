package io.sbulb.control.engine;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.control.health.ServiceHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a configuration would run, in words ({@code sbulb check}): the limits, then each service
 * with its VIP, ports, real servers and weights, its round-robin cycle (the list positions
 * new clients are given, in order, {@link Service#schedule()}) and its health check.
 */
public final class ConfigReport {

    /** Longer cycles are shown up to this many picks. */
    static final int CYCLE_SHOWN = 64;

    private ConfigReport() {
    }

    public static List<String> lines(Limits limits, DataplaneConfig config) {
        return lines(limits, config, Map.of());
    }

    /** The same, with each service's health section ({@code health}, by service name) or its absence. */
    public static List<String> lines(Limits limits, DataplaneConfig config, Map<String, ServiceHealth> health) {
        List<String> lines = new ArrayList<>();
        lines.add("limits: " + limits.maxServices() + " services; per service " + limits.maxPorts() + " ports and "
                + limits.maxRealServers() + " real servers (a round-robin cycle of at most " + limits.maxSchedule()
                + " picks); " + limits.maxAssociations() + " associations per address family");
        int n = config.services().size();
        lines.add(n == 0 ? "no service: nothing is balanced" : n + " service" + (n == 1 ? "" : "s") + ", "
                + config.realServerCount() + " real server" + (config.realServerCount() == 1 ? "" : "s") + ":");
        for (Service s : config.services()) {
            lines.add("service " + s.name() + ": virtual server " + s.vip() + ", ports " + ChangeReport.ports(s));
            List<RealServer> list = s.realServers();
            for (int i = 0; i < list.size(); i++) {
                RealServer rs = list.get(i);
                lines.add("  [" + i + "] " + rs.address() + " weight " + rs.weight()
                        + (rs.hasNodeId() ? " node-id " + rs.nodeId() : "")
                        + (rs.weight() == 0 ? " (draining: keeps its clients, takes no new one)" : ""));
            }
            lines.add("  " + cycle(s));
            s.dtlsCid().ifPresent(c -> lines.add("  dtls-cid: connection ids of " + c.length() + " bytes, the node id in "
                    + (c.nodeIdSize() == 1 ? "byte " + c.nodeIdOffset() : "bytes " + c.nodeIdOffset() + ".."
                    + (c.nodeIdOffset() + c.nodeIdSize() - 1) + " (big-endian)")
                    + ": a DTLS record with a connection id goes to the server of its node id"));
            ServiceHealth h = health.get(s.name());
            lines.add("  " + (h == null ? "no health check: its real servers are taken as up" : h.describe()));
        }
        return lines;
    }

    /** "round robin, a cycle of 4 new clients: [1] [0] [1] [1]". */
    static String cycle(Service s) {
        int[] cycle = s.schedule();
        if (cycle.length == 0) {
            return "round robin: no real server takes new clients (no server, or all of weight 0)";
        }
        StringBuilder b = new StringBuilder("round robin, a cycle of " + cycle.length + " new client"
                + (cycle.length == 1 ? "" : "s") + ":");
        for (int k = 0; k < Math.min(cycle.length, CYCLE_SHOWN); k++) {
            b.append(" [").append(cycle[k]).append(']');
        }
        if (cycle.length > CYCLE_SHOWN) {
            b.append(" ... (").append(cycle.length - CYCLE_SHOWN).append(" more)");
        }
        return b.toString();
    }
}
