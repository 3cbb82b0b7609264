package io.sbulb.scenario;

/**
 * Restarts the dataplane over the state it leaves ({@link io.sbulb.api.Dataplane#restart()}), as a
 * daemon restarted over pinned maps finds it, and goes on with the new instance. Written
 * {@code - restart: {}} in a file. A dataplane that keeps no state beyond itself fails the step.
 *
 * @param note free text, or null
 */
public record RestartStep(String note) implements Step {

    @Override
    public String kind() {
        return "restart";
    }
}
