package io.sbulb.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the data path balances: one virtual server address (VIP), the balanced UDP ports, and
 * the ordered real-server list (the order matters: round robin walks it, and changes are
 * applied position by position, docs/design.md §1).
 *
 * <p>Immutable. {@link #validate(Limits)} checks it against a dataplane's limits; dataplanes
 * call it before touching anything, so a bad configuration is never half-applied.
 */
public final class DataplaneConfig {

    private final IpAddress virtualServer;
    private final SortedSet<Integer> ports;
    private final List<IpAddress> realServers;

    private DataplaneConfig(IpAddress virtualServer, Collection<Integer> ports, List<IpAddress> realServers) {
        this.virtualServer = virtualServer;
        this.ports = Collections.unmodifiableSortedSet(new TreeSet<>(ports));
        this.realServers = List.copyOf(realServers);
    }

    /** A configuration; {@code virtualServer} may be null (then nothing is balanced). */
    public static DataplaneConfig of(IpAddress virtualServer, Collection<Integer> ports, List<IpAddress> realServers) {
        for (Integer p : ports) {
            if (p == null) {
                throw new ConfigException("a port is missing (null)");
            }
        }
        for (IpAddress a : realServers) {
            if (a == null) {
                throw new ConfigException("a real server address is missing (null)");
            }
        }
        return new DataplaneConfig(virtualServer, ports, realServers);
    }

    /** The empty configuration a dataplane starts with: no VIP, no port, no real server. */
    public static DataplaneConfig empty() {
        return new DataplaneConfig(null, List.of(), List.of());
    }

    public Optional<IpAddress> virtualServer() {
        return Optional.ofNullable(virtualServer);
    }

    public SortedSet<Integer> ports() {
        return ports;
    }

    public List<IpAddress> realServers() {
        return realServers;
    }

    public DataplaneConfig withRealServers(List<IpAddress> servers) {
        return of(virtualServer, ports, servers);
    }

    public DataplaneConfig withPorts(Collection<Integer> newPorts) {
        return of(virtualServer, newPorts, realServers);
    }

    public DataplaneConfig withVirtualServer(IpAddress vip) {
        return of(vip, ports, realServers);
    }

    /**
     * Checks this configuration against {@code limits}.
     *
     * @throws ConfigException naming the offending value and the limit
     */
    public void validate(Limits limits) {
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new ConfigException("port " + p + " is outside 1..65535");
            }
        }
        if (ports.size() > limits.maxPorts()) {
            throw new ConfigException(ports.size() + " ports configured, at most " + limits.maxPorts()
                    + " allowed (-mp)");
        }
        if (realServers.size() > limits.maxRealServers()) {
            throw new ConfigException(realServers.size() + " real servers configured, at most "
                    + limits.maxRealServers() + " allowed (-mrs)");
        }
        Map<IpAddress, Integer> seen = new HashMap<>();
        for (int i = 0; i < realServers.size(); i++) {
            IpAddress rs = realServers.get(i);
            Integer before = seen.putIfAbsent(rs, i);
            if (before != null) {
                throw new ConfigException("real server " + rs + " is listed twice (positions " + before
                        + " and " + i + ")");
            }
            if (virtualServer != null && rs.family() != virtualServer.family()) {
                throw new ConfigException("real server " + rs + " is IPv" + rs.family()
                        + " but the virtual server " + virtualServer + " is IPv" + virtualServer.family());
            }
            if (rs.equals(virtualServer)) {
                throw new ConfigException("real server " + rs + " is the virtual server address");
            }
        }
        if (virtualServer == null && !realServers.isEmpty()) {
            IpAddress first = realServers.get(0);
            for (IpAddress rs : realServers) {
                if (rs.family() != first.family()) {
                    throw new ConfigException("real servers mix IPv4 and IPv6 (" + first + ", " + rs + ")");
                }
            }
        }
    }

    /**
     * Where each real server sits in the list: the data path's address-to-position index, used
     * when an association's remembered position no longer holds its real server.
     */
    public Map<IpAddress, Integer> realServerPositions() {
        Map<IpAddress, Integer> index = new HashMap<>();
        for (int i = 0; i < realServers.size(); i++) {
            index.putIfAbsent(realServers.get(i), i);
        }
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataplaneConfig c && java.util.Objects.equals(virtualServer, c.virtualServer)
                && ports.equals(c.ports) && realServers.equals(c.realServers);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(virtualServer, ports, realServers);
    }

    @Override
    public String toString() {
        List<String> rs = new ArrayList<>();
        for (IpAddress a : realServers) {
            rs.add(a.toString());
        }
        return "vip=" + (virtualServer == null ? "none" : virtualServer) + " ports=" + ports + " realServers=" + rs;
    }
}
