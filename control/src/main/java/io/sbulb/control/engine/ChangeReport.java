package io.sbulb.control.engine;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the daemon words configurations and their changes. The seed's configuration (one service,
 * named {@value Service#DEFAULT_NAME}) is worded as the original sbulb printed it; with services,
 * each line names its service. A real server of weight other than 1 is written {@code address*weight}.
 */
public final class ChangeReport {

    private ChangeReport() {
    }

    /**
     * The changes from {@code before} to {@code after}, one line each: services added and removed,
     * and for a service that stays its VIP, ports and real servers position by position.
     */
    public static List<String> changes(DataplaneConfig before, DataplaneConfig after) {
        boolean seed = isSeed(before) && isSeed(after);
        List<String> lines = new ArrayList<>();
        for (Service s : after.services()) {
            Optional<Service> was = before.service(s.name());
            if (was.isEmpty()) {
                lines.add("  add service " + s.name() + ": " + describe(s));
                continue;
            }
            String who = seed ? "" : "service " + s.name() + " ";
            if (!was.get().vip().equals(s.vip())) {
                lines.add("  " + who + "virtual server " + was.get().vip() + " -> " + s.vip());
            }
            if (!was.get().ports().equals(s.ports())) {
                lines.add("  " + who + "ports " + ports(was.get()) + " -> " + ports(s));
            }
            lines.addAll(changes(who, was.get().realServers(), s.realServers()));
        }
        for (Service s : before.services()) {
            if (after.service(s.name()).isEmpty()) {
                lines.add("  remove service " + s.name() + " (" + s.vip() + " ports " + ports(s)
                        + "): its clients are forgotten");
            }
        }
        return lines;
    }

    /** The position-by-position changes of one list; {@code who} starts each line ("" or "service x "). */
    static List<String> changes(String who, List<RealServer> before, List<RealServer> after) {
        List<IpAddress> afterAddresses = after.stream().map(RealServer::address).toList();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
            if (i >= before.size()) {
                lines.add("  " + who + "[" + i + "] add " + after.get(i));
            } else if (i >= after.size()) {
                int stays = afterAddresses.indexOf(before.get(i).address());
                lines.add("  " + who + "[" + i + "] remove " + before.get(i)
                        + (stays >= 0 ? " (it stays at [" + stays + "] with its clients)" : ""));
            } else if (!before.get(i).equals(after.get(i))) {
                lines.add("  " + who + "[" + i + "] " + before.get(i) + " -> " + after.get(i));
            }
        }
        return lines;
    }

    /** The seed's shape: no service, or one named {@value Service#DEFAULT_NAME}. */
    private static boolean isSeed(DataplaneConfig c) {
        return c.services().isEmpty()
                || c.services().size() == 1 && c.services().get(0).name().equals(Service.DEFAULT_NAME);
    }

    /** "[0] 198.18.2.11 [1] 198.18.2.12*3", or "(none)". */
    public static String servers(List<?> list) {
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
    public static String ports(Service s) {
        return s.ports().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** "virtual server 198.18.0.10, ports 5683, real servers [0] ...". */
    public static String describe(Service s) {
        return "virtual server " + s.vip() + ", ports " + ports(s) + ", real servers " + servers(s.realServers());
    }

    /**
     * The configuration, a line per service: the seed's as the original printed it ("virtual
     * server 198.18.0.10, ports 5683, real servers [0] ..."), else "service coap: virtual server ...".
     */
    public static List<String> configuration(DataplaneConfig c) {
        if (c.services().isEmpty()) {
            return List.of("no service configured");
        }
        List<String> lines = new ArrayList<>();
        for (Service s : c.services()) {
            lines.add((isSeed(c) ? "" : "service " + s.name() + ": ") + describe(s));
        }
        return lines;
    }

    /** The configuration in one line ({@link #configuration} joined). */
    public static String configurationLine(DataplaneConfig c) {
        return String.join("; ", configuration(c));
    }

    /**
     * The status line for systemd's STATUS=: "balancing 198.18.0.10 ports 5683 on eth0 over 2 real
     * servers", or with services "balancing 2 services on eth0 over 5 real servers".
     */
    public static String status(DataplaneConfig c, String where) {
        int n = c.realServerCount();
        String over = " on " + where + " over " + n + " real server" + (n == 1 ? "" : "s");
        if (c.services().isEmpty()) {
            return "balancing nothing" + over;
        }
        if (isSeed(c)) {
            Service s = c.services().get(0);
            return "balancing " + s.vip() + " ports " + ports(s) + over;
        }
        return "balancing " + c.services().size() + " service" + (c.services().size() == 1 ? "" : "s") + over;
    }
}
