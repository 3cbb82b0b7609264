package io.sbulb.control.engine;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** How the daemon words configurations and their changes, as the original sbulb printed them. */
public final class ChangeReport {

    private ChangeReport() {
    }

    /** The position-by-position changes from {@code before} to {@code after}, one line each. */
    public static List<String> changes(List<IpAddress> before, List<IpAddress> after) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
            if (i >= before.size()) {
                lines.add("  [" + i + "] add " + after.get(i));
            } else if (i >= after.size()) {
                lines.add("  [" + i + "] remove " + before.get(i) + (after.contains(before.get(i))
                        ? " (it stays at [" + after.indexOf(before.get(i)) + "] with its clients)" : ""));
            } else if (!before.get(i).equals(after.get(i))) {
                lines.add("  [" + i + "] " + before.get(i) + " -> " + after.get(i));
            }
        }
        return lines;
    }

    /** "[0] 198.18.2.11 [1] 198.18.2.12", or "(none)". */
    public static String servers(List<IpAddress> list) {
        if (list.isEmpty()) {
            return "(none)";
        }
        List<String> s = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            s.add("[" + i + "] " + list.get(i));
        }
        return String.join(" ", s);
    }

    /** "5683,5684". */
    public static String ports(DataplaneConfig c) {
        return c.ports().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** The configuration in one line: "virtual server 198.18.0.10, ports 5683, real servers [0] ...". */
    public static String configuration(DataplaneConfig c) {
        return "virtual server " + c.virtualServer().map(IpAddress::toString).orElse("none") + ", ports " + ports(c)
                + ", real servers " + servers(c.realServers());
    }

    /** The status line for systemd's STATUS=: "balancing 198.18.0.10 ports 5683 on eth0 over 2 real servers". */
    public static String status(DataplaneConfig c, String where) {
        return "balancing " + c.virtualServer().map(IpAddress::toString).orElse("nothing") + " ports " + ports(c)
                + " on " + where + " over " + c.realServers().size() + " real server"
                + (c.realServers().size() == 1 ? "" : "s");
    }
}
