package io.sbulb.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Locale;
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

    @Option(names = {"-l", "--loglevel"}, paramLabel = "LEVEL", defaultValue = "warning",
            converter = VerbosityConverter.class,
            description = "Logging verbosity: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = VerbosityNames.class)
    Verbosity verbosity = Verbosity.warning;

    /** Applies the level to the root logger. */
    void apply() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(verbosity.level);
    }

    /** True at debug and trace: errors then show their stack trace. */
    boolean debug() {
        return !verbosity.level.isGreaterOrEqual(Level.INFO);
    }

    static final class VerbosityConverter implements picocli.CommandLine.ITypeConverter<Verbosity> {
        @Override
        public Verbosity convert(String value) {
            try {
                return Verbosity.valueOf(value.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not a level: critical, error, warning, info, debug, trace");
            }
        }
    }

    static final class VerbosityNames extends java.util.ArrayList<String> {
        private static final long serialVersionUID = 1L;

        VerbosityNames() {
            for (Verbosity v : Verbosity.values()) {
                add(v.name());
            }
        }
    }
}
