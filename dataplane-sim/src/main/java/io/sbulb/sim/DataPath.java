package io.sbulb.sim;

import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
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

/**
 * The decision logic of sbulb.bpf.c, function for function, with the program's maps as state:
 * the configuration maps ({@link ModelConfig}), {@code sbulb_state} (the round-robin cursor),
 * {@code sbulb_assoc} (a {@link KernelLruMap}, accessed exactly where and in the order the C
 * accesses it), {@code sbulb_counters} and the event ring buffer {@code sbulb_events} (a queue of
 * {@link DataplaneEvent#CAPACITY} events: when it is full, new events are lost).
 */
final class DataPath {

    /** What the program returned for a frame, and the reason it counted. */
    record Decision(Verdict verdict, Reason reason) {
    }

    private final KernelLruMap<AssocKey, AssocValue> assoc;
    private final long[] packets = new long[Reason.CODE_COUNT];
    private final long[] bytes = new long[Reason.CODE_COUNT];
    private final long eventMask;
    private final ArrayDeque<DataplaneEvent> events = new ArrayDeque<>();
    private ModelConfig cfg = ModelConfig.EMPTY;
    /** {@code sbulb_state[0].next_rs}, a {@code __u32}. */
    private int nextRs;

    DataPath(KernelLruMap<AssocKey, AssocValue> assoc, long eventMask) {
        this.assoc = assoc;
        this.eventMask = eventMask;
    }

