package io.sbulb.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One balanced service: a virtual address (VIP, IPv4 or IPv6), the UDP ports balanced on it and
 * the ordered list of its real servers with their weights (docs/design.md, "Services"). A client
 * {@code (address, port)} has one association per service; new clients are spread by smooth
 * weighted round robin over the list ({@link #schedule()}).
 *
 * <p>A service may route DTLS 1.2 records by their Connection ID ({@link #dtlsCid()}, issue 20):
 * every one of its real servers then has a node id, unique in the service and within the
 * connection id's node-id size, differing in their last byte; without it, no server has one.
 *
 * <p>Immutable. The name identifies the service across configuration changes: a service that
 * keeps its name keeps its associations, whatever else changes.
 */
public final class Service {

    /** The name of the one service the seed's command line and INI file describe. */
    public static final String DEFAULT_NAME = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,30}");

    private final String name;
    private final IpAddress vip;
    private final SortedSet<Integer> ports;
    private final List<RealServer> realServers;
    private final DtlsCid dtlsCid;

    private Service(String name, IpAddress vip, Collection<Integer> ports, List<RealServer> realServers,
                    DtlsCid dtlsCid) {
        this.name = name;
        this.vip = vip;
        this.ports = Collections.unmodifiableSortedSet(new TreeSet<>(ports));
        this.realServers = List.copyOf(realServers);
        this.dtlsCid = dtlsCid;
    }

    /**
     * A service. Checks what needs no limits: the name, nulls, port range, duplicates and families.
     *
     * @throws ConfigException naming the offending value
     */
    public static Service of(String name, IpAddress vip, Collection<Integer> ports, List<RealServer> realServers) {
        return of(name, vip, ports, realServers, null);
    }

    /**
     * A service that routes DTLS records by connection id ({@code dtlsCid}; null: it does not).
     * Checks as {@link #of(String, IpAddress, Collection, List)} does, and the node ids: with
     * {@code dtlsCid} every server has one, unique, at most {@link DtlsCid#maxNodeId()} (a server
     * without one would issue connection ids whose node-id bytes could name another server);
     * without it none has one.
     *
     * @throws ConfigException naming the offending value
     */
    public static Service of(String name, IpAddress vip, Collection<Integer> ports, List<RealServer> realServers,
                             DtlsCid dtlsCid) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException("service name '" + name + "' is not 1 to 31 characters of letters, digits, "
                    + "'.', '_' and '-' starting with a letter or digit");
        }
        if (vip == null) {
            throw new ConfigException("service " + name + ": the virtual server address is missing");
        }
        for (Integer p : ports) {
            if (p == null) {
                throw new ConfigException("service " + name + ": a port is missing (null)");
            }
            if (p < 1 || p > 65535) {
                throw new ConfigException("service " + name + ": port " + p + " is outside 1..65535");
            }
        }
        Map<IpAddress, Integer> seen = new HashMap<>();
        for (int i = 0; i < realServers.size(); i++) {
            RealServer rs = realServers.get(i);
            if (rs == null) {
                throw new ConfigException("service " + name + ": a real server is missing (null)");
            }
            Integer before = seen.putIfAbsent(rs.address(), i);
            if (before != null) {
                throw new ConfigException("service " + name + ": real server " + rs.address()
                        + " is listed twice (positions " + before + " and " + i + ")");
            }
            if (rs.address().family() != vip.family()) {
                throw new ConfigException("service " + name + ": real server " + rs.address() + " is IPv"
                        + rs.address().family() + " but the virtual server " + vip + " is IPv" + vip.family());
            }
            if (rs.address().equals(vip)) {
                throw new ConfigException("service " + name + ": real server " + rs.address()
                        + " is the virtual server address");
            }
        }
        checkNodeIds(name, realServers, dtlsCid);
        return new Service(name, vip, ports, realServers, dtlsCid);
    }

    private static void checkNodeIds(String name, List<RealServer> realServers, DtlsCid cid) {
        Map<Long, IpAddress> owners = new HashMap<>();
        for (RealServer rs : realServers) {
            if (cid == null) {
                if (rs.hasNodeId()) {
                    throw new ConfigException("service " + name + ": real server " + rs.address() + " has node-id "
                            + rs.nodeId() + " but the service has no dtls-cid: a node id only means something there");
                }
                continue;
            }
            if (!rs.hasNodeId()) {
                throw new ConfigException("service " + name + ": real server " + rs.address() + " has no node-id: "
                        + "every real server of a service with dtls-cid needs the node id it writes in its connection ids");
            }
            if (rs.nodeId() > cid.maxNodeId()) {
                throw new ConfigException("service " + name + ": real server " + rs.address() + " has node-id "
                        + rs.nodeId() + ", more than node-id-size " + cid.nodeIdSize() + " holds (at most "
                        + cid.maxNodeId() + ")");
            }
            IpAddress other = owners.putIfAbsent(rs.nodeId() & 0xff, rs.address());
            if (other != null) {
                throw new ConfigException("service " + name + ": real server " + rs.address() + " has node-id "
                        + rs.nodeId() + ", " + (realServers.stream().anyMatch(x -> x.address().equals(other)
                        && x.nodeId() == rs.nodeId()) ? "already real server " + other + "'s: node ids are unique in a "
                        + "service" : "whose last byte is real server " + other + "'s node id's: the node ids of a "
                        + "service differ in their last byte (the data path finds them by it)"));
            }
        }
    }

    /** A service whose real servers all have weight 1. */
    public static Service unweighted(String name, IpAddress vip, Collection<Integer> ports, List<IpAddress> servers) {
        List<RealServer> list = new ArrayList<>(servers.size());
        for (IpAddress a : servers) {
            if (a == null) {
                throw new ConfigException("service " + name + ": a real server address is missing (null)");
            }
            list.add(RealServer.of(a));
        }
        return of(name, vip, ports, list);
    }

    public String name() {
        return name;
    }

    public IpAddress vip() {
        return vip;
    }

    public SortedSet<Integer> ports() {
        return ports;
    }

    public List<RealServer> realServers() {
        return realServers;
    }

    /** The real servers' addresses, in list order. */
    public List<IpAddress> addresses() {
        List<IpAddress> out = new ArrayList<>(realServers.size());
        for (RealServer rs : realServers) {
            out.add(rs.address());
        }
        return out;
    }

    /** Its DTLS Connection ID routing, if it routes by connection id. */
    public Optional<DtlsCid> dtlsCid() {
        return Optional.ofNullable(dtlsCid);
    }

    public Service withRealServers(List<RealServer> servers) {
        return of(name, vip, ports, servers, dtlsCid);
    }

    /** This service with that DTLS Connection ID routing (null: none); its servers must agree. */
    public Service withDtlsCid(DtlsCid cid) {
        return of(name, vip, ports, realServers, cid);
    }

    /**
     * Checks this service against a dataplane's per-service limits.
     *
     * @throws ConfigException naming the offending value and the limit
     */
    public void validate(Limits limits) {
        if (ports.size() > limits.maxPorts()) {
            throw new ConfigException("service " + name + ": " + ports.size() + " ports configured, at most "
                    + limits.maxPorts() + " allowed (-mp)");
        }
        if (realServers.size() > limits.maxRealServers()) {
            throw new ConfigException("service " + name + ": " + realServers.size() + " real servers configured, at most "
                    + limits.maxRealServers() + " allowed (-mrs)");
        }
        int period = schedulePeriod();
        if (period > limits.maxSchedule()) {
            throw new ConfigException("service " + name + ": the weights " + weights() + " make a round-robin cycle of "
                    + period + " picks (their sum divided by their greatest common divisor), at most "
                    + limits.maxSchedule() + " allowed (64 x -mrs)");
        }
    }

    private List<Integer> weights() {
        List<Integer> w = new ArrayList<>();
        for (RealServer rs : realServers) {
            w.add(rs.weight());
        }
        return w;
    }

    /** The length of {@link #schedule()}: the sum of the weights over their greatest common divisor. */
    public int schedulePeriod() {
        int gcd = 0;
        long sum = 0;
        for (RealServer rs : realServers) {
            gcd = gcd(gcd, rs.weight());
            sum += rs.weight();
        }
        return gcd == 0 ? 0 : (int) (sum / gcd);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * One cycle of smooth weighted round robin (nginx's algorithm) over the list: the positions
     * picked, in order, for {@link #schedulePeriod()} new clients; the cycle repeats from there.
     * Each pick adds every server's weight to its current weight, takes the largest (the first
     * in list order on a tie) and takes the total weight off it. Weights 3:1 give 0,0,1,0.
     * Servers of weight 0 are never picked; an empty cycle means no server takes new clients.
     */
    public int[] schedule() {
        int n = realServers.size();
        int period = schedulePeriod();
        int[] out = new int[period];
        long[] current = new long[n];
        long total = 0;
        for (RealServer rs : realServers) {
            total += rs.weight();
        }
        for (int k = 0; k < period; k++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                current[i] += realServers.get(i).weight();
                if (realServers.get(i).weight() > 0 && (best < 0 || current[i] > current[best])) {
                    best = i;
                }
            }
            current[best] -= total;
            out[k] = best;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Service s && name.equals(s.name) && vip.equals(s.vip) && ports.equals(s.ports)
                && realServers.equals(s.realServers) && Objects.equals(dtlsCid, s.dtlsCid);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, vip, ports, realServers, dtlsCid);
    }

    @Override
    public String toString() {
        return name + ": vip=" + vip + " ports=" + ports + " realServers=" + realServers
                + (dtlsCid == null ? "" : " dtlsCid=" + dtlsCid);
    }
}
