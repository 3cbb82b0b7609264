package io.sbulb.api;

/**
 * A live data path stopped doing its job behind the control plane's back: its program was
 * detached by someone else, or its interface deleted. Fatal for a daemon: it stops, so that a
 * supervisor notices and restarts it.
 */
public class DataplaneFailure extends RuntimeException {

    public DataplaneFailure(String message) {
        super(message);
    }

    public DataplaneFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
