// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sbulb.bpf.c: the XDP data path of the sbulb UDP load balancer (docs/design.md §1).
 *
 * Ingress (to a service's (VIP, port)): bind the client (address, port) of that service to a
 * real-server slot, the service's smooth weighted round-robin cycle for new clients, and
 * rewrite the destination to that server. Egress (from a real server's endpoint): rewrite the
 * source to its service's VIP, binding the client to that slot if nobody owns it, and refusing
 * slots that do not own it. Frames go back out where they came from (XDP_TX). An ICMP error
 * to a VIP about a datagram it sent to a client goes to that client's real server; fragments to
 * a VIP or from a real server are dropped (not_udp(), fragment(): off the UDP path).
 *
 * Ingress hot path (a frame of an existing association): the generation and its config (array
 * loads), the VIP table (array loads), the martian check, the address filter bit (the loop
 * guard; a hash lookup only when the bit is set), one association lookup (the frame family's
 * table) and the slot's sbulb_reals entry (an array load: epoch and live flag). No map write.
 * A service that routes DTLS CID records (issue 20) says so in its VIP entry, already loaded: one
 * without pays a byte test; one with reads the payload's first three bytes, and for a CID record
 * (a subprogram of its own) its sbulb_service entry and one sbulb_cid_nodes array entry.
 *
 * Every frame is decided by one configuration generation, read once (sbulb_gen): the control
 * plane writes the other generation whole, then switches, so no frame sees a cycle half
 * rewritten. A removed real server's late replies are dropped (SBULB_EP_RETIRED), never passed
 * on with the server's own address.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sbulb_abi.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Load-time constants, set between open and load; the verifier prunes disabled event code. */
const volatile struct sbulb_params sbulb_params = {};

static __always_inline bool addr_eq(const struct sbulb_addr *a, const struct sbulb_addr *b)
{
	return a->words[0] == b->words[0] && a->words[1] == b->words[1] &&
	       a->words[2] == b->words[2] && a->words[3] == b->words[3];
}

static __always_inline void load_addrs(const struct sbulb_pkt *p, struct sbulb_addr *src, struct sbulb_addr *dst)
{
	__builtin_memset(src, 0, sizeof(*src));
	__builtin_memset(dst, 0, sizeof(*dst));
	if (p->ip4) {
		src->words[0] = p->ip4->saddr;
		dst->words[0] = p->ip4->daddr;
	} else if (p->ip6) {
		__builtin_memcpy(src->bytes, &p->ip6->saddr, 16);
		__builtin_memcpy(dst->bytes, &p->ip6->daddr, 16);
	}
}

/* Sends an event for `reason` if the load-time mask enables it. `nat`: the address written. */
static __always_inline void emit_event(const struct sbulb_pkt *p, enum sbulb_reason reason,
				       const struct sbulb_addr *nat)
{
	struct sbulb_event *e;

	if (!(sbulb_params.event_mask & (1ULL << reason)))
		return;
	e = bpf_ringbuf_reserve(&sbulb_events, sizeof(*e), 0);
	if (!e)
		return; /* ring full: the event is lost, the frame is not */
	__builtin_memset(e, 0, sizeof(*e));
	e->reason = reason;
	if (p->eth) {
		__builtin_memcpy(e->src_mac, p->eth->h_source, 6);
		__builtin_memcpy(e->dst_mac, p->eth->h_dest, 6);
	}
	if (p->ip4 || p->ip6) {
		e->family = p->family;
		load_addrs(p, &e->src, &e->dst);
	}
	if (p->udp) {
		e->src_port = p->udp->source;
		e->dst_port = p->udp->dest;
	}
	if (nat)
		e->nat = *nat;
	bpf_ringbuf_submit(e, 0);
}

/* Counts the frame under `reason`, logs it, and returns `action`. Every path ends here. */
static __always_inline int decide(const struct sbulb_pkt *p, enum sbulb_reason reason, int action,
				  const struct sbulb_addr *nat)
{
	__u32 key = reason;
	struct sbulb_counter *c = bpf_map_lookup_elem(&sbulb_counters, &key);

	if (c) {
		c->packets++;
		c->bytes += p->data_end - p->data;
	}
	emit_event(p, reason, nat);
	return action;
}

/* One more frame forwarded by slot `slot` (a per-CPU counter, like decide()'s). */
static __always_inline void count_slot(__u32 slot)
{
	struct sbulb_slot_count *n = bpf_map_lookup_elem(&sbulb_slot_frames, &slot);

	if (n)
		n->frames++;
}

/* The configuration a frame is decided by: one generation, read once at the frame's start. */
struct sbulb_view {
	const struct sbulb_config *cfg;
	__u32 gen;             /* 0 or 1 */
};

/* The SBULB_ADDR_* flags of `addr` in this generation. Usually one array-held bit: the filter
 * rules most addresses out; a set bit is confirmed by sbulb_addrs (a hash lookup). */
static __always_inline __u8 addr_flags(const struct sbulb_view *v, __u8 family, const struct sbulb_addr *addr)
{
	__u32 bit = sbulb_rs_filter_bit(addr);
	struct sbulb_addr_flags *f;
	struct sbulb_ep_key key;

	if (!(v->cfg->filter[(bit >> 6) & (SBULB_RS_FILTER_BITS / 64 - 1)] & (1ULL << (bit & 63))))
		return 0;
	key.addr = *addr;
	key.port = 0;
	key.family = family;
	key.pad = 0;
	f = bpf_map_lookup_elem(&sbulb_addrs, &key);
	return f ? f->flags[v->gen & 1] : 0;
}

/* True if `a` cannot be a client's address: unspecified, loopback, link-local, multicast or
 * the limited broadcast (IPv4: 0/8, 127/8, 169.254/16, 224/4, 255.255.255.255; IPv6: ::, ::1,
 * fe80::/10, ff00::/8). Such a source is spoofed or misrouted: balancing it would make a real
 * server answer an address that is not a client. */
static __always_inline bool martian(__u8 family, const struct sbulb_addr *a)
{
	__u8 b0 = a->bytes[0];

	if (family == SBULB_FAMILY_IPV4)
		return b0 == 0 || b0 == 127 || (b0 == 169 && a->bytes[1] == 254) || (b0 >= 224 && b0 <= 239) ||
		       a->words[0] == 0xffffffff;
	if (b0 == 0xff || (b0 == 0xfe && (a->bytes[1] & 0xc0) == 0x80))
		return true;
	return a->words[0] == 0 && a->words[1] == 0 && a->words[2] == 0 &&
	       (a->words[3] == 0 || a->words[3] == bpf_htonl(1));
}

/* True if the frame may be forwarded: a TTL / hop limit of 1 would leave at 0 (RFC 1812). */
static __always_inline bool lifetime_left(const struct sbulb_pkt *p)
{
	return p->ip4 ? p->ip4->ttl > 1 : p->ip6 && p->ip6->hop_limit > 1;
}

/* The VIP-table entry of (daddr, dport) in this generation (its service id, whether the service
 * routes DTLS CID records), or NULL: the VIP table's probe sequence, array loads only. An unused
 * entry ends it. */
static __always_inline const struct sbulb_vip *vip_service(const struct sbulb_view *v, __u8 family,
							   const struct sbulb_addr *daddr, __be16 dport)
{
	__u32 mask = sbulb_params.vip_slots - 1;
	__u32 base = (v->gen & 1) * sbulb_params.vip_slots;
	__u32 h = sbulb_vip_hash(daddr, dport, family, v->cfg->vip_seed);

#pragma unroll
	for (int i = 0; i < SBULB_VIP_PROBES; i++) {
		__u32 key = base + ((h + i) & mask);
		struct sbulb_vip *e = bpf_map_lookup_elem(&sbulb_vips, &key);

		if (!e || !e->used)
			return 0;
		if (e->port == dport && e->family == family && addr_eq(&e->addr, daddr))
			return e;
	}
	return 0;
}

/* The live real server's endpoint (saddr, sport) in sbulb_rs_fast: its service and slot, or
 * false when it is not there (not a live server's endpoint, or one the control plane could not
 * place: sbulb_rs_ep then has it). Array loads only. */
static __always_inline bool rs_fast_find(const struct sbulb_view *v, __u8 family, const struct sbulb_addr *saddr,
					 __be16 sport, __u32 *svc, __u32 *slot)
{
	__u32 mask = sbulb_params.rs_fast_slots - 1;
	__u32 base = (v->gen & 1) * sbulb_params.rs_fast_slots;
	__u32 h = sbulb_vip_hash(saddr, sport, family, v->cfg->vip_seed);

#pragma unroll
	for (int i = 0; i < SBULB_VIP_PROBES; i++) {
		__u32 key = base + ((h + i) & mask);
		struct sbulb_rs_fast *e = bpf_map_lookup_elem(&sbulb_rs_fast, &key);

		if (!e || !e->used)
			return false;
		if (e->port == sport && e->family == family && addr_eq(&e->addr, saddr)) {
			*svc = e->svc;
			*slot = e->slot;
			return true;
		}
	}
	return false;
}

/* The slot's entry if an association naming (slot, epoch) is valid in this generation: the slot
 * is live with that epoch. One array load. */
static __always_inline struct sbulb_real *valid_real(const struct sbulb_view *v, __u32 slot, __u32 epoch)
{
	struct sbulb_real *r = bpf_map_lookup_elem(&sbulb_reals, &slot);

	if (!r || epoch == 0 || r->epoch != epoch || !(r->flags & (SBULB_REAL_LIVE << (v->gen & 1))))
		return 0;
	return r;
}

/* An association about to be re-bound: one more client moved away from the server it named, if
 * that server still holds the slot in this generation (same epoch, live or retired: down, or
 * removed and remembered). Off the hot path: only a client whose entry is no longer valid, or
 * that a server starts a flow with, gets here. */
static __always_inline void count_moved(const struct sbulb_view *v, const struct sbulb_assoc *a)
{
	__u32 slot = a->slot;
	struct sbulb_real *r = bpf_map_lookup_elem(&sbulb_reals, &slot);
	struct sbulb_slot_count *n;

	if (!r || a->epoch == 0 || r->epoch != a->epoch ||
	    !(r->flags & ((SBULB_REAL_LIVE | SBULB_REAL_RETIRED) << (v->gen & 1))))
		return;
	n = bpf_map_lookup_elem(&sbulb_slot_frames, &slot);
	if (n)
		n->moved++;
}

/* The keys of a client of a service in both tables; the frame's family picks one. */
struct assoc_keys {
	struct sbulb_assoc4_key k4;
	struct sbulb_assoc6_key k6;
};

/* The association of (addr, port) of service `svc` in the frame family's table, or NULL. */
static __always_inline struct sbulb_assoc *assoc_find(const struct sbulb_pkt *p, struct assoc_keys *k,
						      const struct sbulb_addr *addr, __be16 port, __u16 svc)
{
	if (p->ip4) {
		k->k4.addr = addr->words[0];
		k->k4.port = port;
		k->k4.svc = svc;
		return bpf_map_lookup_elem(&sbulb_assoc4, &k->k4);
	}
	k->k6.addr = *addr;
	k->k6.port = port;
	k->k6.svc = svc;
	return bpf_map_lookup_elem(&sbulb_assoc6, &k->k6);
}

/*
 * Binds the client to `val`. A client that has an entry no longer valid (`a`) is re-bound in
 * place, through the lookup's pointer: a map update of an existing key would take a free node
 * first (docs/kernel-lru.md §2.3), which on a full table evicts another client, and a
 * re-assignment is not a new association. Another CPU may read the entry half-written; it then
 * fails the validity check and picks a slot itself, as two CPUs racing on a new client may.
 * Only a client without an entry is inserted, with BPF_NOEXIST: if another CPU inserted it
 * meanwhile, its choice stands and this frame is dropped (the client's retransmission reaches
 * the winner) rather than the client flipping servers. False if the table refused. A re-bound
 * client counts as moved away from the server its entry named (count_moved).
 */
static __always_inline bool store_association(const struct sbulb_pkt *p, const struct sbulb_view *v,
					      struct sbulb_assoc *a, const struct assoc_keys *k,
					      const struct sbulb_assoc *val)
{
	if (a) {
		count_moved(v, a);
		*a = *val;
		return true;
	}
	if (p->ip4)
		return bpf_map_update_elem(&sbulb_assoc4, &k->k4, val, BPF_NOEXIST) == 0;
	return bpf_map_update_elem(&sbulb_assoc6, &k->k6, val, BPF_NOEXIST) == 0;
}

/* The service's next cycle slot into `out` (the cursor moves on), its entry returned; NULL if
 * the cycle is empty. */
static __always_inline struct sbulb_real *pick(const struct sbulb_view *v, __u32 svc, struct sbulb_assoc *out)
{
	__u32 skey = (v->gen & 1) * sbulb_params.max_svc + svc;
	struct sbulb_service *s = bpf_map_lookup_elem(&sbulb_services, &skey);
	struct sbulb_state *st;
	struct sbulb_real *r;
	__u32 idx, key, *slot;

	if (!s || s->sched_len == 0)
		return 0;
	st = bpf_map_lookup_elem(&sbulb_state, &svc);
	if (!st)
		return 0;
	idx = st->next;
	if (idx >= s->sched_len)
		idx = 0;
	key = skey * sbulb_params.max_sched + idx;
	slot = bpf_map_lookup_elem(&sbulb_sched, &key);
	if (!slot)
		return 0;
	r = bpf_map_lookup_elem(&sbulb_reals, slot);
	if (!r)
		return 0;
	st->next = idx + 1; /* not atomic: CPUs racing may pick the same slot, harmlessly */
	out->slot = *slot;
	out->epoch = r->epoch;
	return r;
}

/* True if the UDP payload starts as a DTLS 1.2 record with a connection id (RFC 9146): content
 * type tls12_cid, version {254, 253}. */
static __always_inline bool dtls_cid_record(const struct sbulb_pkt *p)
{
	__u8 *pl = (__u8 *)(p->udp + 1);

	return (void *)(pl + 3) <= p->data_end && pl[0] == SBULB_DTLS_TLS12_CID && pl[1] == SBULB_DTLS_VERSION_HI &&
	       pl[2] == SBULB_DTLS_VERSION_LO;
}

/* A service's DTLS Connection ID layout, packed from its VIP entry (cid_len, cid_off, cid_size:
 * one byte each, from the low one) to pass as one scalar; 0: the service does not route by CID. */
static __always_inline __u32 cid_layout(const struct sbulb_vip *vip)
{
	return vip->cid_len | (__u32)vip->cid_off << 8 | (__u32)vip->cid_size << 16;
}

/*
 * The node id of a DTLS 1.2 record with a connection id (RFC 9146) in the frame's UDP payload, laid
 * out as `layout` says (cid_layout: the service's, from its VIP entry; no map read): false when the
 * payload is no such record (another content type or version: a handshake, application data
 * without a CID, not DTLS) or is shorter than the header and the connection id. The node-id bytes
 * are read big-endian.
 */
static __always_inline bool cid_node(const struct sbulb_pkt *p, __u32 layout, __u32 *node)
{
	__u8 *pl = (__u8 *)(p->udp + 1);
	__u32 cid_len = layout & 0xff, cid_off = (layout >> 8) & 0xff, cid_size = (layout >> 16) & 0xff;
	__u32 len, n = 0;
	__u8 *at;

	if (cid_len == 0 || !dtls_cid_record(p))
		return false;
	/* The UDP length was checked against the frame: the payload is all there. */
	len = bpf_ntohs(p->udp->len) - UDP_HLEN;
	if (len < SBULB_DTLS_CID_AT + cid_len)
		return false;
	at = pl + SBULB_DTLS_CID_AT + cid_off; /* cid_off is a byte: at most 255 on */
#pragma unroll
	for (int i = 0; i < SBULB_CID_MAX_NODE_SIZE; i++) {
		if (i < cid_size) {
			if ((void *)(at + i + 1) > p->data_end)
				return false; /* never: within the payload; for the verifier */
			n = (n << 8) | at[i];
		}
	}
	*node = n;
	return true;
}

/* The live slot of service `svc`'s real server with node id `node` into `out` (slot, epoch), its
 * entry returned; NULL when no live server of the service has it (unknown, down, removed). An
 * array entry by the node id's last byte, the whole node id compared: no hash lookup. */
static __always_inline struct sbulb_real *cid_real(const struct sbulb_view *v, __u32 svc, __u32 node,
						   struct sbulb_assoc *out)
{
	__u32 key = ((v->gen & 1) * sbulb_params.max_svc + svc) * SBULB_CID_NODE_SLOTS +
		    (node & (SBULB_CID_NODE_SLOTS - 1));
	struct sbulb_cid_node *e = bpf_map_lookup_elem(&sbulb_cid_nodes, &key);
	struct sbulb_real *r;

	if (!e || !e->used || e->node != node)
		return 0;
	r = bpf_map_lookup_elem(&sbulb_reals, &e->slot);
	if (!r || !(r->flags & (SBULB_REAL_LIVE << (v->gen & 1))))
		return 0; /* never: the control plane names live slots only */
	out->slot = e->slot;
	out->epoch = r->epoch;
	return r;
}

/* Writes `to` into one address of the IP header (destination on ingress, source on egress),
 * decrements the TTL / hop limit and updates the IPv4 header checksum incrementally. Returns
 * the address change as a checksum delta: the change of every pseudo-header that holds it. */
static __always_inline __u64 rewrite_ip(struct sbulb_pkt *p, bool dst, const struct sbulb_addr *to)
{
	__u64 delta = 0;

	if (p->ip4) {
		struct iphdr *ip = p->ip4;
		__be32 *field = dst ? &ip->daddr : &ip->saddr;
		__u16 *ttl_word = (__u16 *)&ip->ttl; /* TTL and protocol: one checksummed word */
		__u16 old_ttl_word = *ttl_word;

		delta = csum_delta32(*field, to->words[0]);
		*field = to->words[0];
		ip->ttl--;
		ip->check = csum_update(ip->check,
					delta + csum_delta16(old_ttl_word, *ttl_word));
	} else if (p->ip6) {
		struct ipv6hdr *ip6 = p->ip6;
		__be32 *field = dst ? ip6->daddr.in6_u.u6_addr32 : ip6->saddr.in6_u.u6_addr32;

#pragma unroll
		for (int i = 0; i < 4; i++) {
			delta += csum_delta32(field[i], to->words[i]);
			field[i] = to->words[i];
		}
		ip6->hop_limit--; /* not checksummed in IPv6 */
	}
	return delta;
}

/* The frame goes back to the gateway it came from (XDP_TX). */
static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

/* Rewrites one address (destination on ingress, source on egress) to `to`, decrements the
 * TTL / hop limit, updates the checksums incrementally, swaps the MACs. */
static __always_inline void rewrite(struct sbulb_pkt *p, bool dst, const struct sbulb_addr *to)
{
	__u64 delta = rewrite_ip(p, dst, to);

	/* The address is in the UDP pseudo-header; the TTL is not. A zero checksum stays zero:
	 * "none" for IPv4 (RFC 768); for IPv6 it is invalid and left for the receiver to reject. */
	p->udp->check = csum_update_udp(p->udp->check, delta);
	swap_macs(p->eth);
}

/*
 * Forwards an ICMP error about a datagram the VIP sent to its real server `to`: the outer
 * destination and the quoted source (the same VIP) become `to`, the TTL / hop limit is
 * decremented, the MACs swapped. Every checksum is updated incrementally: the outer IPv4
 * header's; the quoted IPv4 header's and the quoted UDP checksum (its pseudo-header holds the
 * quoted source; a zero IPv4 UDP checksum stays zero), whatever of the quoted payload was cut
 * off; the ICMP checksum, over the quoted bytes changed, and for ICMPv6 over the pseudo-header's
 * destination too.
 */
static __always_inline void rewrite_icmp_error(struct sbulb_pkt *p, struct sbulb_icmphdr *icmp,
					       const struct sbulb_quote *q, const struct sbulb_addr *to)
{
	__u64 delta = rewrite_ip(p, true, to); /* outer destination == quoted source: one delta */
	__u64 quoted = delta;                  /* what the ICMP checksum covers changes by */
	__u16 old;

	if (q->ip4) {
		q->ip4->saddr = to->words[0];
		old = q->ip4->check;
		q->ip4->check = csum_update(old, delta);
		quoted += csum_delta16(old, q->ip4->check);
	} else if (q->ip6) {
		__builtin_memcpy(q->ip6->saddr.in6_u.u6_addr32, to->words, 16);
		quoted += delta; /* the ICMPv6 pseudo-header's destination */
	}
	old = q->udp->check;
	q->udp->check = csum_update_udp(old, delta);
	quoted += csum_delta16(old, q->udp->check);
	icmp->check = csum_update(icmp->check, quoted);
	swap_macs(p->eth);
}

/* (destination, destination port) is service `svc`'s (VIP, port): docs/design.md §1 step 6.
 * `cid`: the service's DTLS CID layout (cid_layout), the constant 0 at the inlined call: the copy
 * for the other services has no CID code at all. */
static __always_inline int ingress(struct sbulb_pkt *p, const struct sbulb_view *v, const struct sbulb_addr *saddr,
				   __u32 svc, const __u32 cid)
{
	struct assoc_keys k;
	struct sbulb_assoc *a;
	struct sbulb_assoc fresh = {};
	struct sbulb_real *r = 0;
	enum sbulb_reason reason = SBULB_R_INGRESS_REUSED_NAT;
	__u32 slot = 0;

	if (p->udp->source == 0 || martian(p->family, saddr))
		return decide(p, SBULB_R_INGRESS_MARTIAN_SOURCE, XDP_DROP, 0);
	/* Loop guard: one datagram spoofed from a VIP or a real server would otherwise make two
	 * real servers answer each other through the balancer forever (the host's own addresses
	 * are flagged too: never a client). */
	if (addr_flags(v, p->family, saddr))
		return decide(p, SBULB_R_INGRESS_FROM_BALANCER, XDP_DROP, 0);
	if (!lifetime_left(p))
		return decide(p, SBULB_R_LIFETIME_WOULD_EXPIRE, XDP_DROP, 0);

	a = assoc_find(p, &k, saddr, p->udp->source, svc);
	if (cid) {
		__u32 node;

		/* A DTLS record with a connection id goes to the server that issued it (its node id),
		 * whatever address and port the client now has (a NAT rebinding): the client's
		 * association is made, or re-pointed in place, to that server. */
		if (cid_node(p, cid, &node)) {
			r = cid_real(v, svc, node, &fresh);
			if (r) {
				if (!(a && a->slot == fresh.slot && a->epoch == fresh.epoch) &&
				    !store_association(p, v, a, &k, &fresh))
					return decide(p, SBULB_R_INGRESS_CANNOT_CREATE_ASSO, XDP_DROP, 0);
				slot = fresh.slot;
				reason = SBULB_R_INGRESS_CID_ROUTED;
				goto forward;
			}
			reason = SBULB_R_INGRESS_CID_UNKNOWN_NODE; /* balanced as any other frame, counted apart */
		}
	}
	if (a) {
		slot = a->slot;
		r = valid_real(v, slot, a->epoch);
	}
	if (!r) {
		r = pick(v, svc, &fresh);
		if (!r)
			return decide(p, SBULB_R_INGRESS_NO_REAL_SERVER, XDP_DROP, 0);
		if (!store_association(p, v, a, &k, &fresh))
			return decide(p, SBULB_R_INGRESS_CANNOT_CREATE_ASSO, XDP_DROP, 0);
		if (reason != SBULB_R_INGRESS_CID_UNKNOWN_NODE)
			reason = SBULB_R_INGRESS_NEW_NAT;
		slot = fresh.slot;
	}
forward:
	count_slot(slot);
	decide(p, reason, XDP_TX, &r->addr);
	rewrite(p, true, &r->addr);
	return XDP_TX;
}

/* Ingress of a DTLS CID record to a service that routes them: a subprogram of its own, so that the
 * CID code takes no registers from the ingress hit path of every other frame (inlined there, it
 * cost a plain hit some 10 ns on 6.18). */
static __noinline int ingress_cid(struct sbulb_pkt *p, const struct sbulb_view *v, const struct sbulb_addr *saddr,
				  __u32 svc, __u32 layout)
{
	return ingress(p, v, saddr, svc, layout);
}

/* Not to a balanced (VIP, port): a real server's endpoint (egress, step 8), or not ours (7, 9). */
static __always_inline int egress(struct sbulb_pkt *p, const struct sbulb_view *v,
				  const struct sbulb_addr *saddr, const struct sbulb_addr *daddr)
{
	__u32 gen = v->gen & 1;
	struct sbulb_ep_key epk;
	struct sbulb_rs_ep *ep;
	struct assoc_keys k;
	struct sbulb_assoc *a;
	struct sbulb_assoc fresh = {};
	struct sbulb_real *r, *owner = 0;
	struct sbulb_service *s;
	enum sbulb_reason reason = SBULB_R_EGRESS_REUSED_NAT;
	__u32 slot, svc, skey, pkey;
	__u16 *ps;
	__u8 kind, dflags;

	/* The destination's flags, read once: the balancer host or a VIP here (step 7), a real
	 * server below. The host first: a reply to its own address (a health probe's, from a real
	 * server's service port) is never translated, nor taken for a flow the server starts. */
	dflags = addr_flags(v, p->family, daddr);
	if (dflags & SBULB_ADDR_HOST)
		return decide(p, SBULB_R_TO_BALANCER_HOST, XDP_PASS, 0);
	if (dflags & SBULB_ADDR_VIP)
		return decide(p, SBULB_R_INGRESS_UNHANDLED_PORT, XDP_PASS, 0);

	/* The usual reply first: the source port is one service's for this family, and the client's
	 * entry in that service names a live slot holding this very server. Then this is the hot
	 * path, with one hash lookup and no endpoint lookup. The lookup is made whoever sent the
	 * frame: like a frame of the client, it marks the entry referenced for the LRU. */
	pkey = ((gen * 2 + (p->family == SBULB_FAMILY_IPV6)) << 16) | bpf_ntohs(p->udp->source);
	ps = bpf_map_lookup_elem(&sbulb_port_svc, &pkey);
	if (ps && *ps != SBULB_PORT_SVC_NONE && *ps != SBULB_PORT_SVC_MANY) {
		svc = *ps - 1;
		a = assoc_find(p, &k, daddr, p->udp->dest, svc);
		if (a) {
			r = valid_real(v, a->slot, a->epoch);
			if (r && r->family == p->family && addr_eq(&r->addr, saddr)) {
				slot = a->slot;
				owner = r;
				goto forward;
			}
		}
	} else if (ps && *ps == SBULB_PORT_SVC_MANY && rs_fast_find(v, p->family, saddr, p->udp->source, &svc, &slot)) {
		/* Several services share the port: the probed table names the server's (a live
		 * server's endpoint: the lookup below is the one the endpoint path would make). */
		a = assoc_find(p, &k, daddr, p->udp->dest, svc);
		if (a && a->slot == slot) {
			r = valid_real(v, a->slot, a->epoch);
			if (r) {
				owner = r;
				goto forward;
			}
		}
	}

	epk.addr = *saddr;
	epk.port = p->udp->source;
	epk.family = p->family;
	epk.pad = 0;
	ep = bpf_map_lookup_elem(&sbulb_rs_ep, &epk);
	kind = ep ? ep->kind[gen] : SBULB_EP_NONE;
	if (kind == SBULB_EP_RETIRED)
		return decide(p, SBULB_R_EGRESS_REMOVED_REAL_SERVER, XDP_DROP, 0); /* never leaked */
	if (!ep || kind != SBULB_EP_SERVER) {
		if (addr_flags(v, p->family, saddr) & SBULB_ADDR_SERVER)
			return decide(p, SBULB_R_EGRESS_UNHANDLED_PORT, XDP_PASS, 0);
		return decide(p, SBULB_R_UNHANDLED_TRAFFIC, XDP_PASS, 0);
	}
	slot = ep->slot[gen];
	svc = ep->svc[gen];
	r = bpf_map_lookup_elem(&sbulb_reals, &slot);
	if (!r)
		return decide(p, SBULB_R_UNHANDLED_TRAFFIC, XDP_PASS, 0); /* never: the control plane keeps slots in range */

	a = assoc_find(p, &k, daddr, p->udp->dest, svc);
	if (a) {
		if (a->slot == slot) /* the usual case: the owner replies; its entry is at hand */
			owner = a->epoch != 0 && a->epoch == r->epoch && (r->flags & (SBULB_REAL_LIVE << gen)) ? r : 0;
		else
			owner = valid_real(v, a->slot, a->epoch);
	}
	if (owner && !(a->slot == slot && a->epoch == r->epoch))
		return decide(p, SBULB_R_EGRESS_NOT_AUTHORIZED, XDP_DROP, 0); /* only the owner talks to it */

forward:
	if (p->udp->dest == 0 || martian(p->family, daddr))
		return decide(p, SBULB_R_EGRESS_MARTIAN_DESTINATION, XDP_DROP, 0);
	if (dflags & SBULB_ADDR_SERVER)
		return decide(p, SBULB_R_EGRESS_TO_BALANCER, XDP_DROP, 0); /* never from one real server to another */
	if (!lifetime_left(p))
		return decide(p, SBULB_R_LIFETIME_WOULD_EXPIRE, XDP_DROP, 0);

	skey = gen * sbulb_params.max_svc + svc;
	s = bpf_map_lookup_elem(&sbulb_services, &skey);
	if (!s)
		return decide(p, SBULB_R_UNHANDLED_TRAFFIC, XDP_PASS, 0); /* never */
	if (!owner) {
		/* Nobody (live) owns the client: this server initiates the association. */
		fresh.slot = slot;
		fresh.epoch = r->epoch;
		if (!store_association(p, v, a, &k, &fresh))
			return decide(p, SBULB_R_EGRESS_CANNOT_CREATE_ASSO, XDP_DROP, 0);
		reason = SBULB_R_EGRESS_NEW_NAT;
	}
	count_slot(slot);
	decide(p, reason, XDP_TX, &s->vip);
	rewrite(p, false, &s->vip);
	return XDP_TX;
}

/* The generation in force and its configuration, read once for the frame; false when no
 * service is configured. */
static __always_inline bool load_view(struct sbulb_view *v)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&sbulb_gen, &zero);

	v->gen = gen ? *gen & 1 : 0;
	v->cfg = bpf_map_lookup_elem(&sbulb_config, &v->gen);
	return v->cfg && v->cfg->svc_count != 0;
}

