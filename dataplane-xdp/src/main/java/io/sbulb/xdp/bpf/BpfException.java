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

    /** Lines of the log kept in the message; {@link #log()} has all of it. */
    private static final int MESSAGE_LOG_LINES = 60;

    private static String message(String operation, int errno, String log) {
        String text = errno > 0 ? LibC.errorText(errno) + " (errno " + errno + ")" : "failed";
        String m = operation + ": " + text;
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
