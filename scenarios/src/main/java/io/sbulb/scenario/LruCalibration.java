package io.sbulb.scenario;

import io.sbulb.api.Association;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.sim.lru.KernelLruMap;
import io.sbulb.xdp.XdpDataplane;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks, before comparing the XDP program with the reference model, that the model's LRU
 * parameters (possible CPUs, batch rule) are those of the running kernel: on a fresh
 * 64-entry association table, 200 distinct clients arrive through the real program and the
 * kernel's key set must equal the LRU model's after every frame (docs/kernel-lru.md
 * §4.2: on 6.16+ with 2 possible CPUs, client 65 evicts 16; before 6.16 it would evict all
 * 64). A mismatch means the model is set up for another machine, not that the data path is
 * wrong: it fails loudly, naming the parameters that would fit.
 */
public final class LruCalibration {

    static final int ENTRIES = 64;
    static final int CLIENTS = 200;

    private LruCalibration() {
    }

    /**
     * Runs the probe through the real program (needs root).
     *
     * @throws IllegalStateException if the kernel does not evict as {@code params} predict
     */
    public static void check(LruParameters params) {
        List<Set<Endpoint>> kernel = kernelKeySets();
        int mismatch = firstMismatch(kernel, params);
        if (mismatch < 0) {
            return;
        }
        List<String> fits = new ArrayList<>();
        for (LruParameters.BatchRule rule : LruParameters.BatchRule.values()) {
            for (int cpus = 1; cpus <= 512; cpus++) {
                LruParameters candidate = new LruParameters(cpus, rule);
                if (firstMismatch(kernel, candidate) < 0) {
                    fits.add(candidate.toString());
                }
            }
        }
        throw new IllegalStateException("LRU calibration failed: with " + params + " the model predicts "
                + predicted(params, mismatch) + " after client " + (mismatch + 1) + ", the kernel holds "
                + describe(kernel.get(mismatch)) + ". Parameters that fit this kernel: "
                + (fits.isEmpty() ? "none (the kernel's LRU behaves unlike the model)" : abbreviate(fits))
                + ". Override with -D" + LruParameters.POSSIBLE_CPUS_PROPERTY + "=N and -D"
                + LruParameters.BATCH_RULE_PROPERTY + "=SINCE_6_16|BEFORE_6_16.");
    }

    private static List<Set<Endpoint>> kernelKeySets() {
        List<Set<Endpoint>> sets = new ArrayList<>();
        IpAddress vip = IpAddress.parse("198.18.0.1");
        try (XdpDataplane dp = XdpDataplane.create(new Limits(1, 1, ENTRIES))) {
            dp.configure(DataplaneConfig.of(vip, Set.of(5683), List.of(IpAddress.parse("198.18.1.1"))));
            for (int i = 0; i < CLIENTS; i++) {
                dp.process(UdpFrame.builder().source(client(i)).destination(vip, 5683).build().toFrame());
                sets.add(dp.associations().stream().map(Association::client).collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        return sets;
    }

    private static Endpoint client(int i) {
        return new Endpoint(IpAddress.parse("198.18.2.1"), 10000 + i);
    }

    /** The first client after which the model's key set differs from the kernel's, or -1. */
    private static int firstMismatch(List<Set<Endpoint>> kernel, LruParameters params) {
        KernelLruMap<Endpoint, Boolean> model = new KernelLruMap<>(ENTRIES, params);
        for (int i = 0; i < kernel.size(); i++) {
            insert(model, client(i));
            if (!model.keys().equals(kernel.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** What the data path does for a client's first frame: look up, insert if missing. */
    private static void insert(KernelLruMap<Endpoint, Boolean> model, Endpoint c) {
        if (model.programLookup(c) == null) {
            model.programUpdate(c, true, KernelLruMap.UpdateFlag.NOEXIST);
        }
    }

    private static String predicted(LruParameters params, int upTo) {
        KernelLruMap<Endpoint, Boolean> model = new KernelLruMap<>(ENTRIES, params);
        for (int i = 0; i <= upTo; i++) {
            insert(model, client(i));
        }
        return describe(model.keys());
    }

    private static String describe(Set<Endpoint> keys) {
        TreeSet<Integer> ports = keys.stream().map(e -> e.port() - 10000 + 1).collect(Collectors.toCollection(TreeSet::new));
        return keys.size() + " clients (" + (ports.isEmpty() ? "none" : "#" + ports.first() + "..#" + ports.last()) + ")";
    }

    private static String abbreviate(List<String> fits) {
        return fits.size() <= 4 ? String.join("; ", fits) : String.join("; ", fits.subList(0, 4)) + "; ...";
    }
}
