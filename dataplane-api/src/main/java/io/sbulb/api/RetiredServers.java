package io.sbulb.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The real servers that left the list and are remembered as such (docs/design.md §1,
 * "Configuration changes"): a frame from one of them on a balanced port is a late reply, and is
 * dropped rather than passed on with the server's own address. At most {@code cap} are
 * remembered, the most recently removed; an address that comes back into the list is no longer
 * retired. Both dataplanes keep this list by the same rule, so they agree on every frame.
 */
public final class RetiredServers {

    private RetiredServers() {
    }

    /**
     * The retired servers after a change of the list from {@code before} to {@code after}, oldest
     * first: those retired already and not back in the list, then those that just left, in their
     * old list order; the oldest forgotten beyond {@code cap}.
     */
    public static List<IpAddress> next(List<IpAddress> retired, List<IpAddress> before, List<IpAddress> after, int cap) {
        LinkedHashSet<IpAddress> out = new LinkedHashSet<>();
        for (IpAddress a : retired) {
            if (!after.contains(a)) {
                out.add(a);
            }
        }
        for (IpAddress a : before) {
            if (!after.contains(a)) {
                out.remove(a); // retired again: now the most recent
                out.add(a);
            }
        }
        List<IpAddress> list = new ArrayList<>(out);
        return List.copyOf(list.subList(Math.max(0, list.size() - cap), list.size()));
    }
}
