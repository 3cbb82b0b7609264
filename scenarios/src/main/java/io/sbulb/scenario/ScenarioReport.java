package io.sbulb.scenario;

import java.util.List;

/**
 * What running one scenario on one dataplane gave.
 *
 * @param scenario      the scenario's name
 * @param dataplane     the dataplane's name
 * @param stepsRun      steps started (the failing one included)
 * @param framesSent    frames processed
 * @param checks        expectations checked and met
 * @param notApplicable LRU-dependent expectations not checked because the scenario's {@code assumes}
 *                      does not match the dataplane's LRU parameters, one line per step
 * @param failedStep    the 1-based step of the first unmet expectation (0: the initial configuration), or -1
 * @param failure       the message for the first unmet expectation, or null if all were met
 * @param cause         an exception the dataplane threw, or null
 */
public record ScenarioReport(String scenario, String dataplane, int stepsRun, int framesSent, int checks,
                             List<String> notApplicable, int failedStep, String failure, Throwable cause) {

    public ScenarioReport {
        notApplicable = List.copyOf(notApplicable);
    }

    public boolean passed() {
        return failure == null;
    }

    /** Throws an AssertionError with the failure message unless every checked expectation was met. */
    public ScenarioReport assertPassed() {
        if (failure != null) {
            AssertionError e = new AssertionError(failure);
            if (cause != null) {
                e.initCause(cause);
            }
            throw e;
        }
        return this;
    }

    /** One line: passed or failed, with counts. */
    public String summary() {
        String head = "scenario '" + scenario + "' on " + dataplane + ": "
                + (passed() ? "passed" : "FAILED at step " + failedStep) + " (" + stepsRun + " steps, "
                + framesSent + " frames, " + checks + " expectations checked";
        return head + (notApplicable.isEmpty() ? ")" : ", " + notApplicable.size()
                + " steps not applicable on this machine)");
    }
}
