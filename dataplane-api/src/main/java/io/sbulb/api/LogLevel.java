package io.sbulb.api;

/**
 * Verbosity of the data path's event log, with the names of the original sbulb's
 * {@code --loglevel}. An event is emitted when its reason's level is at or above the chosen one.
 */
public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARNING,
    ERROR,
    CRITICAL;

    /** True when an event of {@code eventLevel} passes a filter set to this level. */
    public boolean admits(LogLevel eventLevel) {
        return eventLevel.ordinal() >= ordinal();
    }
}
