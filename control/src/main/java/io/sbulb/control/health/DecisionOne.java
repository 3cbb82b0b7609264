package io.sbulb.control.health;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Health;
import io.sbulb.api.ServerRef;
import io.sbulb.control.health.RiseFall.State;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link EffectiveConfig#DECISION_ONE}: the probes' states and the services' health sections in
 * the terms of {@link Health}, the function the scenario runner applies too, so that the daemon
 * and the harness turn health into the same configuration. Services without a health section are
 * left as the file says.
 */
final class DecisionOne {

    private DecisionOne() {
    }

    static DataplaneConfig apply(DataplaneConfig file, Map<Target, State> states, Map<String, ServiceHealth> policies) {
        Map<ServerRef, Health.State> down = new HashMap<>();
        states.forEach((t, s) -> {
            if (s == State.DOWN && policies.containsKey(t.service())) {
                down.put(new ServerRef(t.service(), t.server()), Health.State.DOWN);
            }
        });
        Map<String, Health.Policy> p = new HashMap<>();
        policies.forEach((service, h) -> p.put(service, new Health.Policy(
                h.onDown() == ServiceHealth.OnDown.KEEP ? Health.OnDown.KEEP : Health.OnDown.MOVE,
                h.allDown() == ServiceHealth.AllDown.KEEP ? Health.AllDown.KEEP : Health.AllDown.DROP)));
        DataplaneConfig effective = Health.of(down, p).effective(file);
        return effective.equals(file) ? file : effective;
    }
}
