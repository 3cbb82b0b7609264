package io.sbulb.control.engine;

import io.sbulb.api.Association;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import java.util.List;
import java.util.Optional;

/**
 * What a running data path holds, read without changing it: what {@code sbulb preview} compares
 * a new configuration with ({@link Preview}). The command line fills it from a read-only open of
 * the pinned XDP state; tests from a {@link DataplaneControl} (the reference model).
 */
public interface RunningState {

    /** The limits the data path was made with. */
    Limits limits();

    /** The configuration in force. */
    DataplaneConfig configuration();

    /** The association table. */
    List<Association> associations();

    /**
     * The placement in force (slots, epochs), when the data path can give it (the XDP program's
     * maps hold it); without it, {@link Preview} rebuilds one that agrees with the associations.
     */
    default Optional<Placement> placement() {
        return Optional.empty();
    }

    /** The state of {@code dataplane}, read now. */
    static RunningState of(DataplaneControl dataplane) {
        return of(dataplane.limits(), dataplane.configuration(), dataplane.associations());
    }

    /** A state of these parts. */
    static RunningState of(Limits limits, DataplaneConfig configuration, List<Association> associations) {
        List<Association> table = List.copyOf(associations);
        return new RunningState() {
            @Override
            public Limits limits() {
                return limits;
            }

            @Override
            public DataplaneConfig configuration() {
                return configuration;
            }

            @Override
            public List<Association> associations() {
                return table;
            }
        };
    }
}