/*
 * An ICMP error to a VIP (`daddr`): if it quotes a datagram that VIP sent from a service's port
 * to a client of a valid association, it goes to that association's real server (its path MTU
 * discovery, its unreachable clients); else it is dropped. It never creates nor re-points an
 * association (docs/design.md §1 step 3).
 */
static __always_inline int icmp_error_to_vip(struct sbulb_pkt *p, const struct sbulb_view *v,
					     struct sbulb_icmphdr *icmp, const struct sbulb_addr *daddr)
{
	struct sbulb_quote q = {};
	struct sbulb_addr qsrc, qdst;
	struct assoc_keys k;
	struct sbulb_assoc *a;
	struct sbulb_real *r;
	enum sbulb_reason len;
	const struct sbulb_vip *vip;
	__u32 svc;

	/* One of ip4 / ip6 is set (parse_frame); said again for the verifier, which tracks them apart. */
	if (p->ip4)
		len = check_ip_length(p, p->ip4, bpf_ntohs(p->ip4->tot_len), p->ip4->ihl * 4 + ICMP_HLEN);
	else if (p->ip6)
		len = check_ip_length(p, p->ip6, sizeof(*p->ip6) + bpf_ntohs(p->ip6->payload_len),
				      sizeof(*p->ip6) + ICMP_HLEN);
	else
		return decide(p, SBULB_R_NOT_UDP, XDP_PASS, 0); /* never */
	if (len != SBULB_R_NONE)
		return decide(p, len, XDP_DROP, 0);
	if (p->ip4 ? p->ip4->ttl == 0 : p->ip6 && p->ip6->hop_limit == 0)
		return decide(p, SBULB_R_LIFETIME_EXPIRED, XDP_DROP, 0);
	if (!parse_quote(p, icmp, &q))
		return decide(p, SBULB_R_ICMP_ERROR_NO_ASSOCIATION, XDP_DROP, 0);

