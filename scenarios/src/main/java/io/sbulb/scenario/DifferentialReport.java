package io.sbulb.scenario;

import io.sbulb.api.Counter;
import io.sbulb.api.Reason;
import java.util.Map;

/**
 * What running one scenario on two dataplanes in lockstep gave.
 *
 * @param scenario       the scenario's name
 * @param nameA          the reference dataplane's name
 * @param nameB          the other dataplane's name
 * @param stepsRun       steps run on both
 * @param framesCompared frames run on both and compared
 * @param divergence     the first divergence, or null
 * @param reproducer     a scenario replaying the steps up to the divergence, each frame sent once with
 *                       the reference's outcome as its expectation, ending with the reference's
 *                       association table; null when there was no divergence
 * @param countersA      the reference's counters where the run stopped (those of its last instance,
 *                       after restarts)
 */
public record DifferentialReport(String scenario, String nameA, String nameB, int stepsRun, int framesCompared,
                                 Divergence divergence, Scenario reproducer, Map<Reason, Counter> countersA) {

    public DifferentialReport {
        countersA = Map.copyOf(countersA);
    }

    public boolean agreed() {
        return divergence == null;
    }

    /** Throws an AssertionError with both results, both tables and the reproducer file if they diverged. */
    public DifferentialReport assertAgreed() {
        if (divergence != null) {
            throw new AssertionError(message());
        }
        return this;
    }

    /** The divergence with the reproducer as YAML, or a one-line summary if there was none. */
    public String message() {
        if (divergence == null) {
            return summary();
        }
        return "scenario '" + scenario + "': " + nameA + " and " + nameB + " diverged at " + divergence.message()
                + "\nreproduce with this scenario (expectations are " + nameA + "'s):\n" + ScenarioWriter.toYaml(reproducer);
    }

    public String summary() {
        return "scenario '" + scenario + "': " + nameA + " vs " + nameB + ": "
                + (divergence == null ? "no divergence" : "DIVERGED at step " + divergence.step())
                + " (" + stepsRun + " steps, " + framesCompared + " frames)";
    }
}
