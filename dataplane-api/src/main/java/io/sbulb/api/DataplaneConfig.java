package io.sbulb.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the data path balances: a list of {@link Service}s (docs/design.md, "Services"), IPv4 and
 * IPv6 mixed freely. The seed's shape, one VIP with its ports and unweighted real servers, is a
 * configuration of one service named {@value Service#DEFAULT_NAME} ({@link #of(IpAddress,
 * Collection, List)}), and the single-service accessors ({@link #virtualServer()},
 * {@link #ports()}, {@link #realServers()}) read it.
 *
 * <p>It also names the balancer host's own addresses ({@link #hostAddresses()}, issue 16): the
 * data path never translates a frame to one of them (a health probe's reply comes back to the
 * host from a real server's service port, and must not be taken for a flow the server starts).
 *
 * <p>Immutable. {@link #validate(Limits)} checks it against a dataplane's limits; dataplanes
 * call it before touching anything, so a bad configuration is never half-applied.
 */
public final class DataplaneConfig {

    private static final DataplaneConfig EMPTY = new DataplaneConfig(List.of(), Set.of());

    private final List<Service> services;
    private final SortedSet<IpAddress> hostAddresses;

    private DataplaneConfig(List<Service> services, Set<IpAddress> hostAddresses) {
        this.services = List.copyOf(services);
        this.hostAddresses = Collections.unmodifiableSortedSet(new TreeSet<>(hostAddresses));
    }

    private DataplaneConfig(List<Service> services) {
        this(services, Set.of());
    }

    /** A configuration of these services, in this order. */
    public static DataplaneConfig of(List<Service> services) {
        for (Service s : services) {
            if (s == null) {
                throw new ConfigException("a service is missing (null)");
            }
        }
        return new DataplaneConfig(services);
    }

    /**
     * The seed's configuration: one service named {@value Service#DEFAULT_NAME}, its real servers
     * of weight 1. A null {@code virtualServer} gives the empty configuration (nothing balanced).
     */
    public static DataplaneConfig of(IpAddress virtualServer, Collection<Integer> ports, List<IpAddress> realServers) {
        for (IpAddress a : realServers) {
            if (a == null) {
                throw new ConfigException("a real server address is missing (null)");
            }
        }
        if (virtualServer == null) {
            return EMPTY;
        }
        return new DataplaneConfig(List.of(Service.unweighted(Service.DEFAULT_NAME, virtualServer, ports, realServers)));
    }

    /** The empty configuration a dataplane starts with: no service. */
    public static DataplaneConfig empty() {
        return EMPTY;
    }

    public List<Service> services() {
        return services;
    }

    /** This configuration with these services instead of its own, in this order (the host addresses kept). */
    public DataplaneConfig withServices(List<Service> newServices) {
        return of(newServices).withHostAddresses(hostAddresses);
    }

    /**
     * The balancer host's own addresses, of both families: frames to them are passed untouched
     * ({@link Reason#TO_BALANCER_HOST}). Empty by default.
     */
    public SortedSet<IpAddress> hostAddresses() {
        return hostAddresses;
    }

    /** This configuration with these host addresses instead of its own. */
    public DataplaneConfig withHostAddresses(Set<IpAddress> addresses) {
        for (IpAddress a : addresses) {
            if (a == null) {
                throw new ConfigException("a host address is missing (null)");
            }
        }
        return new DataplaneConfig(services, addresses);
    }

    /** The service of that name. */
    public Optional<Service> service(String name) {
        for (Service s : services) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The only service, if there is one; for the seed's single-service shape. */
    private Optional<Service> single() {
        if (services.size() > 1) {
            throw new IllegalStateException("this configuration has " + services.size()
                    + " services; the single-service view does not apply");
        }
        return services.isEmpty() ? Optional.empty() : Optional.of(services.get(0));
    }

    /** The only service's VIP (the seed's {@code -vs}); empty without services. */
    public Optional<IpAddress> virtualServer() {
        return single().map(Service::vip);
    }

    /** The only service's ports; empty without services. */
    public SortedSet<Integer> ports() {
        return single().map(Service::ports).orElse(new TreeSet<>());
    }

    /** The only service's real-server addresses, in list order; empty without services. */
    public List<IpAddress> realServers() {
        return single().map(Service::addresses).orElse(List.of());
    }

    /** The only service with these real servers, of weight 1. */
    public DataplaneConfig withRealServers(List<IpAddress> servers) {
        Service s = single().orElseThrow(() -> new IllegalStateException("no service to give real servers to"));
        return withServices(List.of(Service.unweighted(s.name(), s.vip(), s.ports(), servers)));
    }

    /** The only service with these ports. */
    public DataplaneConfig withPorts(Collection<Integer> newPorts) {
        Service s = single().orElseThrow(() -> new IllegalStateException("no service to give ports to"));
        return withServices(List.of(Service.of(s.name(), s.vip(), newPorts, s.realServers(), s.dtlsCid().orElse(null))));
    }

    /** The only service with this VIP (keeping its real servers and weights); null removes the service. */
    public DataplaneConfig withVirtualServer(IpAddress vip) {
        Optional<Service> s = single();
        if (vip == null) {
            return EMPTY.withHostAddresses(hostAddresses);
        }
        if (s.isEmpty()) {
            return of(vip, List.of(), List.of()).withHostAddresses(hostAddresses);
        }
        return withServices(List.of(Service.of(s.get().name(), vip, s.get().ports(), s.get().realServers(),
                s.get().dtlsCid().orElse(null))));
    }

    /**
     * Checks this configuration against {@code limits}: each service's own limits, then what
     * services must not share. A VIP endpoint {@code (vip, port)} belongs to one service; a
     * real server endpoint {@code (server, port)} too (a flow the server starts from that port
     * must name one service); an address is a VIP or a real server, not both; a host address is
     * neither.
     *
     * @throws ConfigException naming the offending value and the limit
     */
    public void validate(Limits limits) {
        if (services.size() > limits.maxServices()) {
            throw new ConfigException(services.size() + " services configured, at most " + limits.maxServices()
                    + " allowed (--max-services)");
        }
        Map<String, Integer> names = new HashMap<>();
        Map<String, String> vipEndpoints = new HashMap<>();
        Map<String, String> serverEndpoints = new HashMap<>();
        Map<IpAddress, String> vips = new HashMap<>();
        Map<IpAddress, String> servers = new HashMap<>();
        for (int i = 0; i < services.size(); i++) {
            Service s = services.get(i);
            Integer before = names.putIfAbsent(s.name(), i);
            if (before != null) {
                throw new ConfigException("service name " + s.name() + " is used twice (services " + before + " and "
                        + i + ")");
            }
            s.validate(limits);
            vips.putIfAbsent(s.vip(), s.name());
            for (RealServer rs : s.realServers()) {
                servers.putIfAbsent(rs.address(), s.name());
            }
            for (int p : s.ports()) {
                String vipKey = new Endpoint(s.vip(), p).toString();
                String other = vipEndpoints.putIfAbsent(vipKey, s.name());
                if (other != null) {
                    throw new ConfigException("services " + other + " and " + s.name() + " both balance " + vipKey);
                }
                for (RealServer rs : s.realServers()) {
                    String key = new Endpoint(rs.address(), p).toString();
                    String owner = serverEndpoints.putIfAbsent(key, s.name());
                    if (owner != null) {
                        throw new ConfigException("real server " + key + " is in services " + owner + " and " + s.name()
                                + " on the same port: a flow it starts could not be told apart");
                    }
                }
            }
        }
        for (Map.Entry<IpAddress, String> e : servers.entrySet()) {
            String vipOf = vips.get(e.getKey());
            if (vipOf != null) {
                throw new ConfigException("address " + e.getKey() + " is the virtual server of service " + vipOf
                        + " and a real server of service " + e.getValue());
            }
        }
        for (IpAddress h : hostAddresses) {
            if (vips.containsKey(h)) {
                throw new ConfigException("host address " + h + " is the virtual server of service " + vips.get(h)
                        + ": the balancer host's own addresses are never balanced");
            }
            if (servers.containsKey(h)) {
                throw new ConfigException("host address " + h + " is a real server of service " + servers.get(h)
                        + ": the balancer host's own addresses are never balanced");
            }
        }
    }

    /** The number of real servers of all services. */
    public int realServerCount() {
        int n = 0;
        for (Service s : services) {
            n += s.realServers().size();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataplaneConfig c && services.equals(c.services) && hostAddresses.equals(c.hostAddresses);
    }

    @Override
    public int hashCode() {
        return services.hashCode() * 31 + hostAddresses.hashCode();
    }

    @Override
    public String toString() {
        String hosts = hostAddresses.isEmpty() ? "" : "; host addresses " + hostAddresses;
        if (services.isEmpty()) {
            return "no service" + hosts;
        }
        List<String> out = new ArrayList<>();
        for (Service s : services) {
            out.add(s.toString());
        }
        return String.join("; ", out) + hosts;
    }
}
