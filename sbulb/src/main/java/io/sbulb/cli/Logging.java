package io.sbulb.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.sbulb.api.LogLevel;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code -l}: the logging verbosity, with the original sbulb's level names and default; logs go
 * to standard error. The same level filters the data path's events in the kernel.
 */
final class Logging {

    /**
     * The original's names for the levels, in its order. sbulb logs nothing above ERROR, so
     * CRITICAL silences the log (what sbulb does still goes to standard output, and a fatal
     * error to standard error).
     */
    enum Verbosity {
        CRITICAL(Level.OFF, LogLevel.CRITICAL), ERROR(Level.ERROR, LogLevel.ERROR),
        WARNING(Level.WARN, LogLevel.WARNING), INFO(Level.INFO, LogLevel.INFO), DEBUG(Level.DEBUG, LogLevel.DEBUG),
        TRACE(Level.TRACE, LogLevel.TRACE);

        final Level level;
        final LogLevel events;

        Verbosity(Level level, LogLevel events) {
            this.level = level;
            this.events = events;
        }
    }

    /** Case-insensitive, as the original's: picocli converts it (Sbulb allows any case for enum values). */
    @Option(names = {"-l", "--loglevel"}, paramLabel = "{CRITICAL,ERROR,WARNING,INFO,DEBUG,TRACE}",
            defaultValue = "ERROR",
            description = "Use to set logging verbosity. (default: ${DEFAULT-VALUE})")
    Verbosity verbosity = Verbosity.ERROR;

    /** Applies the level to the root logger. */
    void apply() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(verbosity.level);
    }

    /** The data path's event level. */
    LogLevel level() {
        return verbosity.events;
    }

    /** True at debug and trace: errors then show their stack trace. */
    boolean debug() {
        return !verbosity.level.isGreaterOrEqual(Level.INFO);
    }

    /**
     * {@code -d}: how much of libbpf's output is shown, whatever {@code -l} says: 0 its warnings,
     * 1 and its information, 2 and more its debug messages (3 and 4 add the verifier's log, which
     * libbpf prints at debug level).
     */
    static void applyBpfVerbosity(int debug) {
        Level level = debug <= 0 ? Level.WARN : debug == 1 ? Level.INFO : Level.DEBUG;
        ((Logger) LoggerFactory.getLogger("libbpf")).setLevel(level);
    }
}
