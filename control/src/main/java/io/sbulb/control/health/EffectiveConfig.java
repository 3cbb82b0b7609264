package io.sbulb.control.health;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.control.health.RiseFall.State;
import java.util.Map;

/**
 * The configuration the data path runs, from the file's and the servers' health (the lead's
 * decision 1 for issue 16): {@code io.sbulb.api.Health}, the pure function shared
 * with the scenario runner ({@link #DECISION_ONE} applies it).
 */
@FunctionalInterface
public interface EffectiveConfig {

    /**
     * @param file     the configuration the services file gives
     * @param states   each probed (service, server)'s state; a server absent is UP
     * @param policies each service's health section; a service absent is not health-checked
     */
    DataplaneConfig apply(DataplaneConfig file, Map<Target, State> states, Map<String, ServiceHealth> policies);

    /** Decision 1, as written: DOWN + move leaves the list, DOWN + keep is weight 0, all DOWN drops or ignores health. */
    EffectiveConfig DECISION_ONE = DecisionOne::apply;
}
