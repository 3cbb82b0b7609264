package io.sbulb.scenario;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.sim.ReferenceDataplane;
import io.sbulb.xdp.XdpDataplane;

/** Creates the dataplanes scenarios run on: {@code xdp} (the real program, needs root) and {@code sim} (the reference model). */
public final class Dataplanes {

    /** Makes a fresh dataplane with the given limits. */
    @FunctionalInterface
    public interface Factory {
        Dataplane create(Limits limits);
    }

    private Dataplanes() {
    }

    /** The XDP program loaded into the running kernel; its kernel work runs pinned to CPU 0. */
    public static Dataplane xdp(Limits limits) {
        return XdpDataplane.create(limits);
    }

    /** The reference model, with this machine's LRU parameters. */
    public static Dataplane model(Limits limits) {
        return model(limits, LruParameters.detect());
    }

    /** The reference model, evicting as a kernel with {@code lru} would. */
    public static Dataplane model(Limits limits, LruParameters lru) {
        return new ReferenceDataplane(limits, lru);
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