	__builtin_memset(&qsrc, 0, sizeof(qsrc));
	__builtin_memset(&qdst, 0, sizeof(qdst));
	if (q.ip4) {
		qsrc.words[0] = q.ip4->saddr;
		qdst.words[0] = q.ip4->daddr;
	} else if (q.ip6) {
		__builtin_memcpy(qsrc.bytes, &q.ip6->saddr, 16);
		__builtin_memcpy(qdst.bytes, &q.ip6->daddr, 16);
	}
	/* Sent by the VIP the error comes back to, from a port of one of its services. */
	if (!addr_eq(&qsrc, daddr))
		return decide(p, SBULB_R_ICMP_ERROR_NO_ASSOCIATION, XDP_DROP, 0);
	vip = vip_service(v, p->family, &qsrc, q.udp->source);
	if (!vip)
		return decide(p, SBULB_R_ICMP_ERROR_NO_ASSOCIATION, XDP_DROP, 0);
	svc = vip->svc;
	a = assoc_find(p, &k, &qdst, q.udp->dest, svc);
	r = a ? valid_real(v, a->slot, a->epoch) : 0;
	if (!r)
		return decide(p, SBULB_R_ICMP_ERROR_NO_ASSOCIATION, XDP_DROP, 0);
	if (!lifetime_left(p))
		return decide(p, SBULB_R_LIFETIME_WOULD_EXPIRE, XDP_DROP, 0);

