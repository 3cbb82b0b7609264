package io.sbulb.control.daemon;

import java.io.IOException;

/** A failed AF_UNIX socket call: names the operation and the address, carries errno and its text. */
public final class UnixSocketException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    UnixSocketException(String operation, int errno, String errorText) {
        super(operation + ": " + errorText + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** The errno value of the failed call. */
    public int errno() {
        return errno;
    }
}
