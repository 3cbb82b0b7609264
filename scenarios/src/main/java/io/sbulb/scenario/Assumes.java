package io.sbulb.scenario;

import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;

/**
 * The kernel LRU parameters a scenario's LRU-dependent expectations were derived for
 * (docs/kernel-lru.md §2.1). On a dataplane with other parameters those expectations
 * are reported as not applicable, never as passed.
 *
 * @param possibleCpus number of possible CPUs
 * @param batchRule    the common-LRU batch rule
 */
public record Assumes(int possibleCpus, BatchRule batchRule) {

    public Assumes {
        if (possibleCpus < 1) {
            throw new IllegalArgumentException("possibleCpus must be at least 1, got " + possibleCpus);
        }
        if (batchRule == null) {
            throw new IllegalArgumentException("batchRule must be set");
        }
    }

    public boolean matches(LruParameters p) {
        return p.possibleCpus() == possibleCpus && p.batchRule() == batchRule;
    }

    public LruParameters toLruParameters() {
        return new LruParameters(possibleCpus, batchRule);
    }

    @Override
    public String toString() {
        return "possibleCpus " + possibleCpus + ", batchRule " + batchRule;
    }
}
