package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Association;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Net;
import io.sbulb.api.Result;
import io.sbulb.api.testing.Privileges;
import io.sbulb.sim.lru.KernelLruMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The program's association table evicts as the kernel's LRU hash really does (not strict LRU):
 * its key set after every frame equals that of the kernel-LRU model (docs/kernel-lru.md) fed the
 * same map operations. The model is given this machine's possible-CPU count and batch rule
 * ({@link LruParameters#detect()}), and every operation runs on one pinned CPU of a fresh map.
 */
class XdpLruEvictionTest {

    @ParameterizedTest(name = "{0} associations")
    @ValueSource(ints = {4, 7, 8, 13, 16, 64, 300})
    void associationTableEvictsLikeTheKernelLruModel(int maxAssociations) {
        Privileges.requireBpf();
        LruParameters lru = LruParameters.detect();
        Net n = Net.V4;
        KernelLruMap<Endpoint, Boolean> model = new KernelLruMap<>(maxAssociations, lru);
        Random random = new Random(maxAssociations); // fixed seed per size: reproducible
        int clients = maxAssociations * 2 + 8;
        int evicted = 0;
        try (XdpDataplane dp = XdpDataplane.create(new Limits(4, 8, maxAssociations))) {
            dp.configure(n.config(2));
            for (int step = 0; step < maxAssociations * 6 + 30; step++) {
                // mostly new clients, and a hot set that keeps coming back (ref bits matter)
                int c = random.nextInt(4) == 0 ? random.nextInt(Math.max(1, maxAssociations / 2)) : random.nextInt(clients);
                Endpoint client = n.client(0, 10000 + c);
                Result r = dp.process(n.toVip(client).toFrame());
                // the program's ops on its family's association table for a frame to the VIP: lookup, insert on a miss
                if (model.programLookup(client) == null) {
                    model.programUpdate(client, true, KernelLruMap.UpdateFlag.ANY);
                    evicted += model.lastEvicted().size();
                }
                Set<Endpoint> kernel = dp.associations().stream().map(Association::client)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertThat(kernel)
                        .as("step %d (client %s, %s): kernel key set vs model assuming %s", step, client, r.reason(), lru)
                        .isEqualTo(new TreeSet<>(model.keys()));
            }
        }
        assertThat(evicted).as("the sequence must actually evict").isPositive();
    }
}
