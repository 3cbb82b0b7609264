package io.sbulb.pcap;

/**
 * A replay that could not finish: a frame the dataplane could not run, or an output that could
 * not be written.
 */
public final class ReplayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean frameRefused;

    public ReplayException(String message, Throwable cause) {
        this(message, cause, false);
    }

    ReplayException(String message, Throwable cause, boolean frameRefused) {
        super(message, cause);
        this.frameRefused = frameRefused;
    }

    /**
     * True when the dataplane refused a frame of the capture as input it cannot take (the xdp
     * one: a frame longer than a test run accepts), rather than failing itself.
     */
    public boolean frameRefused() {
        return frameRefused;
    }
}
