package io.sbulb.bench;

import io.sbulb.lab.Commands;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A veth's counters as {@code ethtool -S} shows them (per queue: XDP packets, drops, XDP_TX
 * errors, frames other devices redirected into it and those that failed), for telling where
 * frames were lost: at the balancer's receive ring or on the way to the sink.
 */
final class VethStats {

    private VethStats() {
    }

    static Map<String, Long> read(String ns, String dev) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : Commands.run("ip", "netns", "exec", ns, "ethtool", "-S", dev).split("\n")) {
            String[] kv = line.strip().split(":\\s*");
            if (kv.length == 2 && kv[1].matches("\\d+")) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    /** The counters that changed from {@code before} to {@code after}, by how much. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            long x = v - before.getOrDefault(k, 0L);
            if (x != 0) {
                d.put(k, x);
            }
        });
        return d;
    }
}
