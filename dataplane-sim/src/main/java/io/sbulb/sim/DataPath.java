package io.sbulb.sim;

import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Placement;
import io.sbulb.api.Placement.EndpointKind;
import io.sbulb.api.Placement.ServerEndpoint;
import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;
import io.sbulb.sim.lru.KernelLruMap;
import io.sbulb.sim.lru.KernelLruMap.UpdateFlag;
import io.sbulb.sim.lru.KernelLruMap.UpdateResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The decision logic of sbulb.bpf.c (docs/design.md §1, in its order of checks), with the
 * program's maps as state: the configuration maps ({@link ModelConfig}), {@code sbulb_state}
 * (one round-robin cursor per service id), {@code sbulb_assoc4} and {@code sbulb_assoc6} (each a
 * {@link KernelLruMap}, accessed exactly where and in the order the C accesses them),
 * {@code sbulb_counters} and the event ring buffer {@code sbulb_events} (a queue of
 * {@link DataplaneEvent#CAPACITY} events: when it is full, new events are lost).
 */
final class DataPath {

    /** What the program returned for a frame, and the reason it counted. */
    record Decision(Verdict verdict, Reason reason) {
    }

    private final KernelLruMap<AssocKey, AssocValue> assoc4;
    private final KernelLruMap<AssocKey, AssocValue> assoc6;
    private final long[] packets = new long[Reason.CODE_COUNT];
    private final long[] bytes = new long[Reason.CODE_COUNT];
    private final long eventMask;
    private final ArrayDeque<DataplaneEvent> events = new ArrayDeque<>();
    private ModelConfig cfg;
    /**
     * {@code sbulb_state[id].next} per service id, each a {@code __u32}: written by the data path,
     * and reset to 0 by the control plane for an id given to a new service.
     */
    private final int[] cursors;
    /** {@code sbulb_slot_frames}: frames forwarded per slot, zeroed when a slot gets a new epoch. */
    private final long[] slotFrames;
    /** {@code sbulb_slot_frames}: clients moved away per slot ({@code count_moved}), zeroed with the frames. */
    private final long[] slotMoved;

    DataPath(KernelLruMap<AssocKey, AssocValue> assoc4, KernelLruMap<AssocKey, AssocValue> assoc6, long eventMask,
             ModelConfig cfg) {
        this.assoc4 = assoc4;
        this.assoc6 = assoc6;
        this.eventMask = eventMask;
        this.cfg = cfg;
        this.cursors = new int[cfg.placement.limits().maxServices()];
        this.slotFrames = new long[cfg.placement.limits().maxSlots()];
        this.slotMoved = new long[cfg.placement.limits().maxSlots()];
    }

    /**
     * A data path over the maps a previous one left (a restart over pinned maps): these tables,
     * configuration, cursors (by service id, unsigned) and counters; an empty event log.
     */
    DataPath(KernelLruMap<AssocKey, AssocValue> assoc4, KernelLruMap<AssocKey, AssocValue> assoc6, long eventMask,
             ModelConfig cfg, Map<Integer, Long> cursors, Map<Reason, Counter> counters, Map<Integer, Long> slotFrames,
             Map<Integer, Long> slotMoved) {
        this(assoc4, assoc6, eventMask, cfg);
        cursors.forEach((id, next) -> this.cursors[id] = (int) (long) next);
        slotFrames.forEach((slot, n) -> this.slotFrames[slot] = n);
        slotMoved.forEach((slot, n) -> this.slotMoved[slot] = n);
        counters.forEach((r, c) -> {
            packets[r.code()] = c.packets();
            bytes[r.code()] = c.bytes();
        });
    }

    long eventMask() {
        return eventMask;
    }

    /** At most {@code max} of the events waiting, oldest first; they leave the queue. */
    List<DataplaneEvent> drainEvents(int max) {
        List<DataplaneEvent> out = new ArrayList<>(Math.min(max, events.size()));
        while (out.size() < max && !events.isEmpty()) {
            out.add(events.poll());
        }
        return out;
    }

    /**
     * The control plane's map writes: replaces the configuration maps, keeps the associations and
     * the cursors, but for the services given their id by this placement (new or renamed,
     * {@link Placement.PlacedService#fresh()}), whose cursors start again at 0: the control plane
     * writes them before the generation switch.
     */
    void configure(ModelConfig config) {
        for (Placement.PlacedService p : config.placement.services()) {
            if (p.fresh()) {
                cursors[p.id()] = 0;
            }
        }
        // a slot given to another server (a new epoch) starts counting again, as ConfigWriter zeroes it
        for (Placement.Slot x : config.placement.slots()) {
            Placement.Slot before = cfg.placement.slot(x.id());
            if (before == null || before.epoch() != x.epoch()) {
                slotFrames[x.id()] = 0;
                slotMoved[x.id()] = 0;
            }
        }
        this.cfg = config;
    }

    /** The per-slot frame counts that are not 0, by slot. */
    Map<Integer, Long> slotFrames() {
        return nonZero(slotFrames);
    }

    /** The per-slot counts of clients moved away that are not 0, by slot. */
    Map<Integer, Long> slotMoved() {
        return nonZero(slotMoved);
    }

    private static Map<Integer, Long> nonZero(long[] perSlot) {
        Map<Integer, Long> out = new TreeMap<>();
        for (int slot = 0; slot < perSlot.length; slot++) {
            if (perSlot[slot] != 0) {
                out.put(slot, perSlot[slot]);
            }
        }
        return out;
    }

    ModelConfig config() {
        return cfg;
    }

    /** {@code sbulb_assoc4}. */
    KernelLruMap<AssocKey, AssocValue> associations4() {
        return assoc4;
    }

    /** {@code sbulb_assoc6}. */
    KernelLruMap<AssocKey, AssocValue> associations6() {
        return assoc6;
    }

    /** The association table of a family ({@link Packet#FAMILY_IPV4} or {@link Packet#FAMILY_IPV6}). */
    private KernelLruMap<AssocKey, AssocValue> table(int family) {
        return family == Packet.FAMILY_IPV4 ? assoc4 : assoc6;
    }

    /** The round-robin cursors that are not 0, by service id, unsigned. */
    Map<Integer, Long> cursors() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int id = 0; id < cursors.length; id++) {
            if (cursors[id] != 0) {
                out.put(id, Integer.toUnsignedLong(cursors[id]));
            }
        }
        return out;
    }

    /** The counters, summed (one CPU here), only those that moved. */
    Map<Reason, Counter> counters() {
        Map<Reason, Counter> out = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            if (packets[r.code()] != 0) {
                out.put(r, new Counter(packets[r.code()], bytes[r.code()]));
            }
        }
        return out;
    }

    /** Mirrors {@code sbulb_xdp}: parse, then ingress, egress or pass. Rewrites {@code p.data} on TX. */
    Decision process(Packet p) {
        Reason r = Parser.parseFrame(p);
        if (r != null) {
            switch (r) {
                case NOT_UDP -> {
                    return notUdp(p);
                }
                case FRAGMENTED_IP_PACKET -> {
                    return fragment(p);
                }
                case NOT_IP -> {
                    return decide(p, r, Verdict.PASS);
                }
                default -> { // truncated or malformed headers, TTL 0
                    return decide(p, r, Verdict.DROP);
                }
            }
        }
        if (cfg.serviceCount() == 0) {
            return decide(p, Reason.NO_VIRTUAL_SERVER, Verdict.PASS);
        }
        IpAddress saddr = p.saddr();
        IpAddress daddr = p.daddr();
        int svc = cfg.vipService(daddr, p.udpDest());
        if (svc >= 0) {
            return ingress(p, svc, saddr);
        }
        // The C reads the destination's flags once: the balancer host first (a health probe's
        // reply is never translated, nor taken for a flow a real server starts), then a VIP.
        int dflags = cfg.addressFlags(daddr);
        if ((dflags & Placement.ADDRESS_HOST) != 0) {
            return decide(p, Reason.TO_BALANCER_HOST, Verdict.PASS);
        }
        if ((dflags & Placement.ADDRESS_VIP) != 0) {
            return decide(p, Reason.INGRESS_UNHANDLED_PORT, Verdict.PASS);
        }
        // The C tries the usual reply first: when the source port is one service's for this
        // family, it looks the destination up in that service whoever sent the frame (an LRU
        // touch), and on a live entry naming this server forwards at once. That shortcut decides
        // as egress() would; its lookup is the only trace it leaves.
        int only = cfg.onlyServiceOfPort(p.family, p.udpSource());
        if (only >= 0) {
            table(p.family).programLookup(new AssocKey(daddr, p.udpDest(), only));
        }
        ServerEndpoint ep = cfg.serverEndpoint(saddr, p.udpSource());
        if (ep != null) {
            return egress(p, ep, daddr);
        }
        if ((cfg.addressFlags(saddr) & Placement.ADDRESS_SERVER) != 0) {
            return decide(p, Reason.EGRESS_UNHANDLED_PORT, Verdict.PASS);
        }
        return decide(p, Reason.UNHANDLED_TRAFFIC, Verdict.PASS);
    }

    /** Mirrors {@code not_udp}: an ICMP error to a VIP is ours; anything else passes. */
    private Decision notUdp(Packet p) {
        int icmp = Parser.icmpError(p);
        if (icmp < 0 || cfg.serviceCount() == 0) {
            return decide(p, Reason.NOT_UDP, Verdict.PASS);
        }
        IpAddress daddr = p.daddr();
        if ((cfg.addressFlags(daddr) & Placement.ADDRESS_VIP) == 0) {
            return decide(p, Reason.NOT_UDP, Verdict.PASS);
        }
        return icmpErrorToVip(p, icmp, daddr);
    }

    /**
     * Mirrors {@code icmp_error_to_vip}: an error quoting a datagram this VIP sent from a
     * service's port to a client with a valid association goes to that client's real server;
     * others are dropped. Looks the association up (an LRU touch), never writes it.
     */
    private Decision icmpErrorToVip(Packet p, int icmp, IpAddress daddr) {
        boolean v4 = p.ip4 >= 0;
        Reason len = v4 ? Parser.checkIpLength(p, p.ip4, p.u16(p.ip4 + 2), (p.u8(p.ip4) & 0xf) * 4 + Parser.ICMP_HLEN)
                : Parser.checkIpLength(p, p.ip6, Parser.IPV6_HLEN + p.u16(p.ip6 + 4), Parser.IPV6_HLEN + Parser.ICMP_HLEN);
        if (len != null) {
            return decide(p, len, Verdict.DROP);
        }
        if ((v4 ? p.u8(p.ip4 + 8) : p.u8(p.ip6 + 7)) == 0) {
            return decide(p, Reason.LIFETIME_EXPIRED, Verdict.DROP);
        }
        Parser.Quote q = Parser.quote(p, icmp);
        if (q == null) {
            return decide(p, Reason.ICMP_ERROR_NO_ASSOCIATION, Verdict.DROP);
        }
        IpAddress qsrc = v4 ? IpAddress.read(p.data, q.ip() + 12, 4) : IpAddress.read(p.data, q.ip() + 8, 16);
        IpAddress qdst = v4 ? IpAddress.read(p.data, q.ip() + 16, 4) : IpAddress.read(p.data, q.ip() + 24, 16);
        if (!qsrc.equals(daddr)) { // sent by the VIP the error comes back to
            return decide(p, Reason.ICMP_ERROR_NO_ASSOCIATION, Verdict.DROP);
        }
        int svc = cfg.vipService(qsrc, p.u16(q.udp()));
        if (svc < 0) {
            return decide(p, Reason.ICMP_ERROR_NO_ASSOCIATION, Verdict.DROP);
        }
        AssocValue a = table(p.family).programLookup(new AssocKey(qdst, p.u16(q.udp() + 2), svc));
        if (a == null || !cfg.valid(a.slot, a.epoch)) {
            return decide(p, Reason.ICMP_ERROR_NO_ASSOCIATION, Verdict.DROP);
        }
        if (!lifetimeLeft(p)) {
            return decide(p, Reason.LIFETIME_WOULD_EXPIRE, Verdict.DROP);
        }
        slotFrames[a.slot]++;
        IpAddress rs = cfg.server(a.slot);
        Decision d = decide(p, Reason.ICMP_ERROR_TO_REAL_SERVER, Verdict.TX, rs);
        Rewrite.rewriteIcmpError(p, icmp, q, rs);
        return d;
    }

    /**
     * Mirrors {@code fragment}: an IP fragment to a VIP, or from a real server or a VIP, is
     * dropped, but one to the balancer host's own address; others pass.
     */
    private Decision fragment(Packet p) {
        if (cfg.serviceCount() == 0) {
            return decide(p, Reason.FRAGMENTED_IP_PACKET, Verdict.PASS);
        }
        int dflags = cfg.addressFlags(p.daddr());
        if ((dflags & Placement.ADDRESS_HOST) != 0) {
            return decide(p, Reason.FRAGMENTED_IP_PACKET, Verdict.PASS);
        }
        if ((dflags & Placement.ADDRESS_VIP) != 0) {
            return decide(p, Reason.FRAGMENT_TO_VIP, Verdict.DROP);
        }
        if ((cfg.addressFlags(p.saddr()) & (Placement.ADDRESS_SERVER | Placement.ADDRESS_VIP)) != 0) {
            return decide(p, Reason.FRAGMENT_FROM_REAL_SERVER, Verdict.DROP);
        }
        return decide(p, Reason.FRAGMENTED_IP_PACKET, Verdict.PASS);
    }

    /**
     * Mirrors {@code store_association}: an existing (invalid) entry is re-pointed in place, with
     * no LRU effect, and counts as a client moved away from the slot it named while that slot has
     * its epoch in this configuration, live or retired ({@code count_moved}); only a peer without an entry is inserted (BPF_NOEXIST).
     */
    private boolean storeAssociation(KernelLruMap<AssocKey, AssocValue> table, AssocValue existing, AssocKey key,
                                     AssocValue fresh) {
        if (existing != null) {
            if (existing.epoch != 0 && cfg.epoch(existing.slot) == existing.epoch) {
                slotMoved[existing.slot]++;
            }
            existing.slot = fresh.slot;
            existing.epoch = fresh.epoch;
            return true;
        }
        return table.programUpdate(key, fresh, UpdateFlag.NOEXIST) == UpdateResult.OK;
    }

    /** Mirrors {@code ingress}: {@code (destination, port)} is service {@code svc}'s {@code (VIP, port)}. */
    private Decision ingress(Packet p, int svc, IpAddress saddr) {
        if (p.udpSource() == 0 || Martians.martian(saddr)) {
            return decide(p, Reason.INGRESS_MARTIAN_SOURCE, Verdict.DROP);
        }
        // Loop guard: from a VIP, a live real server of any service or the host (the C consults its filter
        // first; the filter only spares the hash lookup, it never changes the answer)
        if (cfg.addressFlags(saddr) != 0) {
            return decide(p, Reason.INGRESS_FROM_BALANCER, Verdict.DROP);
        }
        if (!lifetimeLeft(p)) {
            return decide(p, Reason.LIFETIME_WOULD_EXPIRE, Verdict.DROP);
        }
        KernelLruMap<AssocKey, AssocValue> table = table(p.family);
        AssocKey key = new AssocKey(saddr, p.udpSource(), svc);
        AssocValue a = table.programLookup(key);
        int slot;
        Reason reason;
        boolean unknownNode = false;
        io.sbulb.api.DtlsCid cid = cfg.dtlsCid(svc);
        long node = cid == null ? -1 : cidNode(p, cid);
        if (node >= 0) {
            // a DTLS record with a connection id goes to the live server of its node id, wherever the client now is
            int to = cfg.cidSlot(svc, node);
            if (to >= 0) {
                AssocValue fresh = new AssocValue(to, cfg.epoch(to));
                if (!(a != null && a.slot == fresh.slot && a.epoch == fresh.epoch)
                        && !storeAssociation(table, a, key, fresh)) {
                    return decide(p, Reason.INGRESS_CANNOT_CREATE_ASSO, Verdict.DROP);
                }
                return forward(p, to, Reason.INGRESS_CID_ROUTED);
            }
            unknownNode = true; // balanced as any other frame, counted apart
        }
        if (a != null && cfg.valid(a.slot, a.epoch)) {
            slot = a.slot;
            reason = Reason.INGRESS_REUSED_NAT;
        } else {
            AssocValue fresh = pickRoundRobin(svc);
            if (fresh == null) {
                return decide(p, Reason.INGRESS_NO_REAL_SERVER, Verdict.DROP);
            }
            if (!storeAssociation(table, a, key, fresh)) {
                return decide(p, Reason.INGRESS_CANNOT_CREATE_ASSO, Verdict.DROP);
            }
            slot = fresh.slot;
            reason = Reason.INGRESS_NEW_NAT;
        }
        return forward(p, slot, unknownNode ? Reason.INGRESS_CID_UNKNOWN_NODE : reason);
    }

    /** Ingress's end: counts the frame for {@code slot}, logs it and rewrites its destination to the slot's server. */
    private Decision forward(Packet p, int slot, Reason reason) {
        slotFrames[slot]++;
        IpAddress rs = cfg.server(slot);
        Decision d = decide(p, reason, Verdict.TX, rs);
        Rewrite.rewrite(p, true, rs);
        return d;
    }

    /**
     * Mirrors {@code cid_node}: the node id (big-endian, unsigned) of a DTLS 1.2 record with a
     * connection id (content type 25, version 254.253) in the UDP payload laid out as {@code cid}
     * says, or -1 when the payload is no such record or is shorter than its header and connection id.
     */
    private static long cidNode(Packet p, io.sbulb.api.DtlsCid cid) {
        int pl = p.udp + 8;
        int len = p.u16(p.udp + 4) - 8; // the UDP length, checked against the frame
        if (len < 3 || p.u8(pl) != 25 || p.u8(pl + 1) != 0xfe || p.u8(pl + 2) != 0xfd
                || len < 11 + cid.length()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < cid.nodeIdSize(); i++) {
            n = (n << 8) | p.u8(pl + 11 + cid.nodeIdOffset() + i);
        }
        return n;
    }

    /**
     * Mirrors {@code egress}: {@code (source, port)} is a real server's endpoint {@code ep}, live
     * or retired. The association is looked up only for a live one: a stranger's frame, or a
     * retired server's, leaves the table alone.
     */
    private Decision egress(Packet p, ServerEndpoint ep, IpAddress daddr) {
        if (ep.kind() == EndpointKind.RETIRED) {
            return decide(p, Reason.EGRESS_REMOVED_REAL_SERVER, Verdict.DROP); // never leaked
        }
        KernelLruMap<AssocKey, AssocValue> table = table(p.family);
        AssocKey key = new AssocKey(daddr, p.udpDest(), ep.serviceId());
        AssocValue a = table.programLookup(key);
        boolean valid = a != null && cfg.valid(a.slot, a.epoch);
        if (valid && a.slot != ep.slot()) {
            return decide(p, Reason.EGRESS_NOT_AUTHORIZED, Verdict.DROP); // only the owner talks to its client
        }
        Reason refused = egressRefusal(p, daddr);
        if (refused != null) {
            return decide(p, refused, Verdict.DROP);
        }
        Reason reason = Reason.EGRESS_REUSED_NAT;
        if (!valid) {
            // Nobody (still live) owns the peer in this service: this server initiates the association.
            if (!storeAssociation(table, a, key, new AssocValue(ep.slot(), cfg.epoch(ep.slot())))) {
                return decide(p, Reason.EGRESS_CANNOT_CREATE_ASSO, Verdict.DROP);
            }
            reason = Reason.EGRESS_NEW_NAT;
        }
        slotFrames[ep.slot()]++;
        IpAddress vip = cfg.vip(ep.serviceId());
        Decision d = decide(p, reason, Verdict.TX, vip);
        Rewrite.rewrite(p, false, vip);
        return d;
    }

    /** Mirrors {@code egress_refusal}: why a real server's frame to {@code daddr} is not forwarded, or null. */
    private Reason egressRefusal(Packet p, IpAddress daddr) {
        if (p.udpDest() == 0 || Martians.martian(daddr)) {
            return Reason.EGRESS_MARTIAN_DESTINATION;
        }
        if ((cfg.addressFlags(daddr) & Placement.ADDRESS_SERVER) != 0) {
            return Reason.EGRESS_TO_BALANCER;
        }
        if (!lifetimeLeft(p)) {
            return Reason.LIFETIME_WOULD_EXPIRE;
        }
        return null;
    }

    /** Mirrors {@code lifetime_left}: a TTL / hop limit of 1 would leave at 0. */
    private static boolean lifetimeLeft(Packet p) {
        return p.ip4 >= 0 ? p.u8(p.ip4 + 8) > 1 : p.u8(p.ip6 + 7) > 1;
    }

    /**
     * Mirrors {@code pick_round_robin}: the slot at service {@code svc}'s cursor in its cycle,
     * with the slot's epoch, or {@code null} when the cycle is empty (the cursor is then left
     * alone). A cursor past the end (the cycle got shorter) wraps to 0. Advances the cursor even
     * if the caller then fails to store the association.
     */
    private AssocValue pickRoundRobin(int svc) {
        int[] cycle = cfg.cycle(svc);
        if (cycle.length == 0) {
            return null;
        }
        int idx = cursors[svc];
        if (Integer.compareUnsigned(idx, cycle.length) >= 0) {
            idx = 0;
        }
        cursors[svc] = idx + 1; // C: not atomic; one CPU here
        int slot = cycle[idx];
        return new AssocValue(slot, cfg.epoch(slot));
    }

    /** Mirrors {@code decide}: counts the frame under {@code reason} (whole frame bytes) and logs it. */
    private Decision decide(Packet p, Reason reason, Verdict action) {
        return decide(p, reason, action, null);
    }

    /** As {@link #decide(Packet, Reason, Verdict)}; {@code nat} is the address the NAT writes. */
    private Decision decide(Packet p, Reason reason, Verdict action, IpAddress nat) {
        packets[reason.code()]++;
        bytes[reason.code()] += p.data.length;
        emitEvent(p, reason, nat);
        return new Decision(action, reason);
    }

    /** Mirrors {@code emit_event}: the frame's headers as received, for a reason in the mask, if the log has room. */
    private void emitEvent(Packet p, Reason reason, IpAddress nat) {
        if ((eventMask & (1L << reason.code())) == 0 || events.size() >= DataplaneEvent.CAPACITY) {
            return;
        }
        byte[] srcMac = new byte[6];
        byte[] dstMac = new byte[6];
        if (p.eth >= 0) {
            System.arraycopy(p.data, p.eth + 6, srcMac, 0, 6);
            System.arraycopy(p.data, p.eth, dstMac, 0, 6);
        }
        Endpoint src = null;
        Endpoint dst = null;
        int family = 0;
        if (p.ip4 >= 0 || p.ip6 >= 0) {
            family = p.family;
            src = new Endpoint(p.saddr(), p.udp >= 0 ? p.udpSource() : 0);
            dst = new Endpoint(p.daddr(), p.udp >= 0 ? p.udpDest() : 0);
        }
        events.add(new DataplaneEvent(reason, family, src, dst, family == 0 ? null : nat, srcMac, dstMac));
    }
}