	count_slot(a->slot);
	decide(p, SBULB_R_ICMP_ERROR_TO_REAL_SERVER, XDP_TX, &r->addr);
	rewrite_icmp_error(p, icmp, &q, &r->addr);
	return XDP_TX;
}

/* Not UDP: an ICMP error to a VIP is ours; anything else passes to the kernel. */
static __always_inline int not_udp(struct sbulb_pkt *p)
{
	struct sbulb_icmphdr *icmp = parse_icmp_error(p);
	struct sbulb_addr saddr, daddr;
	struct sbulb_view v;

	if (!icmp || !load_view(&v))
		return decide(p, SBULB_R_NOT_UDP, XDP_PASS, 0);
	load_addrs(p, &saddr, &daddr);
	if (!(addr_flags(&v, p->family, &daddr) & SBULB_ADDR_VIP))
		return decide(p, SBULB_R_NOT_UDP, XDP_PASS, 0);
	return icmp_error_to_vip(p, &v, icmp, &daddr);
}

/*
 * An IP fragment, of any protocol: the balancer cannot tell its client without reassembly. To a
 * VIP it is dropped (the kernel would answer for the VIP or route it on); from a real server or
 * a VIP too (passed on, a server's fragmented reply would leave with the server's own address),
 * but to the balancer host's own address, which gets its fragments. Others pass. Servers keep
 * their datagrams within the path MTU, which the ICMP errors forwarded to them tell them.
 */
