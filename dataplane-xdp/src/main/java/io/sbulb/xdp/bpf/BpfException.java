package io.sbulb.xdp.bpf;

/**
 * A failed libbpf or kernel operation: names the operation, carries errno and its text, and for
 * a failed load the log libbpf printed (which holds the verifier's log).
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String log;

    public BpfException(String operation, int errno) {
        this(operation, errno, "");
    }

    public BpfException(String operation, int errno, String log) {
        super(message(operation, errno, log));
        this.errno = errno;
        this.log = log == null ? "" : log;
    }

    /**
     * For subclasses whose message is written whole (it names the errno itself when it matters).
     *
     * @param errno the errno behind the failure, 0 if none
     */
    protected BpfException(int errno, String message, String log, Throwable cause) {
        super(message, cause);
        this.errno = errno;
        this.log = log == null ? "" : log;
    }

    /** Lines of the log kept in the message; {@link #log()} has all of it. */
    private static final int MESSAGE_LOG_LINES = 60;

    /** "Operation not permitted (errno 1)", or "failed" when there is no errno. */
    public static String errnoText(int errno) {
        return errno > 0 ? LibC.errorText(errno) + " (errno " + errno + ")" : "failed";
    }

    private static String message(String operation, int errno, String log) {
        String m = operation + ": " + errnoText(errno);
        if (log == null || log.isBlank()) {
            return m;
        }
        String[] lines = log.stripTrailing().split("\n");
        if (lines.length <= MESSAGE_LOG_LINES) {
            return m + "\n" + String.join("\n", lines);
        }
        return m + "\n[... " + (lines.length - MESSAGE_LOG_LINES) + " earlier log lines omitted]\n"
                + String.join("\n", java.util.Arrays.copyOfRange(lines, lines.length - MESSAGE_LOG_LINES, lines.length));
    }

    /** The errno value; 0 if the failure had none. */
    public int errno() {
        return errno;
    }

    /** What libbpf printed during the operation (for a load: the verifier log); may be empty. */
    public String log() {
        return log;
    }
}
