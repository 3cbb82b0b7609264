package io.sbulb.xdp;

import io.sbulb.api.Limits;

/**
 * What to load: map sizes and load-time constants. A plain description; {@link SbulbProgram#load}
 * turns it into live kernel objects.
 *
 * @param limits    sizes of the real-server maps and of the association table
 * @param eventMask bit {@code 1 << reason code} set for each reason to report in the event log
 */
public record SbulbProgramSpec(Limits limits, long eventMask) {
    public SbulbProgramSpec {
        if (limits == null) {
            throw new IllegalArgumentException("limits must be set");
        }
    }

    public static SbulbProgramSpec of(Limits limits) {
        return new SbulbProgramSpec(limits, 0);
    }
}
