package io.sbulb.xdp.bench;

import io.sbulb.api.Limits;
import io.sbulb.xdp.XdpDataplane;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Memory of the association tables as the kernel accounts it (bpftool's memlock of each map),
 * per entry, at {@code -ma} entries (default 1,048,576). LRU hashes are preallocated: the figure
 * does not depend on how full they are. Usage: AssocMemory [maxAssociations]
 */
public final class AssocMemory {

    private AssocMemory() {
    }

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : Limits.DEFAULT_MAX_ASSOCIATIONS;
        try (XdpDataplane dp = XdpDataplane.create(Limits.DEFAULT.withMaxAssociations(entries))) {
            int progId = dp.programInfo().id();
            String maps = bpftool("prog", "show", "id", Integer.toString(progId));
            String ids = maps.replaceAll("(?s).*map_ids ([0-9,]+).*", "$1").trim();
            for (String id : ids.split(",")) {
                String show = bpftool("map", "show", "id", id);
                String name = show.replaceAll("(?s).*name (\\S+).*", "$1");
                long memlock = Long.parseLong(show.replaceAll("(?s).*memlock (\\d+)B.*", "$1"));
                long max = Long.parseLong(show.replaceAll("(?s).*max_entries (\\d+).*", "$1"));
                System.out.printf("%-16s %,14d B memlock %,10d entries %8.1f B/entry%n", name, memlock, max,
                        (double) memlock / max);
            }
        }
    }

    private static String bpftool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bpftool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
