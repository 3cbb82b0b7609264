// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_minimal.bpf.c: the second baseline of the data-path benchmark (issue 6): the least an
 * XDP UDP NAT can do for a frame of a known client, to hold sbulb's hit path against.
 *
 * bench_minimal: one LRU hash lookup keyed by (IPv4 source address, UDP source port); on a hit
 * the IPv4 destination becomes the map's value, the IPv4 header and UDP checksums are updated
 * incrementally (RFC 1624), the MACs are swapped, XDP_TX. No map write on a hit, no counter, no
 * TTL decrement, no IPv6, no configuration lookups. Anything else (not IPv4/UDP with a 20-byte
 * header, or no entry): XDP_PASS, unchanged, so the Java side tells a hit from a miss by the
 * verdict and the output bytes.
 *
 * Diagnostic variants, the same code with one of sbulb's costs added, so the benchmark can show
 * where sbulb's hit path spends its time beyond the minimum (no PMU in a VM: bpftool prog profile
 * has no cycle counter to read):
 *   bench_minimal_key20   the lookup keyed as sbulb keys its table: 20 bytes (address padded to
 *                         16, port, family, pad), not 8;
 *   bench_minimal_counted a per-CPU (frames, bytes) counter, as sbulb counts every frame;
 *   bench_minimal_all     both, and the TTL decrement (in the IPv4 header checksum) sbulb does.
 *
 * Tail-called by bench_wrapper (slot 0 of its bench_callee) exactly like sbulb_xdp and
 * bench_pass. Used by io.sbulb.xdp.bench.MinimalProgram.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The client: both fields in network byte order, as they lie in the frame. */
struct bench_min_key {
	__be32 addr;
	__be16 port;
	__u16 pad; /* kept 0 by user space: it is hashed with the rest */
};

/* The client keyed as sbulb keys it (struct sbulb_assoc_key): the IPv4 address in the first
 * of four words, the rest 0; family 4. */
struct bench_min_key20 {
	__be32 addr[4];
	__be16 port;
	__u8 family;
	__u8 pad;
};

_Static_assert(sizeof(struct bench_min_key) == 8, "bench_min_key crosses the user/kernel boundary");
_Static_assert(sizeof(struct bench_min_key20) == 20, "bench_min_key20 crosses the user/kernel boundary");

/* Client -> real server's IPv4 address (network byte order). Written by user space only; the
 * programs only read them. Size: set before load to sbulb's association table size, so all
 * look up tables of the same size. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct bench_min_key);
	__type(value, __be32);
} bench_min_assoc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct bench_min_key20);
	__type(value, __be32);
} bench_min_assoc20 SEC(".maps");

/* Key 0 -> frames and bytes NATed, per CPU (as sbulb's struct sbulb_counter). Written by the
 * counting variants. */
struct bench_min_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_min_counter);
} bench_min_counters SEC(".maps");

/* ~m + m' for a 32-bit word (two 16-bit words of the checksummed data), summed as native
 * integers: a one's complement sum does not depend on byte order (RFC 1071 §2(B)). */
static __always_inline __u64 delta32(__u32 old, __u32 new)
{
	return (__u64)(__u32)~old + new;
}

/* ~m + m' for a 16-bit word. */
static __always_inline __u64 delta16(__u16 old, __u16 new)
{
	return (__u64)(__u16)~old + new;
}

/* HC' = ~(~HC + delta), RFC 1624 eqn. 3, the 64-bit sum folded to 16 bits. */
static __always_inline __u16 csum_apply(__u16 check, __u64 delta)
{
	__u64 sum = (__u16)~check + delta;

	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The NAT; the flags are constants at every call, so each program holds only its own code. */
static __always_inline int minimal_nat(struct xdp_md *ctx, const bool key20, const bool count, const bool ttl)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 mac[ETH_ALEN];
	__be32 *rs;
	__u64 delta;

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;

	if (key20) {
		struct bench_min_key20 key = {};

		key.addr[0] = ip->saddr;
		key.port = udp->source;
		key.family = 4;
		rs = bpf_map_lookup_elem(&bench_min_assoc20, &key);
	} else {
		struct bench_min_key key = {};

		key.addr = ip->saddr;
		key.port = udp->source;
		rs = bpf_map_lookup_elem(&bench_min_assoc, &key);
	}
	if (!rs)
		return XDP_PASS;

	if (count) {
		__u32 zero = 0;
		struct bench_min_counter *c = bpf_map_lookup_elem(&bench_min_counters, &zero);

		if (c) {
			c->packets++;
			c->bytes += data_end - data;
		}
	}

	delta = delta32(ip->daddr, *rs);
	ip->daddr = *rs;
	if (ttl) {
		__u16 *ttl_word = (__u16 *)&ip->ttl; /* TTL and protocol: one checksummed word */
		__u16 old = *ttl_word;

		ip->ttl--;
		ip->check = csum_apply(ip->check, delta + delta16(old, *ttl_word));
	} else {
		ip->check = csum_apply(ip->check, delta);
	}
	/* The address is in the UDP pseudo-header (the TTL is not). 0 means "no checksum"
	 * (RFC 768) and stays 0; a computed 0 goes out as 0xFFFF. */
	if (udp->check) {
		udp->check = csum_apply(udp->check, delta);
		if (!udp->check)
			udp->check = 0xffff;
	}

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp")
int bench_minimal(struct xdp_md *ctx)
{
	return minimal_nat(ctx, false, false, false);
}

SEC("xdp")
int bench_minimal_key20(struct xdp_md *ctx)
{
	return minimal_nat(ctx, true, false, false);
}

SEC("xdp")
int bench_minimal_counted(struct xdp_md *ctx)
{
	return minimal_nat(ctx, false, true, false);
}

SEC("xdp")
int bench_minimal_all(struct xdp_md *ctx)
{
	return minimal_nat(ctx, true, true, true);
}
