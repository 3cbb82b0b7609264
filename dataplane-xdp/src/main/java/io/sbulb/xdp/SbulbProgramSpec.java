package io.sbulb.xdp;

import io.sbulb.api.Limits;

/**
 * What to load: map sizes and load-time constants. A plain description; {@link SbulbProgram#load}
 * turns it into live kernel objects.
 *
 * @param limits    sizes of the real-server maps and of the association table
 * @param eventMask bit {@code 1 << reason code} set for each reason to report in the event log
 * @param verifierLogLevel the kernel verifier's log level for the load (0 none, 1 the log,
 *                  2 its most verbose); libbpf prints a successful load's log at its debug level
 */
public record SbulbProgramSpec(Limits limits, long eventMask, int verifierLogLevel) {
    public SbulbProgramSpec {
        if (limits == null) {
            throw new IllegalArgumentException("limits must be set");
        }
        if (verifierLogLevel < 0 || verifierLogLevel > 2) {
            throw new IllegalArgumentException("verifier log level " + verifierLogLevel + " is outside 0..2");
        }
    }

    public SbulbProgramSpec(Limits limits, long eventMask) {
        this(limits, eventMask, 0);
    }

    public static SbulbProgramSpec of(Limits limits) {
        return new SbulbProgramSpec(limits, 0);
    }
}
