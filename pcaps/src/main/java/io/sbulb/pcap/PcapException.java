package io.sbulb.pcap;

/**
 * A capture that cannot be read or written. The message names the file and, for a bad record,
 * the record's number (from 1, as tcpdump and Wireshark count), so a user can find it.
 */
public final class PcapException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PcapException(String message) {
        super(message);
    }

    public PcapException(String message, Throwable cause) {
        super(message, cause);
    }
}
