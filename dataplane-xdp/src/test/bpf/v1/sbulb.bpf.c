// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sbulb.bpf.c: the XDP data path of the sbulb UDP load balancer (docs/design.md §1).
 *
 * Ingress (to the VIP): bind the client (address, port) to a real server, round robin for
 * new clients, and rewrite the destination to that server. Egress (from a real server):
 * rewrite the source to the VIP, binding the client to that server if nobody owns it, and
 * refusing servers that do not own it. Frames go back out where they came from (XDP_TX).
 *
 * Hot path (a frame of an existing association): one association lookup, no map update.
 * Port and real-server checks are array loads; the real-server address index (a hash) is
 * consulted only when an association's remembered position no longer holds its server, or
 * when the real-server filter cannot rule a peer address out.
 *
 * Every frame is decided by one configuration generation, read once (sbulb_gen): the control
 * plane writes the other generation whole, then switches, so no frame sees a list half
 * rewritten. A removed real server's late replies are dropped (SBULB_RS_RETIRED), never passed
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

/* The configuration a frame is decided by: one generation, read once at the frame's start. */
struct sbulb_view {
	const struct sbulb_config *cfg;
	__u32 gen;             /* 0 or 1 */
};

/* True if position `idx` of the real-server list holds `addr`. Array loads only. */
static __always_inline bool rs_at(const struct sbulb_view *v, __u32 idx, const struct sbulb_addr *addr)
{
	struct sbulb_addr *rs;
	__u32 key;

	if (idx >= v->cfg->rs_count)
		return false;
	key = v->gen * sbulb_params.max_rs + idx;
	rs = bpf_map_lookup_elem(&sbulb_rs, &key);
	return rs && addr_eq(rs, addr);
}

/* What sbulb_rs_index says of `addr` in this generation: its position (confirmed by the array,
 * which is the truth), SBULB_RS_RETIRED, or SBULB_RS_ABSENT. One hash lookup. */
static __always_inline __u32 rs_lookup(const struct sbulb_view *v, const struct sbulb_addr *addr)
{
	struct sbulb_rs_pos *e = bpf_map_lookup_elem(&sbulb_rs_index, addr);
	__u32 pos;

	if (!e)
		return SBULB_RS_ABSENT;
	pos = e->pos[v->gen & 1];
	if (pos == SBULB_RS_RETIRED)
		return pos;
	if (!rs_at(v, pos, addr))
		return SBULB_RS_ABSENT;
	return pos;
}

/* The position of real server `addr` in the list, or -1 if it is not configured. */
static __always_inline __s64 rs_position(const struct sbulb_view *v, const struct sbulb_addr *addr)
{
	__u32 pos = rs_lookup(v, addr);

	if (pos == SBULB_RS_ABSENT || pos == SBULB_RS_RETIRED)
		return -1;
	return pos;
}

/* True if `addr` is a configured real server. Usually one array load: the filter rules most
 * addresses out; a set bit is confirmed by the index. */