static __always_inline int fragment(struct sbulb_pkt *p)
{
	struct sbulb_addr saddr, daddr;
	struct sbulb_view v;
	__u8 dflags;

	if (!load_view(&v))
		return decide(p, SBULB_R_FRAGMENTED_IP_PACKET, XDP_PASS, 0);
	load_addrs(p, &saddr, &daddr);
	dflags = addr_flags(&v, p->family, &daddr);
	if (dflags & SBULB_ADDR_HOST)
		return decide(p, SBULB_R_FRAGMENTED_IP_PACKET, XDP_PASS, 0);
	if (dflags & SBULB_ADDR_VIP)
		return decide(p, SBULB_R_FRAGMENT_TO_VIP, XDP_DROP, 0);
	if (addr_flags(&v, p->family, &saddr) & (SBULB_ADDR_SERVER | SBULB_ADDR_VIP))
		return decide(p, SBULB_R_FRAGMENT_FROM_REAL_SERVER, XDP_DROP, 0);
	return decide(p, SBULB_R_FRAGMENTED_IP_PACKET, XDP_PASS, 0);
}

SEC("xdp")
int sbulb_xdp(struct xdp_md *ctx)
{
	struct sbulb_pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};
	struct sbulb_addr saddr, daddr;
	const struct sbulb_vip *vip;
	struct sbulb_view v;
	enum sbulb_reason r;

	r = parse_frame(&p);
	switch (r) {
	case SBULB_R_NONE:
		break;
	case SBULB_R_NOT_UDP: /* before any UDP work: ICMP errors to a VIP */
		return not_udp(&p);
	case SBULB_R_FRAGMENTED_IP_PACKET:
		return fragment(&p);
	case SBULB_R_NOT_IP:
		return decide(&p, r, XDP_PASS, 0);
	default: /* truncated or malformed headers, TTL 0 */
		return decide(&p, r, XDP_DROP, 0);
	}

	/* One generation for the whole frame: the control plane never writes the one in use. */
	if (!load_view(&v))
		return decide(&p, SBULB_R_NO_VIRTUAL_SERVER, XDP_PASS, 0);

	load_addrs(&p, &saddr, &daddr);
	vip = vip_service(&v, p.family, &daddr, p.udp->dest);
	if (vip)
		return vip->cid_len && dtls_cid_record(&p) ? ingress_cid(&p, &v, &saddr, vip->svc, cid_layout(vip))
							   : ingress(&p, &v, &saddr, vip->svc, 0);
	return egress(&p, &v, &saddr, &daddr);
}
