package io.sbulb.scenario;

import io.sbulb.api.Reason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A check of the per-reason packet counters since the dataplane was created. Exact: every
 * reason not listed must have counted nothing.
 *
 * @param packets      reason to packet count
 * @param dependsOnLru true if the counts hold only under the scenario's {@code assumes}
 *                     (after an eviction, a returning client counts as new)
 * @param note         free text, or null
 */
public record CountersStep(Map<Reason, Long> packets, boolean dependsOnLru, String note) implements Step {

    public CountersStep {
        packets = Collections.unmodifiableMap(packets.isEmpty() ? new EnumMap<>(Reason.class) : new EnumMap<>(packets));
    }

    @Override
    public String kind() {
        return "expectCounters";
    }
}
