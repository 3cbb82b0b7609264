package io.sbulb.api;

/**
 * What a dataplane did with one frame.
 *
 * @param verdict what happens to the frame
 * @param output  the frame as the data path left it (rewritten on {@link Verdict#TX}, unchanged otherwise)
 * @param reason  why
 */
public record Result(Verdict verdict, Frame output, Reason reason) {
    public Result {
        if (verdict == null || output == null || reason == null) {
            throw new IllegalArgumentException("verdict, output and reason must all be set");
        }
    }
}
