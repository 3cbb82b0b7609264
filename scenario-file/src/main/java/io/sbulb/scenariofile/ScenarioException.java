package io.sbulb.scenariofile;

/**
 * A scenario that cannot be read or is inconsistent. The message names the file, the step
 * (1-based) and the offending value.
 */
public class ScenarioException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
        super(message);
    }

    public ScenarioException(String message, Throwable cause) {
        super(message, cause);
    }
}
