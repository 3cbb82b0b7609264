package io.sbulb.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code -l}: the logging verbosity, with the original sbulb's level names; logs go to standard error. */
final class Logging {

    /** The original's names for the levels. */
    enum Verbosity {
        critical(Level.ERROR), error(Level.ERROR), warning(Level.WARN), info(Level.INFO), debug(Level.DEBUG),
        trace(Level.TRACE);

        final Level level;

        Verbosity(Level level) {
            this.level = level;
        }
    }

    /** Case-insensitive, as the original's: picocli converts it (Sbulb allows any case for enum values). */
    @Option(names = {"-l", "--loglevel"}, paramLabel = "LEVEL", defaultValue = "warning",
            description = "Logging verbosity: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Verbosity verbosity = Verbosity.warning;

    /** Applies the level to the root logger. */
    void apply() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(verbosity.level);
    }

    /** True at debug and trace: errors then show their stack trace. */
    boolean debug() {
        return !verbosity.level.isGreaterOrEqual(Level.INFO);
    }
}
