package io.sbulb.lab;

/** The namespace lab could not be built or driven; the message names the command and what it said. */
public class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
