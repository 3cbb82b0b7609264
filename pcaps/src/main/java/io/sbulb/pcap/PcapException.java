package io.sbulb.pcap;

/**
 * A capture that cannot be read or written. The message names the file and, for a bad record,
 * the record's number (from 1, as tcpdump and Wireshark count), so a user can find it.
 */
public final class PcapException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean writing;

    public PcapException(String message) {
        this(message, null, false);
    }

    public PcapException(String message, Throwable cause) {
        this(message, cause, false);
    }

    PcapException(String message, Throwable cause, boolean writing) {
        super(message, cause);
        this.writing = writing;
    }

    /** True when writing a pcap failed (the system's fault, e.g. a full disk), not reading one (the file's). */
    public boolean writing() {
        return writing;
    }
}