    /**
     * A data path over the maps a previous one left (a restart over pinned maps): this table,
     * configuration, cursor {@code next_rs} (unsigned) and counters; an empty event log.
     */
    DataPath(KernelLruMap<AssocKey, AssocValue> assoc, long eventMask, ModelConfig cfg, long nextRs,
             Map<Reason, Counter> counters) {
        this(assoc, eventMask);
        this.cfg = cfg;
        this.nextRs = (int) nextRs;
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

    /** The control plane's map writes: replaces the configuration maps, keeps state and associations. */
    void configure(ModelConfig config) {
        this.cfg = config;
    }

    ModelConfig config() {
        return cfg;
    }

    KernelLruMap<AssocKey, AssocValue> associations() {
        return assoc;
    }

    /** The round-robin cursor {@code next_rs}, unsigned. */
    long nextRs() {
        return Integer.toUnsignedLong(nextRs);
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

    /** Mirrors {@code sbulb_xdp}: parse, then ingress or egress. Rewrites {@code p.data} on TX. */
    Decision process(Packet p) {
        Reason r = Parser.parseFrame(p);
        if (r != null) {
            switch (r) {
                case NOT_IP, NOT_UDP, FRAGMENTED_IP_PACKET -> {
                    return decide(p, r, Verdict.PASS);
                }
                default -> { // truncated or malformed headers, TTL 0
                    return decide(p, r, Verdict.DROP);
                }
            }
        }
        if (cfg.family == Packet.FAMILY_NONE) {
            return decide(p, Reason.NO_VIRTUAL_SERVER, Verdict.PASS);
        }
        // Real servers share the VIP's family, so a frame of the other family is not ours.
        if (p.family != cfg.family) {
            return decide(p, Reason.UNHANDLED_TRAFFIC, Verdict.PASS);
        }
        IpAddress saddr = p.saddr();
        IpAddress daddr = p.daddr();
        if (daddr.equals(cfg.vip)) {
            return ingress(p, saddr);
        }
        return egress(p, saddr, daddr);
    }

    /**
     * Mirrors {@code store_association}: an existing (stale) entry is re-bound in place, with no
     * LRU effect; only a peer without an entry is inserted (BPF_NOEXIST).
     */
    private boolean storeAssociation(AssocValue existing, AssocKey key, AssocValue fresh) {
        if (existing != null) {
            existing.rs = fresh.rs;
            existing.rsIndex = fresh.rsIndex;
            return true;
        }
        return assoc.programUpdate(key, fresh, UpdateFlag.NOEXIST) == UpdateResult.OK;
    }

    /** Mirrors {@code ingress}: destination == VIP. */
    private Decision ingress(Packet p, IpAddress saddr) {
        if (!cfg.balanced(p.udpDest())) {
            return decide(p, Reason.INGRESS_UNHANDLED_PORT, Verdict.PASS);
        }
        if (p.udpSource() == 0 || Martians.martian(saddr)) {
            return decide(p, Reason.INGRESS_MARTIAN_SOURCE, Verdict.DROP);
        }
        // Loop guard: from the VIP or a real server (the C consults its filter first; the
        // filter only spares the hash lookup, it never changes the answer)
        if (saddr.equals(cfg.vip) || rsPosition(saddr) >= 0) {
            return decide(p, Reason.INGRESS_FROM_BALANCER, Verdict.DROP);
        }
        if (!lifetimeLeft(p)) {
            return decide(p, Reason.LIFETIME_WOULD_EXPIRE, Verdict.DROP);
        }
        AssocKey key = new AssocKey(saddr, p.udpSource());
        AssocValue a = assoc.programLookup(key);
        IpAddress rs;
        Reason reason;
        if (a != null && assocValid(a)) {
            rs = a.rs;
            reason = Reason.INGRESS_REUSED_NAT;
        } else {
            AssocValue fresh = pickRoundRobin();
            if (fresh == null) {
                return decide(p, Reason.INGRESS_NO_REAL_SERVER, Verdict.DROP);
            }
            if (!storeAssociation(a, key, fresh)) {
                return decide(p, Reason.INGRESS_CANNOT_CREATE_ASSO, Verdict.DROP);
            }
            rs = fresh.rs;
            reason = Reason.INGRESS_NEW_NAT;
        }
        Decision d = decide(p, reason, Verdict.TX, rs);
        Rewrite.rewrite(p, true, rs);
        return d;
    }

    /** Mirrors {@code egress}: destination != VIP, from a real server or not ours. */
    private Decision egress(Packet p, IpAddress saddr, IpAddress daddr) {
        Reason reason = Reason.EGRESS_REUSED_NAT;
        if (!cfg.balanced(p.udpSource())) {
            if (rsPosition(saddr) < 0) {
                return decide(p, Reason.UNHANDLED_TRAFFIC, Verdict.PASS);
            }
            return decide(p, Reason.EGRESS_UNHANDLED_PORT, Verdict.PASS);
        }
        AssocKey key = new AssocKey(daddr, p.udpDest());
        // Looked up before knowing the source is a real server (the C's hot path): a frame from
        // elsewhere to an associated peer on a balanced port marks the association referenced.
        AssocValue a = assoc.programLookup(key);
        if (a != null && a.rs.equals(saddr) && rsAt(a.rsIndex, saddr)) {
            // hot path: the owner talks to its client
            Reason refused = egressRefusal(p, daddr);
            if (refused != null) {
                return decide(p, refused, Verdict.DROP);
            }
        } else {
            if (cfg.retired(saddr)) {
                return decide(p, Reason.EGRESS_REMOVED_REAL_SERVER, Verdict.DROP); // never leaked
            }
            long pos = rsPosition(saddr);
            if (pos < 0) {
                return decide(p, Reason.UNHANDLED_TRAFFIC, Verdict.PASS);
            }
            Reason refused = egressRefusal(p, daddr);
            if (refused != null) {
                return decide(p, refused, Verdict.DROP);
            }
            if (a != null && a.rs.equals(saddr)) {
                a.rsIndex = (int) pos; // the owner moved in the list: remember where, in place
            } else if (a != null && assocValid(a)) {
                return decide(p, Reason.EGRESS_NOT_AUTHORIZED, Verdict.DROP);
            } else {
                // Nobody (still configured) owns the peer: this server initiates the association.
                AssocValue fresh = new AssocValue(saddr, (int) pos);
                if (!storeAssociation(a, key, fresh)) {
                    return decide(p, Reason.EGRESS_CANNOT_CREATE_ASSO, Verdict.DROP);
                }
                reason = Reason.EGRESS_NEW_NAT;
            }
        }
        // nat:
        Decision d = decide(p, reason, Verdict.TX, cfg.vip);
        Rewrite.rewrite(p, false, cfg.vip);
        return d;
    }

    /** Mirrors {@code egress_refusal}: why a real server's frame to {@code daddr} is not forwarded, or null. */
    private Reason egressRefusal(Packet p, IpAddress daddr) {
        if (p.udpDest() == 0 || Martians.martian(daddr)) {
            return Reason.EGRESS_MARTIAN_DESTINATION;
        }
        if (rsPosition(daddr) >= 0) {
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

    /** Mirrors {@code rs_at}: whether position {@code idx} (a {@code __u32}) of the list holds {@code addr}. */
    private boolean rsAt(int idx, IpAddress addr) {
        if (Integer.compareUnsigned(idx, cfg.rsCount()) >= 0) {
            return false;
        }
        return cfg.rs(idx).equals(addr);
    }

    /** Mirrors {@code rs_position}: the position of {@code addr}, confirmed by the list, or -1. */
    private long rsPosition(IpAddress addr) {
        Integer idx = cfg.rsIndex(addr);
        if (idx == null || !rsAt(idx, addr)) {
            return -1;
        }
        return Integer.toUnsignedLong(idx);
    }

    /**
     * Mirrors {@code assoc_valid}: whether the association's server is still configured; if it
     * moved, the new position is written into the value in place (no LRU effect).
     */
    private boolean assocValid(AssocValue a) {
        if (rsAt(a.rsIndex, a.rs)) {
            return true;
        }
        long pos = rsPosition(a.rs);
        if (pos < 0) {
            return false;
        }
        a.rsIndex = (int) pos;
        return true;
    }

    /**
     * Mirrors {@code pick_round_robin}: the next real server, or {@code null} when the list is
     * empty. Advances the cursor even if the caller then fails to store the association.
     */
    private AssocValue pickRoundRobin() {
        if (cfg.rsCount() == 0) {
            return null;
        }
        int idx = nextRs;
        if (Integer.compareUnsigned(idx, cfg.rsCount()) >= 0) {
            idx = 0;
        }
        nextRs = idx + 1; // C: not atomic; one CPU here
        return new AssocValue(cfg.rs(idx), idx);
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
