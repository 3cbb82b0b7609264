package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ServiceTest {

    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");

    private static Service weighted(int... weights) {
        List<RealServer> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(RealServer.of("198.18.1." + (i + 1), weights[i]));
        }
        return Service.of("s", VIP, Set.of(5683), list);
    }

    /** nginx's own example (ngx_http_upstream_round_robin.c): weights 5, 1, 1 give a a b a c a a. */
    @Test
    void smoothWeightedRoundRobinInterleavesAsNginxDoes() {
        assertThat(weighted(5, 1, 1).schedule()).containsExactly(0, 0, 1, 0, 2, 0, 0);
        assertThat(weighted(3, 1).schedule()).containsExactly(0, 0, 1, 0);
        assertThat(weighted(1, 1, 1).schedule()).containsExactly(0, 1, 2);
        assertThat(weighted(2, 0, 2).schedule()).containsExactly(0, 2);
        assertThat(weighted(0, 0).schedule()).isEmpty();
        assertThat(weighted().schedule()).isEmpty();
    }

    /**
     * The cycle is what running nginx's algorithm for ever gives: computed here step by step
     * (an independent loop over integer current weights), any prefix of any repetition of the
     * cycle matches, and each server is picked exactly weight / gcd times per cycle.
     */
    @Property(tries = 200)
    void theCycleRepeatsTheUnboundedAlgorithm(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 12) Integer> w) {
        Service s = weighted(w.stream().mapToInt(Integer::intValue).toArray());
        int[] cycle = s.schedule();
        int total = w.stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            assertThat(cycle).isEmpty();
            return;
        }
        int[] current = new int[w.size()];
        for (int k = 0; k < 3 * cycle.length; k++) {
            int best = -1;
            for (int i = 0; i < w.size(); i++) {
                current[i] += w.get(i);
                if (w.get(i) > 0 && (best < 0 || current[i] > current[best])) {
                    best = i;
                }
            }
            current[best] -= total;
            assertThat(cycle[k % cycle.length]).as("pick %d of weights %s", k, w).isEqualTo(best);
        }
        int gcd = 0;
        for (int x : w) {
            gcd = java.math.BigInteger.valueOf(gcd).gcd(java.math.BigInteger.valueOf(x)).intValue();
        }
        for (int i = 0; i < w.size(); i++) {
            int picks = 0;
            for (int c : cycle) {
                picks += c == i ? 1 : 0;
            }
            assertThat(picks).isEqualTo(w.get(i) / gcd);
        }
    }
}
