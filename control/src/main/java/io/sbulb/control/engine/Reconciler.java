package io.sbulb.control.engine;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import java.util.List;
import java.util.Objects;

/**
 * Brings a data path to a desired configuration: compares it with the one in force, applies it
 * whole when it differs, and says what changed. What is desired is built by the daemon from
 * its sources (the command line, the real-server file or the services file; later health and drain).
 * A configuration the data path refuses changes nothing: the running one stays in force.
 */
public final class Reconciler {

    /** What {@link #reconcile} did. */
    public sealed interface Outcome permits Unchanged, Applied, Refused {
    }

    /** The desired configuration was already in force. */
    public record Unchanged() implements Outcome {
    }

    /**
     * The desired configuration is now in force.
     *
     * @param lines the changes, per service ({@link ChangeReport#changes})
     */
    public record Applied(DataplaneConfig before, DataplaneConfig after, List<String> lines) implements Outcome {
        public Applied {
            lines = List.copyOf(lines);
        }
    }

    /** The data path refused it (validation or a failed write); the running configuration is kept. */
    public record Refused(DataplaneConfig kept, ConfigException reason) implements Outcome {
    }

    private final DataplaneControl dataplane;

    public Reconciler(DataplaneControl dataplane) {
        this.dataplane = Objects.requireNonNull(dataplane, "dataplane");
    }

    /** The configuration in force. */
    public DataplaneConfig running() {
        return dataplane.configuration();
    }

    /** Applies {@code desired} if it differs from the configuration in force. */
    public Outcome reconcile(DataplaneConfig desired) {
        DataplaneConfig before = dataplane.configuration();
        if (before.equals(desired)) {
            return new Unchanged();
        }
        try {
            dataplane.configure(desired); // validated first; a refused configuration changes nothing
        } catch (ConfigException e) {
            return new Refused(before, e);
        }
        return new Applied(before, desired, ChangeReport.changes(before, desired));
    }
}
