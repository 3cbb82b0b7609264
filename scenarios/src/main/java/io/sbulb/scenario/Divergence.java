package io.sbulb.scenario;

import io.sbulb.api.Association;
import io.sbulb.api.Result;
import java.util.List;

/**
 * The first point where two dataplanes run in lockstep disagreed.
 *
 * @param step       the 1-based step (0: the initial configuration; steps + 1: the final counters)
 * @param what       the step, described (frame and repetition)
 * @param difference what differs
 * @param resultA    the reference dataplane's result, or null if the step sent no frame
 * @param resultB    the other dataplane's result, or null
 * @param tableA     the reference's association table after the step
 * @param tableB     the other's table after the step
 * @param nameA      the reference's name
 * @param nameB      the other's name
 */
public record Divergence(int step, String what, String difference, Result resultA, Result resultB,
                         List<Association> tableA, List<Association> tableB, String nameA, String nameB) {

    /** A multi-line message with both results and both tables. */
    public String message() {
        StringBuilder sb = new StringBuilder();
        sb.append("step ").append(step).append(" (").append(what).append("): ").append(difference).append('\n');
        if (resultA != null) {
            sb.append("  ").append(nameA).append(": ").append(describe(resultA)).append('\n');
            sb.append("  ").append(nameB).append(": ").append(describe(resultB)).append('\n');
        }
        sb.append("  ").append(nameA).append(" table: ").append(tableA).append('\n');
        sb.append("  ").append(nameB).append(" table: ").append(tableB);
        return sb.toString();
    }

    private static String describe(Result r) {
        return r == null ? "(none)" : r.verdict() + " " + r.reason() + " output " + r.output().toHex();
    }
}
