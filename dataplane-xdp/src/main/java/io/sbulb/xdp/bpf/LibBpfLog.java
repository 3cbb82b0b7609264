package io.sbulb.xdp.bpf;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's messages (installed once with {@code libbpf_set_print}) to SLF4J, and lets an
 * operation capture what libbpf prints while it runs on the current thread: that is how a load
 * failure carries the verifier's log.
 */
final class LibBpfLog {

    private static final Logger LOG = LoggerFactory.getLogger("libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;

    /** libbpf's own verifier log buffer is 16 MiB at most. */
    private static final int VERIFIER_LOG_MAX = 16 << 20;

    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();

    /** Strongly held: libbpf keeps only the native pointer. */
    private static final LibBpf.PrintFn PRINT = LibBpfLog::print;

    static {
        LibBpf.libbpf_set_print(PRINT);
    }

    private LibBpfLog() {
    }

    /** Makes sure the print callback is installed. */
    static void install() {
        // the static initialiser does the work
    }

    private static int print(int level, String format, Pointer args) {
        try {
            String text = format(format, args);
            StringBuilder capture = CAPTURE.get();
            if (capture != null) {
                capture.append(text);
                LOG.debug("{}", text.stripTrailing());
            } else if (level == LIBBPF_WARN) {
                LOG.warn("{}", text.stripTrailing());
            } else if (level == LIBBPF_INFO) {
                LOG.info("{}", text.stripTrailing());
            } else {
                LOG.debug("{}", text.stripTrailing());
            }
        } catch (RuntimeException e) {
            // never let an exception unwind into libbpf's C frames
            LOG.debug("could not format a libbpf message", e);
        }
        return 0;
    }

    private static String format(String format, Pointer args) {
        // The va_list can be consumed only once, so the buffer must be large enough the first
        // time: the verifier's log arrives whole in one "PROG LOAD LOG" message.
        byte[] buf = new byte[format.contains("LOAD LOG") ? VERIFIER_LOG_MAX : 4096];
        int n = LibC.vsnprintf(buf, buf.length, format, args);
        if (n < 0) {
            return format;
        }
        return new String(buf, 0, Math.min(n, buf.length - 1), StandardCharsets.UTF_8);
    }

    /** Runs {@code op} capturing what libbpf prints meanwhile on this thread. */
    static <T> Captured<T> capture(Supplier<T> op) {
        install();
        StringBuilder previous = CAPTURE.get();
        StringBuilder sb = new StringBuilder();
        CAPTURE.set(sb);
        try {
            T value = op.get();
            return new Captured<>(value, sb.toString());
        } finally {
            if (previous == null) {
                CAPTURE.remove();
            } else {
                CAPTURE.set(previous);
                previous.append(sb);
            }
        }
    }

    record Captured<T>(T value, String log) {
    }
}
