package io.sbulb.control.engine;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import io.sbulb.api.Placement.ServiceHead;
import io.sbulb.api.Placement.Slot;
import io.sbulb.api.Placement.SlotState;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What applying a configuration would do to the clients of a running data path, decided as the
 * data path decides it, without changing anything ({@code sbulb preview}). An association is
 * valid while its slot is live with its epoch ({@link Placement#valid}); the new configuration's
 * placement is the running one's {@link Placement#next}, as both dataplanes apply it. Then:
 * <ul>
 * <li><b>stays</b>: valid now and after: the client keeps its real server;</li>
 * <li><b>moves</b>: valid now, not after (its server left the service, or the service is gone):
 *     its next datagram binds it to another server;</li>
 * <li><b>stale</b>: not valid now (its server was removed by an earlier change, or its slot
 *     freed): its next datagram rebinds it whatever the change; among them, those the change
 *     <b>revives</b> (their server comes back to the service: they return to it).</li>
 * </ul>
 * Counted per service and per real server. Pure: no I/O, nothing changed.
 */
public final class Preview {

    private Preview() {
    }

    /** The associations of one real server (the one they are bound to now). */
    public record ServerCount(IpAddress server, int stay, int move, int revive) {
    }

    /** What becomes of a service by its name. */
    public enum Fate { KEPT, REMOVED, ADDED }

    /**
     * One service's associations.
     *
     * @param servers per real server: those of its list now, in order, then any other its associations name
     */
    public record ServiceCount(String service, Fate fate, int stay, int move, int stale, int revive,
                               List<ServerCount> servers) {
    }

    /** The whole preview: per service (running ones in order, then those added), and the totals. */
    public record Result(List<ServiceCount> services, int stay, int move, int stale, int revive) {
    }

    /**
     * The preview of {@code next} over {@code state}: with its placement when it gives one, else
     * with one rebuilt from its configuration and associations ({@link #placementOf}).
     *
     * @throws ConfigException when {@code next} cannot run with the state's limits
     */
    public static Result of(RunningState state, DataplaneConfig next) {
        Placement running = state.placement()
                .orElseGet(() -> placementOf(state.limits(), state.configuration(), state.associations()));
        return of(running, state.associations(), next);
    }

    /**
     * The preview of {@code next} over the data path placed as {@code running}, holding {@code table}.
     *
     * @throws ConfigException when {@code next} cannot run with the running limits
     */
    public static Result of(Placement running, List<Association> table, DataplaneConfig next) {
        Placement after = running.next(next); // validates, as configure() would
        DataplaneConfig now = running.config();
        Map<String, Counts> by = new LinkedHashMap<>();
        for (Service s : now.services()) {
            Counts c = by.computeIfAbsent(s.name(), n -> new Counts());
            s.addresses().forEach(c::server);
        }
        for (Association a : table) {
            Counts c = by.computeIfAbsent(a.service(), n -> new Counts());
            boolean validNow = running.valid(a.slot(), a.epoch());
            boolean validAfter = after.valid(a.slot(), a.epoch());
            if (validNow) {
                int[] s = c.server(a.realServer());
                s[validAfter ? 0 : 1]++;
            } else {
                c.stale++;
                if (validAfter) {
                    c.server(a.realServer())[2]++;
                }
            }
        }
        for (Service s : next.services()) {
            by.computeIfAbsent(s.name(), n -> new Counts());
        }
        List<ServiceCount> out = new ArrayList<>();
        int stay = 0;
        int move = 0;
        int stale = 0;
        int revive = 0;
        for (Map.Entry<String, Counts> e : by.entrySet()) {
            boolean isNow = now.service(e.getKey()).isPresent();
            boolean isNext = next.service(e.getKey()).isPresent();
            Fate fate = isNow && isNext ? Fate.KEPT : isNext ? Fate.ADDED : Fate.REMOVED;
            ServiceCount sc = e.getValue().result(e.getKey(), fate);
            out.add(sc);
            stay += sc.stay();
            move += sc.move();
            stale += sc.stale();
            revive += sc.revive();
        }
        return new Result(out, stay, move, stale, revive);
    }

    /** One service's running counts. */
    private static final class Counts {
        final Map<IpAddress, int[]> servers = new LinkedHashMap<>(); // stay, move, revive
        int stale;

        int[] server(IpAddress a) {
            return servers.computeIfAbsent(a, k -> new int[3]);
        }

        ServiceCount result(String name, Fate fate) {
            List<ServerCount> list = new ArrayList<>();
            int stay = 0;
            int move = 0;
            int revive = 0;
            for (Map.Entry<IpAddress, int[]> s : servers.entrySet()) {
                int[] v = s.getValue();
                list.add(new ServerCount(s.getKey(), v[0], v[1], v[2]));
                stay += v[0];
                move += v[1];
                revive += v[2];
            }
            return new ServiceCount(name, fate, stay, move, stale, revive, List.copyOf(list));
        }
    }

    /**
     * A placement of {@code config} that agrees with {@code table} wherever the table can tell:
     * each association whose real server is known names that server's slot and epoch in its
     * service (live when the server is in the list, else retired); the other servers of the list
     * get slots no association names, with new epochs. Service ids are given in list order (an
     * id kept or not across {@link Placement#next} depends only on the name). What an
     * association becomes across {@code next} is then what it becomes in the data path.
     *
     * @throws ConfigException when the table contradicts itself or the configuration
     */
    public static Placement placementOf(Limits limits, DataplaneConfig config, List<Association> table) {
        List<ServiceHead> heads = new ArrayList<>();
        Map<String, Integer> idOf = new HashMap<>();
        for (int i = 0; i < config.services().size(); i++) {
            Service s = config.services().get(i);
            heads.add(new ServiceHead(i, i, s.name(), s.vip(), new TreeSet<>(s.ports())));
            idOf.put(s.name(), i);
        }
        Map<Integer, Slot> slots = new HashMap<>();
        Set<Integer> named = new HashSet<>();
        Map<String, Set<IpAddress>> placed = new HashMap<>();
        int maxEpoch = 0;
        int retiredSeq = 1;
        for (Association a : table) {
            named.add(a.slot());
            maxEpoch = Math.max(maxEpoch, a.epoch());
            Integer id = idOf.get(a.service());
            if (a.realServer() == null || id == null) {
                continue; // stale: no slot has its epoch
            }
            Slot had = slots.get(a.slot());
            if (had != null) {
                if (had.epoch() != a.epoch() || !had.address().equals(a.realServer()) || had.serviceId() != id) {
                    throw new ConfigException("associations disagree on slot " + a.slot() + ": " + a + " and "
                            + had.address() + "@" + had.epoch());
                }
                continue;
            }
            Service s = config.services().get(id);
            int position = s.addresses().indexOf(a.realServer());
            if (!placed.computeIfAbsent(a.service(), k -> new HashSet<>()).add(a.realServer())) {
                throw new ConfigException("associations name two slots for " + a.realServer() + " in service " + a.service());
            }
            slots.put(a.slot(), position >= 0
                    ? new Slot(a.slot(), id, a.realServer(), a.epoch(), SlotState.LIVE, 0, s.realServers().get(position)
                            .weight(), position)
                    : new Slot(a.slot(), id, a.realServer(), a.epoch(), SlotState.RETIRED, retiredSeq++, 0, -1));
        }
        int epoch = maxEpoch + 1;
        int free = 0;
        for (Service s : config.services()) {
            Set<IpAddress> mine = placed.getOrDefault(s.name(), Set.of());
            for (int pos = 0; pos < s.realServers().size(); pos++) {
                RealServer rs = s.realServers().get(pos);
                if (!mine.contains(rs.address())) {
                    while (named.contains(free) || slots.containsKey(free)) {
                        free++;
                    }
                    slots.put(free, new Slot(free, idOf.get(s.name()), rs.address(), epoch++, SlotState.LIVE, 0,
                            rs.weight(), pos));
                }
            }
        }
        return Placement.restore(limits, heads, new ArrayList<>(slots.values()), epoch, retiredSeq);
    }

    /** The preview in words, a line each: per service, then per real server; the totals last. */
    public static List<String> lines(Result r, DataplaneConfig next) {
        List<String> lines = new ArrayList<>();
        for (ServiceCount s : r.services()) {
            String head = "service " + s.service() + switch (s.fate()) {
                case KEPT -> "";
                case REMOVED -> " (removed)";
                case ADDED -> " (added)";
            } + ": ";
            if (s.fate() == Fate.ADDED) {
                lines.add(head + "no associations yet");
                continue;
            }
            lines.add(head + counts(s.stay(), s.move(), s.stale(), s.revive()));
            Optional<Service> after = next.service(s.service());
            for (ServerCount c : s.servers()) {
                lines.add("  " + c.server() + ": " + c.stay() + " stay, " + c.move() + " move"
                        + (c.revive() > 0 ? ", " + c.revive() + " stale return to it" : "") + why(after, c.server()));
            }
        }
        lines.add("total: " + counts(r.stay(), r.move(), r.stale(), r.revive()));
        return lines;
    }

    private static String counts(int stay, int move, int stale, int revive) {
        return stay + " associations stay, " + move + " move"
                + (stale > 0 ? "; " + stale + " stale (their next datagram rebinds them whatever the change"
                + (revive > 0 ? "; " + revive + " return to their server" : "") + ")" : "");
    }

    private static String why(Optional<Service> after, IpAddress server) {
        if (after.isEmpty()) {
            return " (service removed)";
        }
        for (RealServer rs : after.get().realServers()) {
            if (rs.address().equals(server)) {
                return rs.weight() == 0 ? " (weight 0: kept, no new clients)" : "";
            }
        }
        return " (leaves the service)";
    }
}
