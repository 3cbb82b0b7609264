package io.sbulb.scenario;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.sim.ReferenceDataplane;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpDataplane;
import java.util.EnumSet;

/**
 * Creates the dataplanes scenarios run on: {@code xdp} (the real program, needs root) and
 * {@code sim} (the reference model). Both log every event ({@link #ALL_EVENTS}), so that the
 * differential runner compares their event logs too.
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

    /** The XDP program loaded into the running kernel; its kernel work runs pinned to CPU 0. */
    public static Dataplane xdp(Limits limits) {
        return XdpDataplane.create(new SbulbProgramSpec(limits, ALL_EVENTS), XdpDataplane.DEFAULT_CPU);
    }

    /** The reference model, with this machine's LRU parameters. */
    public static Dataplane model(Limits limits) {
        return model(limits, LruParameters.detect());
    }

    /** The reference model, evicting as a kernel with {@code lru} would. */
    public static Dataplane model(Limits limits, LruParameters lru) {
        return new ReferenceDataplane(limits, lru, ALL_EVENTS);
    }

    /** {@code xdp} or {@code sim}. */
    public static Factory byName(String name) {
        return switch (name) {
            case "xdp" -> Dataplanes::xdp;
            case "sim" -> Dataplanes::model;
            default -> throw new IllegalArgumentException("unknown dataplane '" + name + "' (xdp, sim)");
        };
    }
}
