package io.sbulb.sim;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Placement;
import io.sbulb.api.Placement.ServiceHead;
import io.sbulb.api.Placement.Slot;
import io.sbulb.api.Reason;
import io.sbulb.sim.lru.LruState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a {@link ReferenceDataplane} holds, as the XDP program's pinned maps would hold it across
 * a restart of its daemon ({@link ReferenceDataplane#save()}, {@link ReferenceDataplane#restore}):
 * the limits and event mask it was created with; the placement in force (the services' heads,
 * every slot in use, live or retired, with its epoch, the next epoch and retired rank: what
 * {@code sbulb_config}, {@code sbulb_services} and {@code sbulb_reals} hold, from which
 * {@link Placement#restore} rebuilds it), the balancer host's addresses ({@code sbulb_addrs}); the round-robin cursors ({@code sbulb_state}, by
 * service id); the counters ({@code sbulb_counters}) and the frames and clients moved per slot
 * ({@code sbulb_slot_frames}); and both association tables
 * ({@code sbulb_assoc4}, {@code sbulb_assoc6}) with the whole state of their kernel LRU models
 * ({@link LruState}). Not the event log: events not drained are lost on a restart.
 *
 * <p>Immutable, compared by value, and checked on construction: a snapshot always describes a
 * model that can exist. {@link #toBytes()} and {@link #fromBytes} give its binary form
 * ({@link ModelSnapshotFormat}).
 */
public final class ModelSnapshot {

    private final Limits limits;
    private final long eventMask;
    private final List<ServiceHead> heads;
    private final List<Slot> slots;
    private final int nextEpoch;
    private final int nextRetiredSeq;
    private final List<IpAddress> hostAddresses;
    private final Map<Integer, Long> slotFrames;
    private final Map<Integer, Long> slotMoved;
    private final Placement placement;
    private final Map<Integer, Long> cursors;
    private final Map<Reason, Counter> counters;
    private final LruState<AssocKey, AssocValue> table4;
    private final LruState<AssocKey, AssocValue> table6;

    /** A snapshot of a model whose placement is {@code placement}. */
    ModelSnapshot(Limits limits, long eventMask, Placement placement, Map<Integer, Long> cursors,
                  Map<Reason, Counter> counters, Map<Integer, Long> slotFrames, Map<Integer, Long> slotMoved,
                  LruState<AssocKey, AssocValue> table4, LruState<AssocKey, AssocValue> table6) {
        this(limits, eventMask, placement.heads(), placement.slots(), placement.nextEpoch(), placement.nextRetiredSeq(),
                List.copyOf(placement.config().hostAddresses()), cursors, counters, slotFrames, slotMoved, table4,
                table6);
    }

    /** A snapshot of what the maps hold, naming no host address. */
    ModelSnapshot(Limits limits, long eventMask, List<ServiceHead> heads, List<Slot> slots, int nextEpoch,
                  int nextRetiredSeq, Map<Integer, Long> cursors, Map<Reason, Counter> counters,
                  LruState<AssocKey, AssocValue> table4, LruState<AssocKey, AssocValue> table6) {
        this(limits, eventMask, heads, slots, nextEpoch, nextRetiredSeq, List.of(), cursors, counters, Map.of(),
                Map.of(), table4, table6);
    }

    /**
     * A snapshot of what the maps hold; the placement is rebuilt from it ({@link Placement#restore}).
     *
     * @throws IllegalArgumentException naming the part that no model could hold
     */
    ModelSnapshot(Limits limits, long eventMask, List<ServiceHead> heads, List<Slot> slots, int nextEpoch,
                  int nextRetiredSeq, List<IpAddress> hostAddresses, Map<Integer, Long> cursors,
                  Map<Reason, Counter> counters, Map<Integer, Long> slotFrames, Map<Integer, Long> slotMoved,
                  LruState<AssocKey, AssocValue> table4, LruState<AssocKey, AssocValue> table6) {
        this.hostAddresses = List.copyOf(hostAddresses);
        this.slotFrames = perSlot(slotFrames, limits, "forwarded", "frames");
        this.slotMoved = perSlot(slotMoved, limits, "moved", "clients away");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.eventMask = eventMask;
        this.heads = List.copyOf(heads);
        this.slots = List.copyOf(slots);
        this.nextEpoch = nextEpoch;
        this.nextRetiredSeq = nextRetiredSeq;
        this.cursors = Collections.unmodifiableMap(new TreeMap<>(cursors));
        EnumMap<Reason, Counter> c = new EnumMap<>(Reason.class);
        c.putAll(counters);
        this.counters = Collections.unmodifiableMap(c);
        this.table4 = Objects.requireNonNull(table4, "IPv4 table");
        this.table6 = Objects.requireNonNull(table6, "IPv6 table");
        checkPlacement();
        try {
            this.placement = Placement.restore(limits, this.heads, this.slots, nextEpoch, nextRetiredSeq,
                    new java.util.TreeSet<>(this.hostAddresses));
        } catch (ConfigException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("placement: " + e.getMessage(), e);
        }
        check();
    }

    /** A per-slot count, checked: slots within the limits, counts above 0 (those at 0 are not listed). */
    private static Map<Integer, Long> perSlot(Map<Integer, Long> counts, Limits limits, String verb, String what) {
        counts.forEach((slot, n) -> {
            if (slot < 0 || slot >= limits.maxSlots() || n <= 0) {
                throw new IllegalArgumentException("slot " + slot + " " + verb + " " + n + " " + what + ": slots are 0.."
                        + (limits.maxSlots() - 1) + ", counts above 0");
            }
        });
        return Collections.unmodifiableMap(new TreeMap<>(counts));
    }

    /**
     * What {@link Placement#restore} takes for granted: ids within the limits and unique, every
     * slot of a service placed (a retired one may be of the other family: its service changed
     * VIP), live ones at positions 0..n-1 of their list,
     * retired ones ranked before the next rank, epochs given out before the next one and never twice.
     */
    private void checkPlacement() {
        Map<Integer, ServiceHead> byId = new TreeMap<>();
        for (ServiceHead h : heads) {
            if (h.id() < 0 || h.id() >= limits.maxServices()) {
                throw new IllegalArgumentException("service " + h.name() + " has id " + h.id() + ", ids are 0.."
                        + (limits.maxServices() - 1) + " (--max-services)");
            }
            if (byId.put(h.id(), h) != null) {
                throw new IllegalArgumentException("service id " + h.id() + " is given twice");
            }
        }
        boolean[] order = new boolean[heads.size()];
        for (ServiceHead h : heads) {
            if (h.order() < 0 || h.order() >= order.length || order[h.order()]) {
                throw new IllegalArgumentException("service " + h.name() + " is at place " + h.order() + ": the "
                        + order.length + " services are at places 0.." + (order.length - 1) + ", one each");
            }
            order[h.order()] = true;
        }
        Map<Integer, Slot> slotById = new TreeMap<>();
        Map<Integer, Slot> epochs = new TreeMap<>();
        Map<Integer, Integer> live = new TreeMap<>();
        Map<Integer, Integer> retired = new TreeMap<>();
        Map<Long, Slot> positions = new TreeMap<>();
        int previous = -1;
        for (Slot s : slots) {
            String what = "slot " + s.id() + " (" + s.address() + ")";
            if (slotById.put(s.id(), s) != null) {
                throw new IllegalArgumentException("slot " + s.id() + " is given twice");
            }
            if (s.id() < previous) {
                throw new IllegalArgumentException("slot " + s.id() + " is listed after slot " + previous
                        + ": slots are listed by id");
            }
            previous = s.id();
            ServiceHead h = byId.get(s.serviceId());
            if (h == null) {
                throw new IllegalArgumentException(what + " belongs to service id " + s.serviceId() + ", which is not placed");
            }
            if (s.epoch() == 0 || Integer.compareUnsigned(s.epoch(), nextEpoch) >= 0) {
                throw new IllegalArgumentException(what + " has epoch " + Integer.toUnsignedString(s.epoch())
                        + ", epochs given out are 1.." + Integer.toUnsignedString(nextEpoch - 1));
            }
            Slot twin = epochs.put(s.epoch(), s);
            if (twin != null) {
                throw new IllegalArgumentException(what + " has the epoch of slot " + twin.id() + ": an epoch is given once");
            }
            if (s.state() == Placement.SlotState.LIVE) {
                if (s.position() < 0 || s.retiredSeq() != 0 || s.weight() < 0 || s.weight() > 255) {
                    throw new IllegalArgumentException(what + " is live at position " + s.position() + " with weight "
                            + s.weight() + " and retired rank " + s.retiredSeq() + ": a live slot has a position, "
                            + "a weight 0..255 and rank 0");
                }
                live.merge(s.serviceId(), 1, Integer::sum);
                Slot other = positions.put(((long) s.serviceId() << 32) | s.position(), s);
                if (other != null) {
                    throw new IllegalArgumentException(what + " and slot " + other.id() + " are both at position "
                            + s.position() + " of service " + h.name());
                }
            } else {
                if (s.position() != -1 || s.weight() != 0 || s.nodeId() != io.sbulb.api.RealServer.NO_NODE_ID
                        || s.retiredSeq() < 1
                        || Integer.compareUnsigned(s.retiredSeq(), nextRetiredSeq) >= 0) {
                    throw new IllegalArgumentException(what + " is retired at position " + s.position() + " with weight "
                            + s.weight() + " and rank " + s.retiredSeq() + ": a retired slot has position -1, weight 0 "
                            + "and a rank in 1.." + (nextRetiredSeq - 1) + ", and no node id");
                }
                retired.merge(s.serviceId(), 1, Integer::sum);
            }
        }
        live.forEach((id, n) -> {
            for (int pos = 0; pos < n; pos++) {
                if (!positions.containsKey(((long) id << 32) | pos)) {
                    throw new IllegalArgumentException("service " + byId.get(id).name() + " has " + n
                            + " live slots but none at position " + pos);
                }
            }
        });
        retired.forEach((id, n) -> {
            if (n > limits.maxRealServers()) {
                throw new IllegalArgumentException("service " + byId.get(id).name() + " has " + n
                        + " retired slots, at most " + limits.maxRealServers() + " are remembered (-mrs)");
            }
        });
    }

    private void check() {
        if (!table4.parameters().equals(table6.parameters())) {
            throw new IllegalArgumentException("the IPv4 association table evicts as " + table4.parameters()
                    + ", the IPv6 one as " + table6.parameters() + ": one kernel makes both");
        }
        cursors.forEach((id, next) -> {
            if (id < 0 || id >= limits.maxServices()) {
                throw new IllegalArgumentException("round-robin cursor of service id " + id + ": ids are 0.."
                        + (limits.maxServices() - 1) + " (--max-services)");
            }
            if (next < 1 || next > limits.maxSchedule()) {
                throw new IllegalArgumentException("round-robin cursor of service id " + id + " is " + next
                        + ", outside 1.." + limits.maxSchedule() + " (a kept cursor has moved, and the longest cycle is "
                        + limits.maxSchedule() + ")");
            }
        });
        counters.forEach((r, c) -> {
            if (c.packets() < 1 || c.bytes() < 0) {
                throw new IllegalArgumentException("counter " + r + " is " + c + ": a kept counter has counted packets");
            }
        });
        checkTable(table4, 4);
        checkTable(table6, 6);
    }

    private void checkTable(LruState<AssocKey, AssocValue> table, int family) {
        String name = "the IPv" + family + " association table";
        if (table.noCommonLru() || table.maxEntries() != limits.maxAssociations()) {
            throw new IllegalArgumentException(name + " is " + (table.noCommonLru() ? "a NO_COMMON_LRU" : "a")
                    + " map of " + table.maxEntries() + " entries, the model's is a common LRU of "
                    + limits.maxAssociations() + " (-ma)");
        }
        for (LruState.Node<AssocKey, AssocValue> n : table.entries()) {
            AssocKey k = n.key();
            AssocValue v = n.value();
            if (k.address().family() != family || k.port() < 0 || k.port() > 65535 || k.service() < 0
                    || k.service() >= limits.maxServices() || v.slot < 0 || v.slot >= limits.maxSlots()) {
                throw new IllegalArgumentException(name + " holds " + k + " -> " + v + ": an IPv" + family
                        + " client, a port in 0..65535, a service id in 0.." + (limits.maxServices() - 1)
                        + " and a slot in 0.." + (limits.maxSlots() - 1) + " expected");
            }
        }
    }

    public Limits limits() {
        return limits;
    }

    /** The LRU parameters the association tables evict by. */
    public LruParameters lruParameters() {
        return table4.parameters();
    }

    public long eventMask() {
        return eventMask;
    }

    /** The placement in force, rebuilt from the snapshot. */
    public Placement placement() {
        return placement;
    }

    /** The configuration in force. */
    public DataplaneConfig configuration() {
        return placement.config();
    }

    /** The round-robin cursors that are not 0, by service id (unsigned). */
    public Map<Integer, Long> cursors() {
        return cursors;
    }

    /** The counters that moved. */
    public Map<Reason, Counter> counters() {
        return counters;
    }

    /** Both association tables, sorted by client then service (without their LRU state). */
    public List<Association> associations() {
        List<Association> out = new ArrayList<>();
        table4.entries().forEach(n -> out.add(n.key().with(n.value(), placement)));
        table6.entries().forEach(n -> out.add(n.key().with(n.value(), placement)));
        Collections.sort(out);
        return out;
    }

    List<ServiceHead> heads() {
        return heads;
    }

    List<Slot> slots() {
        return slots;
    }

    int nextEpoch() {
        return nextEpoch;
    }

    int nextRetiredSeq() {
        return nextRetiredSeq;
    }

    /** {@code sbulb_slot_frames}: the frames each slot forwarded, those not 0, by slot. */
    Map<Integer, Long> slotFrames() {
        return slotFrames;
    }

    /** {@code sbulb_slot_frames}: the clients moved away from each slot, those not 0, by slot. */
    Map<Integer, Long> slotMoved() {
        return slotMoved;
    }

    /** The balancer host's addresses ({@code sbulb_addrs} entries flagged host), in order. */
    List<IpAddress> hostAddresses() {
        return hostAddresses;
    }

    LruState<AssocKey, AssocValue> table4() {
        return table4;
    }

    LruState<AssocKey, AssocValue> table6() {
        return table6;
    }

    /** The binary form ({@link ModelSnapshotFormat}). */
    public byte[] toBytes() {
        return ModelSnapshotFormat.write(this);
    }

    /** Writes {@link #toBytes()} to {@code out}. */
    public void writeTo(OutputStream out) {
        try {
            out.write(toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a model snapshot", e);
        }
    }

    /**
     * The snapshot in {@code bytes}, which must hold exactly one.
     *
     * @throws io.sbulb.sim.snapshot.SnapshotException naming what is wrong when it is not a model
     *         snapshot, of another version, truncated, altered, or describes no possible model
     */
    public static ModelSnapshot fromBytes(byte[] bytes) {
        return ModelSnapshotFormat.read(bytes);
    }

    /** Reads one snapshot from {@code in} (which may go on after it), as {@link #fromBytes} does. */
    public static ModelSnapshot readFrom(InputStream in) {
        return ModelSnapshotFormat.read(in);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSnapshot s && limits.equals(s.limits) && eventMask == s.eventMask
                && heads.equals(s.heads) && slots.equals(s.slots) && nextEpoch == s.nextEpoch
                && nextRetiredSeq == s.nextRetiredSeq && hostAddresses.equals(s.hostAddresses)
                && slotFrames.equals(s.slotFrames) && slotMoved.equals(s.slotMoved)
                && cursors.equals(s.cursors) && counters.equals(s.counters)
                && table4.equals(s.table4) && table6.equals(s.table6);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limits, eventMask, heads, slots, nextEpoch, nextRetiredSeq, hostAddresses, cursors, counters,
                slotFrames, slotMoved, table4, table6);
    }

    @Override
    public String toString() {
        return "model snapshot: " + limits + ", " + configuration() + ", " + slots.size() + " slots (next epoch "
                + Integer.toUnsignedString(nextEpoch) + "), cursors " + cursors + ", " + table4.size() + " IPv4 and "
                + table6.size() + " IPv6 associations, " + counters.size() + " counters, " + table4.parameters();
    }
}