static __always_inline bool is_real_server(const struct sbulb_view *v, const struct sbulb_addr *addr)
{
	__u32 bit = sbulb_rs_filter_bit(addr);

	if (!(v->cfg->rs_filter[(bit >> 6) & (SBULB_RS_FILTER_BITS / 64 - 1)] & (1ULL << (bit & 63))))
		return false;
	return rs_position(v, addr) >= 0;
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

/* True if the association's real server is still configured. If it moved to another position,
 * the association remembers the new one: a write in place through the lookup's pointer, which
 * unlike a map update has no effect on the LRU. */
static __always_inline bool assoc_valid(const struct sbulb_view *v, struct sbulb_assoc *a)
{
	__s64 pos;

	if (rs_at(v, a->rs_index, &a->rs))
		return true;
	pos = rs_position(v, &a->rs);
	if (pos < 0)
		return false;
	a->rs_index = pos;
	return true;
}

/* Picks the next real server by round robin into `out`. False if the list is empty. */
static __always_inline bool pick_round_robin(const struct sbulb_view *v, struct sbulb_assoc *out)
{
	__u32 zero = 0;
	struct sbulb_state *st = bpf_map_lookup_elem(&sbulb_state, &zero);
	struct sbulb_addr *rs;
	__u32 idx, key;

	if (!st || v->cfg->rs_count == 0)
		return false;
	idx = st->next_rs;
	if (idx >= v->cfg->rs_count)
		idx = 0;
	key = v->gen * sbulb_params.max_rs + idx;
	rs = bpf_map_lookup_elem(&sbulb_rs, &key);
	if (!rs)
		return false;
	st->next_rs = idx + 1; /* not atomic: CPUs racing may pick the same server, harmlessly */
	out->rs = *rs;
	out->rs_index = idx;
	return true;
}

/* True if the frame may be forwarded: a TTL / hop limit of 1 would leave at 0 (RFC 1812). */
static __always_inline bool lifetime_left(const struct sbulb_pkt *p)
{
	return p->ip4 ? p->ip4->ttl > 1 : p->ip6 && p->ip6->hop_limit > 1;
}

/* True if `port` (host byte order) is balanced in this generation. One array load. */
static __always_inline bool balanced(const struct sbulb_view *v, __u32 port)
{
	__u8 *bits = bpf_map_lookup_elem(&sbulb_ports, &port);

	return bits && (*bits & (1u << (v->gen & 1)));
}

/*
 * Binds the peer `key` to `val`. A peer that has an entry whose server left (`a`) is re-bound
 * in place, through the lookup's pointer: a map update of an existing key would take a free
 * node first (docs/kernel-lru.md §2.3), which on a full table evicts another client, and a
 * re-assignment is not a new association. Another CPU may read the entry half-written; it then
 * fails the validity check and picks a server itself, as two CPUs racing on a new peer may.
 * Only a peer without an entry is inserted, with BPF_NOEXIST: if another CPU inserted the
 * peer meanwhile, its choice stands and this frame is dropped (the client's retransmission
 * reaches the winner) rather than the peer flipping servers. False if the table refused.
 */
static __always_inline bool store_association(struct sbulb_assoc *a, const struct sbulb_assoc_key *key,
					      const struct sbulb_assoc *val)
{
	if (a) {
		*a = *val;
		return true;
	}
	return bpf_map_update_elem(&sbulb_assoc, key, val, BPF_NOEXIST) == 0;
}

/* Rewrites one address (destination on ingress, source on egress) to `to`, decrements the
 * TTL / hop limit, updates the checksums incrementally, swaps the MACs. */
static __always_inline void rewrite(struct sbulb_pkt *p, bool dst, const struct sbulb_addr *to)
{
	struct ethhdr *eth = p->eth;
	struct udphdr *udp = p->udp;
	__u8 mac[ETH_ALEN];
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
	/* The address is in the UDP pseudo-header; the TTL is not. A zero checksum stays zero:
	 * "none" for IPv4 (RFC 768); for IPv6 it is invalid and left for the receiver to reject. */
	udp->check = csum_update_udp(udp->check, delta);

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

/* Destination == VIP. */
static __always_inline int ingress(struct sbulb_pkt *p, const struct sbulb_view *v, const struct sbulb_addr *saddr)
{
	struct sbulb_assoc_key key = {};
	struct sbulb_assoc *a;
	struct sbulb_assoc fresh = {};
	const struct sbulb_addr *rs;
	enum sbulb_reason reason;

	if (!balanced(v, bpf_ntohs(p->udp->dest)))
		return decide(p, SBULB_R_INGRESS_UNHANDLED_PORT, XDP_PASS, 0);
	if (p->udp->source == 0 || martian(p->family, saddr))
		return decide(p, SBULB_R_INGRESS_MARTIAN_SOURCE, XDP_DROP, 0);
	/* Loop guard: one datagram spoofed from the VIP or a real server would otherwise make two
	 * real servers answer each other through the balancer forever. */
	if (addr_eq(saddr, &v->cfg->vip) || is_real_server(v, saddr))
		return decide(p, SBULB_R_INGRESS_FROM_BALANCER, XDP_DROP, 0);
	if (!lifetime_left(p))
		return decide(p, SBULB_R_LIFETIME_WOULD_EXPIRE, XDP_DROP, 0);

	key.addr = *saddr;
	key.port = p->udp->source;
	key.family = p->family;
	a = bpf_map_lookup_elem(&sbulb_assoc, &key);
	if (a && assoc_valid(v, a)) {
		rs = &a->rs;
		reason = SBULB_R_INGRESS_REUSED_NAT;
	} else {
		if (!pick_round_robin(v, &fresh))
			return decide(p, SBULB_R_INGRESS_NO_REAL_SERVER, XDP_DROP, 0);
		if (!store_association(a, &key, &fresh))
			return decide(p, SBULB_R_INGRESS_CANNOT_CREATE_ASSO, XDP_DROP, 0);
		rs = &fresh.rs;
		reason = SBULB_R_INGRESS_NEW_NAT;
	}
	decide(p, reason, XDP_TX, rs);
	rewrite(p, true, rs);
	return XDP_TX;
}

/* From a real server to `daddr`: the reason not to forward it, or SBULB_R_NONE. */
static __always_inline enum sbulb_reason egress_refusal(const struct sbulb_pkt *p, const struct sbulb_view *v,
							const struct sbulb_addr *daddr)
{
	if (p->udp->dest == 0 || martian(p->family, daddr))
		return SBULB_R_EGRESS_MARTIAN_DESTINATION;
	if (is_real_server(v, daddr))
		return SBULB_R_EGRESS_TO_BALANCER; /* never forwarded from one real server to another */
	if (!lifetime_left(p))
		return SBULB_R_LIFETIME_WOULD_EXPIRE;
	return SBULB_R_NONE;
}

/* Destination != VIP: from a real server (egress), or not ours. */
static __always_inline int egress(struct sbulb_pkt *p, const struct sbulb_view *v,
				  const struct sbulb_addr *saddr, const struct sbulb_addr *daddr)
{
	struct sbulb_assoc_key key = {};
	struct sbulb_assoc *a;
	struct sbulb_assoc fresh = {};
	enum sbulb_reason reason = SBULB_R_EGRESS_REUSED_NAT, refused;
	__u32 pos;

	if (!balanced(v, bpf_ntohs(p->udp->source))) {
		if (rs_position(v, saddr) < 0)
			return decide(p, SBULB_R_UNHANDLED_TRAFFIC, XDP_PASS, 0);
		return decide(p, SBULB_R_EGRESS_UNHANDLED_PORT, XDP_PASS, 0);
	}

	key.addr = *daddr;
	key.port = p->udp->dest;
	key.family = p->family;
	/* Looked up before knowing the source is a real server: on the hot path that check is
	 * then an array load. A frame from elsewhere to an associated peer on a balanced port
	 * thus marks the association referenced; it changes nothing else. */
	a = bpf_map_lookup_elem(&sbulb_assoc, &key);
	if (a && addr_eq(&a->rs, saddr) && rs_at(v, a->rs_index, saddr)) {
		/* hot path: the owner talks to its client */
		refused = egress_refusal(p, v, daddr);
		if (refused != SBULB_R_NONE)
			return decide(p, refused, XDP_DROP, 0);
		goto nat;
	}

	pos = rs_lookup(v, saddr);
	if (pos == SBULB_RS_RETIRED)
		return decide(p, SBULB_R_EGRESS_REMOVED_REAL_SERVER, XDP_DROP, 0); /* never leaked */
	if (pos == SBULB_RS_ABSENT)
		return decide(p, SBULB_R_UNHANDLED_TRAFFIC, XDP_PASS, 0);
	refused = egress_refusal(p, v, daddr);
	if (refused != SBULB_R_NONE)
		return decide(p, refused, XDP_DROP, 0);
	if (a && addr_eq(&a->rs, saddr)) {
		a->rs_index = pos; /* the owner moved in the list: remember where, in place */
	} else if (a && assoc_valid(v, a)) {
		return decide(p, SBULB_R_EGRESS_NOT_AUTHORIZED, XDP_DROP, 0);
	} else {
		/* Nobody (still configured) owns the peer: this server initiates the association. */
		fresh.rs = *saddr;
		fresh.rs_index = pos;
		if (!store_association(a, &key, &fresh))
			return decide(p, SBULB_R_EGRESS_CANNOT_CREATE_ASSO, XDP_DROP, 0);
		reason = SBULB_R_EGRESS_NEW_NAT;
	}
nat:
	decide(p, reason, XDP_TX, &v->cfg->vip);
	rewrite(p, false, &v->cfg->vip);
	return XDP_TX;
}

SEC("xdp")
int sbulb_xdp(struct xdp_md *ctx)
{
	struct sbulb_pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};
	struct sbulb_addr saddr, daddr;
	struct sbulb_view v;
	enum sbulb_reason r;
	__u32 zero = 0, *gen;

	r = parse_frame(&p);
	switch (r) {
	case SBULB_R_NONE:
		break;
	case SBULB_R_NOT_IP:
	case SBULB_R_NOT_UDP:
	case SBULB_R_FRAGMENTED_IP_PACKET:
		return decide(&p, r, XDP_PASS, 0);
	default: /* truncated or malformed headers, TTL 0 */
		return decide(&p, r, XDP_DROP, 0);
	}

	/* One generation for the whole frame: the control plane never writes the one in use. */
	gen = bpf_map_lookup_elem(&sbulb_gen, &zero);
	v.gen = gen ? *gen & 1 : 0;
	v.cfg = bpf_map_lookup_elem(&sbulb_config, &v.gen);
	if (!v.cfg || v.cfg->family == SBULB_FAMILY_NONE)
		return decide(&p, SBULB_R_NO_VIRTUAL_SERVER, XDP_PASS, 0);
	/* Real servers share the VIP's family, so a frame of the other family is not ours. */
	if (p.family != v.cfg->family)
		return decide(&p, SBULB_R_UNHANDLED_TRAFFIC, XDP_PASS, 0);

	load_addrs(&p, &saddr, &daddr);
	if (addr_eq(&daddr, &v.cfg->vip))
		return ingress(&p, &v, &saddr);
	return egress(&p, &v, &saddr, &daddr);
}
