package io.sbulb.control.health;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.control.health.RiseFall.State;
import io.sbulb.control.health.ServiceHealth.AllDown;
import io.sbulb.control.health.ServiceHealth.OnDown;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link EffectiveConfig#DECISION_ONE}. */
final class DecisionOne {

    private DecisionOne() {
    }

    static DataplaneConfig apply(DataplaneConfig file, Map<Target, State> states, Map<String, ServiceHealth> policies) {
        List<Service> out = new ArrayList<>();
        for (Service s : file.services()) {
            ServiceHealth h = policies.get(s.name());
            out.add(h == null ? s : apply(s, h, states));
        }
        DataplaneConfig effective = DataplaneConfig.of(out);
        return effective.equals(file) ? file : effective;
    }

    private static Service apply(Service s, ServiceHealth h, Map<Target, State> states) {
        List<RealServer> kept = new ArrayList<>();
        int down = 0;
        for (RealServer rs : s.realServers()) {
            if (states.get(new Target(s.name(), rs.address())) != State.DOWN) {
                kept.add(rs);
            } else {
                down++;
                if (h.onDown() == OnDown.KEEP) {
                    kept.add(new RealServer(rs.address(), 0));
                }
            }
        }
        if (down == 0) {
            return s;
        }
        if (down == s.realServers().size()) {
            return h.allDown() == AllDown.KEEP ? s : s.withRealServers(List.of());
        }
        return s.withRealServers(kept);
    }
}
