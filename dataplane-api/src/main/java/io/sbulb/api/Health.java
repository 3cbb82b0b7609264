package io.sbulb.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Health as a control-plane input (issue 16): each real server's state, UP or DOWN, and each
 * service's policy, turned into the <em>effective configuration</em> the data path is given by
 * one pure function, {@link #effective(DataplaneConfig)}, shared by the daemon and the scenario
 * runner. The data path knows nothing of health; it only sees configurations.
 *
 * <ul>
 *   <li>DOWN with {@link OnDown#MOVE} (the default): the server leaves the service's effective
 *       list. The data path treats it as a removed server: its slot is kept, its late replies are
 *       dropped, its clients are rebalanced on their next datagram. UP again, it is back in its
 *       place in the list and revives its slot: clients that did not send meanwhile are still its
 *       own, clients that moved stay where they are now (affinity wins).</li>
 *   <li>DOWN with {@link OnDown#KEEP}: the server gets weight 0: it keeps its clients and takes
 *       no new one.</li>
 *   <li>Every server of a service DOWN: with {@link AllDown#DROP} (the default) they all leave,
 *       so the service's clients, new and known, are dropped ({@link Reason#INGRESS_NO_REAL_SERVER});
 *       with {@link AllDown#KEEP} health is ignored for that service.</li>
 * </ul>
 * A server with no state is UP; a service with no policy has {@link Policy#DEFAULT}. States and
 * policies naming no server or service of the configuration are ignored (kept for when it
 * appears). Immutable.
 */
public final class Health {

    /** A real server's health. */
    public enum State { UP, DOWN }

    /** What a DOWN server's clients do: move on their next datagram, or stay (weight 0). */
    public enum OnDown { MOVE, KEEP }

    /** When every server of a service is DOWN: drop its traffic, or ignore health. */
    public enum AllDown { DROP, KEEP }

    /** A service's health policy. */
    public record Policy(OnDown onDown, AllDown allDown) {

        /** {@link OnDown#MOVE}, {@link AllDown#DROP}. */
        public static final Policy DEFAULT = new Policy(OnDown.MOVE, AllDown.DROP);

        public Policy {
            Objects.requireNonNull(onDown, "onDown");
            Objects.requireNonNull(allDown, "allDown");
        }

        @Override
        public String toString() {
            return "onDown=" + onDown.name().toLowerCase() + " allDown=" + allDown.name().toLowerCase();
        }
    }

    private static final Health ALL_UP = new Health(new TreeMap<>(), new TreeMap<>());

    private final SortedMap<ServerRef, State> states;
    private final SortedMap<String, Policy> policies;

    private Health(SortedMap<ServerRef, State> states, SortedMap<String, Policy> policies) {
        this.states = Collections.unmodifiableSortedMap(states);
        this.policies = Collections.unmodifiableSortedMap(policies);
    }

    /** Every server UP, every service with the default policy. */
    public static Health allUp() {
        return ALL_UP;
    }

    /** These states and policies; what is not named is UP, of the default policy. */
    public static Health of(Map<ServerRef, State> states, Map<String, Policy> policies) {
        SortedMap<ServerRef, State> s = new TreeMap<>();
        for (Map.Entry<ServerRef, State> e : states.entrySet()) {
            if (e.getValue() != State.UP) {
                s.put(e.getKey(), Objects.requireNonNull(e.getValue(), "state"));
            }
        }
        SortedMap<String, Policy> p = new TreeMap<>();
        for (Map.Entry<String, Policy> e : policies.entrySet()) {
            if (!Policy.DEFAULT.equals(e.getValue())) {
                p.put(e.getKey(), Objects.requireNonNull(e.getValue(), "policy"));
            }
        }
        return new Health(s, p);
    }

    /** This health with {@code server} in {@code state}. */
    public Health with(ServerRef server, State state) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(state, "state");
        SortedMap<ServerRef, State> s = new TreeMap<>(states);
        if (state == State.UP) {
            s.remove(server);
        } else {
            s.put(server, state);
        }
        return new Health(s, new TreeMap<>(policies));
    }

    /** This health with {@code service}'s policy set. */
    public Health with(String service, Policy policy) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(policy, "policy");
        SortedMap<String, Policy> p = new TreeMap<>(policies);
        if (policy.equals(Policy.DEFAULT)) {
            p.remove(service);
        } else {
            p.put(service, policy);
        }
        return new Health(new TreeMap<>(states), p);
    }

    public State state(ServerRef server) {
        return states.getOrDefault(server, State.UP);
    }

    public Policy policy(String service) {
        return policies.getOrDefault(service, Policy.DEFAULT);
    }

    /** The servers not UP, in order. */
    public SortedMap<ServerRef, State> states() {
        return states;
    }

    /** The services whose policy is not the default, in order. */
    public SortedMap<String, Policy> policies() {
        return policies;
    }

    /**
     * The configuration the data path is given for the file's {@code config} under this health
     * (see the class comment). Never longer lists nor larger weights than {@code config}'s, so it
     * validates under any limits {@code config} validates under; with every server UP it is
     * {@code config} itself.
     */
    public DataplaneConfig effective(DataplaneConfig config) {
        if (states.isEmpty()) {
            return config;
        }
        List<Service> out = new ArrayList<>(config.services().size());
        boolean changed = false;
        for (Service s : config.services()) {
            Service e = effective(s);
            changed |= e != s;
            out.add(e);
        }
        return changed ? config.withServices(out) : config;
    }

    private Service effective(Service s) {
        List<RealServer> list = s.realServers();
        int down = 0;
        for (RealServer rs : list) {
            if (state(new ServerRef(s.name(), rs.address())) == State.DOWN) {
                down++;
            }
        }
        if (down == 0) {
            return s;
        }
        Policy policy = policy(s.name());
        if (down == list.size()) {
            return policy.allDown() == AllDown.KEEP ? s : s.withRealServers(List.of());
        }
        List<RealServer> kept = new ArrayList<>(list.size());
        for (RealServer rs : list) {
            if (state(new ServerRef(s.name(), rs.address())) == State.UP) {
                kept.add(rs);
            } else if (policy.onDown() == OnDown.KEEP) {
                kept.add(rs.withWeight(0));
            }
        }
        return s.withRealServers(kept);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Health h && states.equals(h.states) && policies.equals(h.policies);
    }

    @Override
    public int hashCode() {
        return Objects.hash(states, policies);
    }

    @Override
    public String toString() {
        return "down=" + states.keySet() + " policies=" + policies;
    }
}
