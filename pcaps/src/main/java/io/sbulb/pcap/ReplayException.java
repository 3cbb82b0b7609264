package io.sbulb.pcap;

/** A replay that could not finish: a frame the dataplane could not run, or an output that could not be written. */
public final class ReplayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
