package io.sbulb.scenario;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneProvider;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.sim.ReferenceDataplane;
import java.util.EnumSet;

/**
 * The dataplanes scenarios run on, found through their {@link DataplaneProvider}s: {@code xdp}
 * (the real program, needs root) and {@code sim} (the reference model). Both log every event
 * ({@link #ALL_EVENTS}), so that the differential runner compares their event logs too.
 */
public final class Dataplanes {

    /** The event mask of the harness's dataplanes: every reason. */
    public static final long ALL_EVENTS = Reason.eventMask(EnumSet.allOf(Reason.class));

    /** Makes a fresh dataplane with the given limits. */
    @FunctionalInterface
    public interface Factory {
        Dataplane create(Limits limits);
    }

    private Dataplanes() {
    }

    /** The two providers, looked up once. */
    private static final class Found {
        static final Factory XDP = byName("xdp");
        static final Factory SIM = byName("sim");
    }

    /** The XDP program loaded into the running kernel; its kernel work runs pinned to CPU 0. */
    public static Dataplane xdp(Limits limits) {
        return Found.XDP.create(limits);
    }

    /** The reference model, with this machine's LRU parameters. */
    public static Dataplane model(Limits limits) {
        return Found.SIM.create(limits);
    }

    /** The reference model, evicting as a kernel with {@code lru} would. */
    public static Dataplane model(Limits limits, LruParameters lru) {
        return new ReferenceDataplane(limits, lru, ALL_EVENTS);
    }

    /** The dataplane of the provider called {@code name}. */
    public static Factory byName(String name) {
        DataplaneProvider p = DataplaneProvider.named(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown dataplane '" + name + "' (found: "
                        + String.join(", ", DataplaneProvider.available().stream().map(DataplaneProvider::name).toList())
                        + ")"));
        return limits -> p.create(limits, ALL_EVENTS);
    }
}
