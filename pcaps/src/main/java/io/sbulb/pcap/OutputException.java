package io.sbulb.pcap;

/** An output path the replay cannot write to, found before anything is run; names the path and the reason. */
public final class OutputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OutputException(String message) {
        super(message);
    }
}
