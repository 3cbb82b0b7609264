package io.sbulb.control.config;

import com.fasterxml.jackson.core.JsonToken;
import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DtlsCid;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.api.TextFiles;
import io.sbulb.control.config.YamlTree.At;
import io.sbulb.control.config.YamlTree.Entry;
import io.sbulb.control.config.YamlTree.Mapping;
import io.sbulb.control.config.YamlTree.Node;
import io.sbulb.control.config.YamlTree.Scalar;
import io.sbulb.control.config.YamlTree.Sequence;
import io.sbulb.control.health.ServiceHealth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The services file of {@code sbulb IFNET --config FILE} (README, "The services file"): YAML,
 *
 * <pre>
 * limits:                 # optional; fixed at start
 *   max-services: 64
 *   max-ports: 16         # per service
 *   max-real-servers: 32  # per service
 *   max-associations: 1048576
 * services:
 *   - name: coap-v4
 *     vip: 198.18.0.10
 *     ports: [5683, 5684]
 *     real-servers:
 *       - 198.18.2.11                          # weight 1
 *       - {address: 198.18.2.12, weight: 3}
 *       - {address: 198.18.2.13, weight: 0}    # draining
 *     health: {probe: coap}                    # optional: {@link HealthSection}
 *   - name: dtls
 *     vip: 198.18.0.11
 *     ports: [5684]
 *     dtls-cid: {length: 6}                    # optional: node-id-offset 0, node-id-size 1
 *     real-servers:
 *       - {address: 198.18.2.21, node-id: 1}   # each with the node id of its connection ids
 *       - {address: 198.18.2.22, node-id: 2}
 * </pre>
 *
 * Strict: an unknown key, a key given twice, a value of the wrong kind, a port listed twice are
 * errors, and so is anything {@link Service#of} or {@link DataplaneConfig#validate} refuses.
 * Every error is one {@link ConfigException} whose message starts with the file's name, the
 * line and the column of what it is about (for a check across services, the service that breaks
 * it: the later one in the file), and names the value and the limit.
 */
public final class ServicesFile {

    /** Longer files are refused. */
    public static final long MAX_BYTES = 4L << 20;

    static final Set<String> TOP = Set.of("limits", "services");
    static final List<String> LIMIT_KEYS = List.of("max-services", "max-ports", "max-real-servers", "max-associations");
    static final List<String> SERVICE_KEYS = List.of("name", "vip", "ports", "real-servers", "health", "dtls-cid");
    static final List<String> SERVER_KEYS = List.of("address", "weight", "node-id");
    static final List<String> DTLS_CID_KEYS = List.of("length", "node-id-offset", "node-id-size");

    /** A command-line flag in the API's messages, and the file's name of the same limit. */
    private static final String[][] LIMIT_WORDS = {
        {"(-mp)", "(limits: max-ports)"},
        {"(-mrs)", "(limits: max-real-servers)"},
        {"(64 x -mrs)", "(64 x limits: max-real-servers)"},
        {"(--max-services)", "(limits: max-services)"},
    };

    /** What a services file says: the limits (the defaults where it gives none) and the services. */
    public static final class Contents {
        private final String source;
        private final Limits limits;
        private final DataplaneConfig config;
        private final Map<String, At> limitKeys;
        private final At limitsAt;
        private final Map<String, ServiceHealth> health;

        private Contents(String source, Limits limits, DataplaneConfig config, Map<String, At> limitKeys, At limitsAt,
                Map<String, ServiceHealth> health) {
            this.source = source;
            this.health = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(health));
            this.limits = limits;
            this.config = config;
            this.limitKeys = Map.copyOf(limitKeys);
            this.limitsAt = limitsAt;
        }

        public Limits limits() {
            return limits;
        }

        public DataplaneConfig config() {
            return config;
        }

        /** The health sections, by service name, in file order; a service without one is absent. */
        public Map<String, ServiceHealth> health() {
            return health;
        }

        /**
         * Checks that the file's limits are those a data path runs with: they size its maps, so
         * they are fixed at start.
         *
         * @throws ConfigException naming the line of the limit that differs, both values and the way out
         */
        public void requireLimits(Limits running) {
            int[] mine = values(limits);
            int[] theirs = values(running);
            for (int i = 0; i < LIMIT_KEYS.size(); i++) {
                if (mine[i] != theirs[i]) {
                    String key = LIMIT_KEYS.get(i);
                    At at = limitKeys.getOrDefault(key, limitsAt);
                    throw new ConfigException(source + (at == null ? "" : " " + at) + ": " + key + " is " + mine[i]
                            + (limitKeys.containsKey(key) ? "" : " (the default)") + " but the data path runs with "
                            + theirs[i] + ": the limits are fixed at start; restart sbulb to change them");
                }
            }
        }

        private static int[] values(Limits l) {
            return new int[] {l.maxServices(), l.maxPorts(), l.maxRealServers(), l.maxAssociations()};
        }
    }

    private final String source;
    private final Map<String, ServiceHealth> health = new LinkedHashMap<>();

    private ServicesFile(String source) {
        this.source = source;
    }

    /**
     * Reads and checks a services file. Anything but a regular file (a FIFO, a device) is refused
     * before it is opened.
     *
     * @throws ConfigException naming the file, and for a bad value its line, column and the limit
     */
    public static Contents read(Path file) {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES);
        } catch (TextFiles.Unreadable e) {
            throw new ConfigException("cannot read services file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses and checks the text of a services file named {@code source} (for messages). */
    public static Contents parse(String text, String source) {
        return new ServicesFile(source).contents(YamlTree.parse(text, source));
    }

    private Contents contents(Node root) {
        Mapping top = mapping(root, "the file", TOP);
        Map<String, At> limitKeys = new LinkedHashMap<>();
        Entry limitsEntry = top.get("limits");
        Limits limits = limitsEntry == null ? Limits.DEFAULT : limits(limitsEntry.value(), limitKeys);
        Entry servicesEntry = top.get("services");
        if (servicesEntry == null) {
            throw error(root.at(), "no 'services' key: the file lists its services under 'services:' "
                    + "(an empty list, 'services: []', balances nothing)");
        }
        List<Node> items = sequence(servicesEntry, "a list of services");
        List<Service> services = new ArrayList<>();
        Map<String, At> names = new HashMap<>();
        for (Node item : items) {
            Service s = service(item);
            At before = names.putIfAbsent(s.name(), item.at());
            if (before != null) {
                throw error(item.at(), "service name '" + s.name() + "' is used twice (first at line " + before.line()
                        + ")");
            }
            services.add(s);
        }
        DataplaneConfig config = DataplaneConfig.of(services);
        validate(config, limits, items);
        return new Contents(source, limits, config, limitKeys, limitsEntry == null ? null : limitsEntry.keyAt(), health);
    }

    /**
     * {@link DataplaneConfig#validate} names services, not lines: the first service in file order
     * whose addition makes the list invalid is the one the error is about (validity only gets
     * worse as services are added, so it is found by halving).
     */
    private void validate(DataplaneConfig config, Limits limits, List<Node> items) {
        ConfigException whole = refusal(config, limits, config.services().size());
        if (whole == null) {
            return;
        }
        int lo = 1;
        int hi = config.services().size(); // prefix hi is refused
        ConfigException first = whole;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            ConfigException e = refusal(config, limits, mid);
            if (e != null) {
                hi = mid;
                first = e;
            } else {
                lo = mid + 1;
            }
        }
        throw error(items.get(hi - 1).at(), inFileTerms(first.getMessage()), first);
    }

    private static ConfigException refusal(DataplaneConfig config, Limits limits, int prefix) {
        try {
            DataplaneConfig.of(config.services().subList(0, prefix)).validate(limits);
            return null;
        } catch (ConfigException e) {
            return e;
        }
    }

    /** The API words a limit by its command-line flag; in a file, by its key. */
    static String inFileTerms(String message) {
        String out = message;
        for (String[] w : LIMIT_WORDS) {
            out = out.replace(w[0], w[1]);
        }
        return out;
    }

    private Limits limits(Node node, Map<String, At> keys) {
        Mapping m = mapping(node, "limits", Set.copyOf(LIMIT_KEYS));
        int[] max = {Limits.MAX_SERVICES_LIMIT, Limits.MAX_PORTS_LIMIT, Limits.MAX_REAL_SERVERS_LIMIT,
            Limits.MAX_ASSOCIATIONS_LIMIT};
        Limits d = Limits.DEFAULT;
        int[] v = {d.maxServices(), d.maxPorts(), d.maxRealServers(), d.maxAssociations()};
        for (int i = 0; i < LIMIT_KEYS.size(); i++) {
            Entry e = m.get(LIMIT_KEYS.get(i));
            if (e != null) {
                v[i] = integer(e, 1, max[i]);
                keys.put(e.key(), e.keyAt());
            }
        }
        return new Limits(v[1], v[2], v[3], v[0]);
    }

    private Service service(Node node) {
        Mapping m = mapping(node, "a service", Set.copyOf(SERVICE_KEYS));
        String name = text(required(m, "name", "a service"));
        Entry vipEntry = required(m, "vip", "service " + name);
        IpAddress vip = parsed(vipEntry, IpAddress::parse);
        Entry portsEntry = required(m, "ports", "service " + name);
        List<Integer> ports = new ArrayList<>();
        Map<Integer, At> portAt = new HashMap<>();
        for (Node p : sequence(portsEntry, "a list of UDP ports like [5683, 5684]")) {
            int port = integer(p, "ports", 1, 65535);
            At before = portAt.putIfAbsent(port, p.at());
            if (before != null) {
                throw error(p.at(), "service " + name + ": port " + port + " is listed twice (first at line "
                        + before.line() + ")");
            }
            ports.add(port);
        }
        if (ports.isEmpty()) {
            throw error(portsEntry.value().at(), "service " + name + ": no port; give at least one, like [5683]");
        }
        List<Node> serverNodes = sequence(required(m, "real-servers", "service " + name),
                "a list of real servers (addresses, or {address: ..., weight: ...})");
        List<RealServer> servers = new ArrayList<>();
        for (Node s : serverNodes) {
            servers.add(realServer(s, name));
        }
        Entry healthEntry = m.get("health");
        if (healthEntry != null) {
            health.put(name, new HealthSection(this).read(healthEntry, name, ports.stream().min(Integer::compare).get()));
        }
        Entry cidEntry = m.get("dtls-cid");
        DtlsCid cid = cidEntry == null ? null : dtlsCid(cidEntry.value(), name);
        try {
            return Service.of(name, vip, ports, servers, cid);
        } catch (ConfigException e) {
            At at = node.at();
            for (int i = 0; i < servers.size(); i++) {
                if (e.getMessage().contains("real server " + servers.get(i).address() + " ")) {
                    Node n = serverNodes.get(i);
                    at = n instanceof Mapping sm && sm.get("node-id") != null && e.getMessage().contains("node-id")
                            ? sm.get("node-id").value().at() : n.at();
                    break;
                }
            }
            throw error(at, e.getMessage(), e);
        }
    }

    /** A service's {@code dtls-cid}: {@code length}, {@code node-id-offset} (0), {@code node-id-size} (1). */
    private DtlsCid dtlsCid(Node node, String service) {
        Mapping m = mapping(node, "dtls-cid of service " + service, Set.copyOf(DTLS_CID_KEYS));
        int length = integer(required(m, "length", "dtls-cid of service " + service), 1, DtlsCid.MAX_LENGTH);
        Entry sizeEntry = m.get("node-id-size");
        int size = sizeEntry == null ? DtlsCid.DEFAULT_NODE_ID_SIZE : integer(sizeEntry, 1, DtlsCid.MAX_NODE_ID_SIZE);
        Entry offsetEntry = m.get("node-id-offset");
        int offset = offsetEntry == null ? DtlsCid.DEFAULT_NODE_ID_OFFSET
                : integer(offsetEntry, 0, Math.max(0, length - size));
        if (offset > length - size) {
            throw error((sizeEntry != null ? sizeEntry : m.get("length")).value().at(), "service " + service
                    + ": dtls-cid node-id-size " + size + " is more than the length " + length + " holds");
        }
        return new DtlsCid(length, offset, size);
    }

    private RealServer realServer(Node node, String service) {
        IpAddress address;
        int weight = RealServer.DEFAULT_WEIGHT;
        long nodeId = RealServer.NO_NODE_ID;
        if (node instanceof Mapping m) {
            address = parsed(required(m, "address", "a real server of service " + service), IpAddress::parse);
            Entry w = m.get("weight");
            if (w != null) {
                weight = integer(w, 0, RealServer.MAX_WEIGHT);
            }
            Entry id = m.get("node-id");
            if (id != null) {
                nodeId = integer(id.value(), id.key(), 0, RealServer.MAX_NODE_ID);
            }
            unknownKeys(m, "a real server", Set.copyOf(SERVER_KEYS));
        } else if (node instanceof Scalar) {
            address = parsed(node, "real-servers", IpAddress::parse);
        } else {
            throw error(node.at(), "service " + service + ": a real server is an address, or {address: ..., weight: ..., "
                    + "node-id: ...}");
        }
        return new RealServer(address, weight, nodeId);
    }

    // --- typed access, each error located ---

    Mapping mapping(Node node, String what, Set<String> keys) {
        if (!(node instanceof Mapping m)) {
            throw error(node.at(), what + " is a mapping (key: value), got " + show(node));
        }
        unknownKeys(m, what, keys);
        return m;
    }

    private void unknownKeys(Mapping m, String what, Set<String> keys) {
        for (Entry e : m.entries().values()) {
            if (!keys.contains(e.key())) {
                List<String> known = new ArrayList<>(keys);
                known.sort(null);
                throw error(e.keyAt(), "unknown key '" + e.key() + "' in " + what + " (known: " + String.join(", ", known)
                        + ")");
            }
        }
    }

    Entry required(Mapping m, String key, String of) {
        Entry e = m.get(key);
        if (e == null) {
            throw error(m.at(), of + ": '" + key + "' is missing");
        }
        return e;
    }

    private List<Node> sequence(Entry e, String expected) {
        if (!(e.value() instanceof Sequence s)) {
            throw error(e.value().at(), e.key() + ": expected " + expected + ", got " + show(e.value()));
        }
        return s.items();
    }

    private String text(Entry e) {
        if (!(e.value() instanceof Scalar s) || s.kind() == JsonToken.VALUE_NULL) {
            throw error(e.value().at(), e.key() + ": expected text, got " + show(e.value()));
        }
        return s.text();
    }

    private <T> T parsed(Entry e, Function<String, T> parser) {
        return parsed(e.value(), e.key(), parser);
    }

    private <T> T parsed(Node n, String key, Function<String, T> parser) {
        if (!(n instanceof Scalar s) || s.kind() == JsonToken.VALUE_NULL) {
            throw error(n.at(), key + ": expected an address, got " + show(n));
        }
        try {
            return parser.apply(s.text());
        } catch (IllegalArgumentException e) {
            throw error(n.at(), key + ": " + e.getMessage(), e);
        }
    }

    int integer(Entry e, int min, int max) {
        return integer(e.value(), e.key(), min, max);
    }

    private int integer(Node n, String key, int min, int max) {
        return (int) integer(n, key, min, (long) max);
    }

    private long integer(Node n, String key, long min, long max) {
        if (!(n instanceof Scalar s) || s.kind() != JsonToken.VALUE_NUMBER_INT) {
            throw error(n.at(), key + ": expected an integer in " + min + ".." + max + ", got " + show(n));
        }
        long v;
        try {
            v = Long.parseLong(s.text());
        } catch (NumberFormatException x) {
            throw error(n.at(), key + ": '" + s.text() + "' is not a decimal integer in " + min + ".." + max);
        }
        if (v < min || v > max) {
            throw error(n.at(), key + ": " + s.text() + " is outside " + min + ".." + max);
        }
        return v;
    }

    static String show(Node n) {
        if (n instanceof Scalar s) {
            return s.kind() == JsonToken.VALUE_NULL ? "nothing" : "'" + s.text() + "'";
        }
        return n instanceof Sequence ? "a list" : "a mapping";
    }

    ConfigException error(At at, String message) {
        return new ConfigException(source + " " + at + ": " + message);
    }

    ConfigException error(At at, String message, Exception cause) {
        return new ConfigException(source + " " + at + ": " + message, cause);
    }
}
