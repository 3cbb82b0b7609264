package io.sbulb.cli;

/** The chosen dataplane cannot be created here (for xdp: no privileges, no BPF). */
final class DataplaneUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DataplaneUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
