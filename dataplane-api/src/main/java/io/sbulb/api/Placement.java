package io.sbulb.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Where a configuration sits in the data path's tables (docs/design.md, "Services"): an id per
 * service, a slot per real server of a service, the round-robin cycle of slots per service, and
 * the endpoint and address tables the data path classifies frames with. Both dataplanes apply a
 * configuration through the same {@link #next(DataplaneConfig)}, so the ids and slots they give
 * agree, and with them every association they make.
 *
 * <p>An association names a slot and the slot's epoch, its incarnation: it stays valid while that
 * slot is live with that epoch. The rules that keep clients where they are:
 * <ul>
 * <li>A service keeps its id while its name stays; a real server keeps its slot (and epoch)
 * while it stays in its service, wherever it moves in the list and whatever its weight.</li>
 * <li>A real server that leaves its service is retired: its slot stays, not live (its late
 * replies are dropped, its associations wait); at most {@code -mrs} per service are remembered,
 * the most recently retired. One that comes back revives its slot: its associations hold again.</li>
 * <li>A slot freed (a retired server forgotten, a service removed) is given out again only by
 * the configuration after the next, with a new epoch, so a frame still deciding by the previous
 * generation never sees it change.</li>
 * </ul>
 * Immutable.
 */
public final class Placement {

    /** Address flags ({@link #addressFlags}). */
    public static final int ADDRESS_VIP = 1;
    public static final int ADDRESS_SERVER = 2;
    /** One of the balancer host's own addresses ({@link DataplaneConfig#hostAddresses()}). */
    public static final int ADDRESS_HOST = 4;

    public enum SlotState { LIVE, RETIRED }

    /**
     * A real-server slot in use.
     *
     * @param position   the server's index in its service's list when live, -1 when retired
     * @param weight     its weight when live, 0 when retired
     * @param retiredSeq its rank among the retired of all services, oldest first (0 when live)
     * @param nodeId     its DTLS connection-id node id when live, {@link RealServer#NO_NODE_ID} when
     *                   retired or without one
     */
    public record Slot(int id, int serviceId, IpAddress address, int epoch, SlotState state, int retiredSeq,
                       int weight, int position, long nodeId) {
        /** A slot without a node id. */
        public Slot(int id, int serviceId, IpAddress address, int epoch, SlotState state, int retiredSeq, int weight,
                    int position) {
            this(id, serviceId, address, epoch, state, retiredSeq, weight, position, RealServer.NO_NODE_ID);
        }
    }

    /**
     * A service with its id and its round-robin cycle of slots.
     *
     * @param fresh true when this placement gave the id to the service (new, or renamed): its
     *              round-robin cursor starts again at 0, written before the generation switch
     */
    public record PlacedService(int id, int order, Service service, int[] schedule, boolean fresh) {
    }

    public enum EndpointKind { SERVER, RETIRED }

    /** A real server's endpoint {@code (address, port)} as the data path's egress side finds it. */
    public record ServerEndpoint(Endpoint endpoint, EndpointKind kind, int serviceId, int slot) {
    }

    /**
     * What a service's slots and order are restored from (an adopted data path, a snapshot).
     *
     * @param dtlsCid its DTLS Connection ID routing, or null
     */
    public record ServiceHead(int id, int order, String name, IpAddress vip, SortedSet<Integer> ports,
                              DtlsCid dtlsCid) {
        /** A head of a service that does not route by connection id. */
        public ServiceHead(int id, int order, String name, IpAddress vip, SortedSet<Integer> ports) {
            this(id, order, name, vip, ports, null);
        }
    }

    private final Limits limits;
    private final DataplaneConfig config;
    private final PlacedService[] services;
    private final Slot[] slots;
    private final int nextEpoch;
    private final int nextRetiredSeq;
    private final Map<Endpoint, Integer> vipEndpoints = new HashMap<>();
    private final Map<Endpoint, ServerEndpoint> serverEndpoints = new LinkedHashMap<>();
    private final Map<IpAddress, Integer> addressFlags = new HashMap<>();
    /** (service id, node id) -> the live slot of that node id, for the services that route by connection id. */
    private final Map<List<Long>, Integer> cidSlots = new HashMap<>();

    private Placement(Limits limits, DataplaneConfig config, PlacedService[] services, Slot[] slots, int nextEpoch,
                      int nextRetiredSeq) {
        this.limits = limits;
        this.config = config;
        this.services = services;
        this.slots = slots;
        this.nextEpoch = nextEpoch;
        this.nextRetiredSeq = nextRetiredSeq;
        index();
    }

    /** Nothing placed: the empty configuration. */
    public static Placement empty(Limits limits) {
        return new Placement(limits, DataplaneConfig.empty(), new PlacedService[limits.maxServices()],
                new Slot[limits.maxSlots()], 1, 1);
    }

    /**
     * Rebuilds a placement from what the data path's tables hold: the services' heads and the
     * slots in use (live and retired), the next epoch and retired rank to give out.
     *
     * @throws ConfigException when they do not make a configuration within the limits
     */
    public static Placement restore(Limits limits, List<ServiceHead> heads, List<Slot> used, int nextEpoch,
                                    int nextRetiredSeq) {
        return restore(limits, heads, used, nextEpoch, nextRetiredSeq, java.util.Set.of());
    }

    /** As {@link #restore(Limits, List, List, int, int)}, with the balancer host's addresses the tables name. */
    public static Placement restore(Limits limits, List<ServiceHead> heads, List<Slot> used, int nextEpoch,
                                    int nextRetiredSeq, java.util.Set<IpAddress> hostAddresses) {
        PlacedService[] svc = new PlacedService[limits.maxServices()];
        Slot[] slots = new Slot[limits.maxSlots()];
        Map<Integer, ServiceHead> byId = new HashMap<>();
        java.util.Set<Integer> orders = new java.util.HashSet<>();
        for (ServiceHead h : heads) {
            if (h.id() < 0 || h.id() >= svc.length) {
                throw new ConfigException("service id " + h.id() + " of " + h.name() + " is outside 0.." + (svc.length - 1));
            }
            if (byId.put(h.id(), h) != null) {
                throw new ConfigException("service id " + h.id() + " is given twice");
            }
            if (!orders.add(h.order())) {
                throw new ConfigException("service order " + h.order() + " is given twice");
            }
        }
        Map<Integer, List<Slot>> live = new HashMap<>();
        Map<Integer, Integer> retiredCount = new HashMap<>();
        java.util.Set<Integer> epochs = new java.util.HashSet<>();
        java.util.Set<String> serverKeys = new java.util.HashSet<>();
        for (Slot s : used) {
            if (s.id() < 0 || s.id() >= slots.length) {
                throw new ConfigException("slot " + s.id() + " is outside 0.." + (slots.length - 1));
            }
            if (slots[s.id()] != null) {
                throw new ConfigException("slot " + s.id() + " is given twice");
            }
            ServiceHead h = byId.get(s.serviceId());
            if (h == null) {
                throw new ConfigException("slot " + s.id() + " (" + s.address() + ") names service id " + s.serviceId()
                        + ", which has no service");
            }
            if (!serverKeys.add(s.serviceId() + " " + s.address())) {
                throw new ConfigException("slot " + s.id() + ": " + s.address() + " has two slots in service " + h.name());
            }
            if (s.state() == SlotState.LIVE && s.address().family() != h.vip().family()) {
                // a retired one may be: the VIP changed family since it left
                throw new ConfigException("slot " + s.id() + ": live " + s.address() + " is not of the family of service "
                        + h.name() + "'s VIP " + h.vip());
            }
            if (s.epoch() == 0 || !epochs.add(s.epoch()) || Integer.compareUnsigned(s.epoch(), nextEpoch) >= 0) {
                throw new ConfigException("slot " + s.id() + ": epoch " + Integer.toUnsignedString(s.epoch())
                        + " is 0, given twice, or not below the next epoch " + Integer.toUnsignedString(nextEpoch));
            }
            if (s.state() == SlotState.RETIRED) {
                if (s.retiredSeq() <= 0 || Integer.compareUnsigned(s.retiredSeq(), nextRetiredSeq) >= 0) {
                    throw new ConfigException("slot " + s.id() + ": retired rank " + s.retiredSeq()
                            + " is not between 1 and the next rank " + nextRetiredSeq);
                }
                if (retiredCount.merge(s.serviceId(), 1, Integer::sum) > limits.maxRealServers()) {
                    throw new ConfigException("service " + h.name() + " has more than " + limits.maxRealServers()
                            + " retired servers (-mrs)");
                }
            } else {
                live.computeIfAbsent(s.serviceId(), k -> new ArrayList<>()).add(s);
            }
            slots[s.id()] = s;
        }
        for (Map.Entry<Integer, List<Slot>> e : live.entrySet()) {
            List<Slot> mine = e.getValue();
            mine.sort((a, b) -> Integer.compare(a.position(), b.position()));
            for (int i = 0; i < mine.size(); i++) {
                if (mine.get(i).position() != i) {
                    throw new ConfigException("service " + byId.get(e.getKey()).name() + ": live servers' positions "
                            + "are not 0.." + (mine.size() - 1) + " (slot " + mine.get(i).id() + " at "
                            + mine.get(i).position() + ")");
                }
            }
        }
        List<ServiceHead> ordered = new ArrayList<>(heads);
        ordered.sort((a, b) -> Integer.compare(a.order(), b.order()));
        List<Service> list = new ArrayList<>();
        for (ServiceHead h : ordered) {
            List<Slot> mine = new ArrayList<>(live.getOrDefault(h.id(), List.of()));
            mine.sort((a, b) -> Integer.compare(a.position(), b.position()));
            List<RealServer> servers = new ArrayList<>();
            for (Slot s : mine) {
                servers.add(new RealServer(s.address(), s.weight(), s.nodeId()));
            }
            Service service = Service.of(h.name(), h.vip(), h.ports(), servers, h.dtlsCid());
            list.add(service);
            svc[h.id()] = new PlacedService(h.id(), list.size() - 1, service, null, false);
        }
        DataplaneConfig config = DataplaneConfig.of(list).withHostAddresses(hostAddresses);
        config.validate(limits);
        for (int id = 0; id < svc.length; id++) {
            if (svc[id] != null) {
                svc[id] = new PlacedService(id, svc[id].order(), svc[id].service(), scheduleOf(svc[id].service(), id, slots),
                        false);
            }
        }
        return new Placement(limits, config, svc, slots, nextEpoch, nextRetiredSeq);
    }

    /**
     * The placement of {@code to}, applied after this one. Validates first.
     *
     * @throws ConfigException naming the offending value and the limit; nothing is placed
     */
    public Placement next(DataplaneConfig to) {
        to.validate(limits);
        Map<String, Integer> oldIds = new HashMap<>();
        for (PlacedService p : services) {
            if (p != null) {
                oldIds.put(p.service().name(), p.id());
            }
        }
        // service ids: kept by name; new names take ids free before and after, else any free id
        PlacedService[] svc = new PlacedService[services.length];
        int[] idOf = new int[to.services().size()];
        Arrays.fill(idOf, -1);
        boolean[] taken = new boolean[services.length];
        for (int i = 0; i < to.services().size(); i++) {
            Integer id = oldIds.get(to.services().get(i).name());
            if (id != null) {
                idOf[i] = id;
                taken[id] = true;
            }
        }
        for (int i = 0; i < idOf.length; i++) {
            if (idOf[i] < 0) {
                idOf[i] = freeId(taken, true);
                taken[idOf[i]] = true;
            }
        }
        // slots of the services that stay, by (id, address)
        Map<Integer, Map<IpAddress, Slot>> kept = new HashMap<>();
        for (int i = 0; i < idOf.length; i++) {
            PlacedService before = services[idOf[i]];
            if (before != null && before.service().name().equals(to.services().get(i).name())) {
                kept.put(idOf[i], new HashMap<>());
            }
        }
        for (Slot s : slots) {
            if (s != null && kept.containsKey(s.serviceId())) {
                kept.get(s.serviceId()).put(s.address(), s);
            }
        }
        Slot[] out = new Slot[slots.length];
        int epoch = nextEpoch;
        int seq = nextRetiredSeq;
        int cursor = 0;
        for (int i = 0; i < idOf.length; i++) {
            Service s = to.services().get(i);
            int id = idOf[i];
            Map<IpAddress, Slot> mine = kept.getOrDefault(id, Map.of());
            List<RealServer> list = s.realServers();
            for (int pos = 0; pos < list.size(); pos++) {
                RealServer rs = list.get(pos);
                Slot had = mine.get(rs.address());
                if (had != null) {
                    out[had.id()] = new Slot(had.id(), id, rs.address(), had.epoch(), SlotState.LIVE, 0, rs.weight(), pos,
                            rs.nodeId());
                } else {
                    while (slots[cursor] != null || out[cursor] != null) {
                        cursor++; // never past the end: limits.maxSlots() covers live + retired + freed
                    }
                    out[cursor] = new Slot(cursor, id, rs.address(), epoch++, SlotState.LIVE, 0, rs.weight(), pos,
                            rs.nodeId());
                }
            }
            // retired: those retired before and not back, then those that just left in their old order
            List<Slot> retired = new ArrayList<>();
            for (Slot had : mine.values()) {
                if (had.state() == SlotState.RETIRED && out[had.id()] == null) {
                    retired.add(had);
                }
            }
            retired.sort((a, b) -> Integer.compare(a.retiredSeq(), b.retiredSeq()));
            List<Slot> leaving = new ArrayList<>();
            for (Slot had : mine.values()) {
                if (had.state() == SlotState.LIVE && out[had.id()] == null) {
                    leaving.add(had);
                }
            }
            leaving.sort((a, b) -> Integer.compare(a.position(), b.position()));
            for (Slot had : leaving) {
                retired.add(new Slot(had.id(), id, had.address(), had.epoch(), SlotState.RETIRED, seq++, 0, -1));
            }
            for (Slot r : retired.subList(Math.max(0, retired.size() - limits.maxRealServers()), retired.size())) {
                out[r.id()] = r;
            }
        }
        for (int i = 0; i < idOf.length; i++) {
            svc[idOf[i]] = new PlacedService(idOf[i], i, to.services().get(i), scheduleOf(to.services().get(i), idOf[i], out),
                    !kept.containsKey(idOf[i]));
        }
        return new Placement(limits, to, svc, out, epoch, seq);
    }

    private int freeId(boolean[] taken, boolean preferFreeBefore) {
        for (int id = 0; id < taken.length; id++) {
            if (!taken[id] && (!preferFreeBefore || services[id] == null)) {
                return id;
            }
        }
        if (preferFreeBefore) {
            return freeId(taken, false);
        }
        throw new IllegalStateException("no service id left; validate() bounds the services");
    }

    private static int[] scheduleOf(Service s, int id, Slot[] slots) {
        int[] slotAt = new int[s.realServers().size()];
        for (Slot x : slots) {
            if (x != null && x.serviceId() == id && x.state() == SlotState.LIVE) {
                slotAt[x.position()] = x.id();
            }
        }
        int[] positions = s.schedule();
        int[] out = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            out[k] = slotAt[positions[k]];
        }
        return out;
    }

    private void index() {
        List<PlacedService> ordered = services();
        for (IpAddress h : config.hostAddresses()) {
            addressFlags.merge(h, ADDRESS_HOST, (a, b) -> a | b);
        }
        for (PlacedService p : ordered) {
            addressFlags.merge(p.service().vip(), ADDRESS_VIP, (a, b) -> a | b);
            for (int port : p.service().ports()) {
                vipEndpoints.put(new Endpoint(p.service().vip(), port), p.id());
            }
        }
        for (PlacedService p : ordered) {
            for (Slot s : slotsOf(p.id(), SlotState.LIVE)) {
                addressFlags.merge(s.address(), ADDRESS_SERVER, (a, b) -> a | b);
                if (p.service().dtlsCid().isPresent() && s.nodeId() != RealServer.NO_NODE_ID) {
                    cidSlots.put(List.of((long) p.id(), s.nodeId()), s.id());
                }
                for (int port : p.service().ports()) {
                    serverEndpoints.put(new Endpoint(s.address(), port),
                            new ServerEndpoint(new Endpoint(s.address(), port), EndpointKind.SERVER, p.id(), s.id()));
                }
            }
        }
        for (PlacedService p : ordered) {
            for (Slot s : slotsOf(p.id(), SlotState.RETIRED)) {
                for (int port : p.service().ports()) {
                    serverEndpoints.putIfAbsent(new Endpoint(s.address(), port),
                            new ServerEndpoint(new Endpoint(s.address(), port), EndpointKind.RETIRED, p.id(), s.id()));
                }
            }
        }
    }

    /** The slots of a service in that state: live ones in list order, retired ones oldest first. */
    public List<Slot> slotsOf(int serviceId, SlotState state) {
        List<Slot> out = new ArrayList<>();
        for (Slot s : slots) {
            if (s != null && s.serviceId() == serviceId && s.state() == state) {
                out.add(s);
            }
        }
        out.sort(state == SlotState.LIVE ? (a, b) -> Integer.compare(a.position(), b.position())
                : (a, b) -> Integer.compare(a.retiredSeq(), b.retiredSeq()));
        return out;
    }

    public Limits limits() {
        return limits;
    }

    /** The configuration placed. */
    public DataplaneConfig config() {
        return config;
    }

    /** The services placed, in the configuration's order. */
    public List<PlacedService> services() {
        List<PlacedService> out = new ArrayList<>();
        for (PlacedService p : services) {
            if (p != null) {
                out.add(p);
            }
        }
        out.sort((a, b) -> Integer.compare(a.order(), b.order()));
        return out;
    }

    /** The service of that id, or null. */
    public PlacedService service(int id) {
        return id >= 0 && id < services.length ? services[id] : null;
    }

    /** The name of the service of that id, or {@link Association#unknownService(int)}. */
    public String serviceName(int id) {
        PlacedService p = service(id);
        return p == null ? Association.unknownService(id) : p.service().name();
    }

    /**
     * Per-slot frame counts named by server: every slot in use (live or retired) as
     * {@code (service name, address)} with its count in {@code bySlot} (0 when absent). A server
     * has one slot in its service, so no two slots share a name.
     */
    public Map<ServerRef, Long> perServer(Map<Integer, Long> bySlot) {
        Map<ServerRef, Long> out = new java.util.TreeMap<>();
        for (Slot x : slots) {
            if (x != null) {
                out.put(new ServerRef(serviceName(x.serviceId()), x.address()), bySlot.getOrDefault(x.id(), 0L));
            }
        }
        return out;
    }

    /** The slot of that id, or null when it is free. */
    public Slot slot(int id) {
        return id >= 0 && id < slots.length ? slots[id] : null;
    }

    /** The slots in use, by id. */
    public List<Slot> slots() {
        List<Slot> out = new ArrayList<>();
        for (Slot s : slots) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Whether an association naming {@code (slot, epoch)} is valid: the slot is live with that epoch. */
    public boolean valid(int slot, int epoch) {
        Slot s = slot(slot);
        return s != null && s.state() == SlotState.LIVE && s.epoch() == epoch && epoch != 0;
    }

    /** The server an association names, when its slot still has that epoch (live or retired); else null. */
    public IpAddress serverOf(int slot, int epoch) {
        Slot s = slot(slot);
        return s != null && s.epoch() == epoch && epoch != 0 ? s.address() : null;
    }

    /** The service balancing {@code (vip, port)}, or -1. */
    public int vipService(Endpoint vipPort) {
        return vipEndpoints.getOrDefault(vipPort, -1);
    }

    /** Every {@code (vip, port)} balanced, with its service id. */
    public Map<Endpoint, Integer> vipEndpoints() {
        return Collections.unmodifiableMap(vipEndpoints);
    }

    /**
     * The live slot of service {@code serviceId} whose server has node id {@code nodeId}, when the
     * service routes by DTLS connection id; else -1 (no such server: down, removed, or never).
     */
    public int cidSlot(int serviceId, long nodeId) {
        return cidSlots.getOrDefault(List.of((long) serviceId, nodeId), -1);
    }

    /** Every {@code (service id, node id)} of a live server of a service that routes by connection id, with its slot. */
    public Map<List<Long>, Integer> cidSlots() {
        return Collections.unmodifiableMap(cidSlots);
    }

    /** The real-server endpoint {@code (address, port)}: live or retired, or null. */
    public ServerEndpoint serverEndpoint(Endpoint e) {
        return serverEndpoints.get(e);
    }

    /** Every real-server endpoint, live ones first. */
    public Map<Endpoint, ServerEndpoint> serverEndpoints() {
        return Collections.unmodifiableMap(serverEndpoints);
    }

    /** {@link #ADDRESS_VIP} and {@link #ADDRESS_SERVER} (a live real server of any service) bits. */
    public int addressFlags(IpAddress a) {
        return addressFlags.getOrDefault(a, 0);
    }

    /** Every address with flags. */
    public Map<IpAddress, Integer> addressFlags() {
        return Collections.unmodifiableMap(addressFlags);
    }

    /** The epoch the next new slot gets. */
    public int nextEpoch() {
        return nextEpoch;
    }

    /** The rank the next retired server gets. */
    public int nextRetiredSeq() {
        return nextRetiredSeq;
    }

    /** The heads of the services placed, for a snapshot or the maps. */
    public List<ServiceHead> heads() {
        List<ServiceHead> out = new ArrayList<>();
        for (PlacedService p : services()) {
            out.add(new ServiceHead(p.id(), p.order(), p.service().name(), p.service().vip(),
                    new TreeSet<>(p.service().ports()), p.service().dtlsCid().orElse(null)));
        }
        return out;
    }
}
