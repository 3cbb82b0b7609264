// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lab_gen.bpf.c: the lab benchmark's traffic generator, run with BPF_PROG_TEST_RUN and
 * BPF_F_TEST_XDP_LIVE_FRAMES on the gateway's end of the load balancer's veth: XDP_TX there
 * becomes a redirect out of that interface, so every run puts one real frame on the wire,
 * without a socket or the stack on the sending side (a sendmmsg loop saturates a core far
 * below what an XDP balancer takes).
 *
 * Pacing is done here, not in user space: a BPF_PROG_TEST_RUN call in live-frames mode costs
 * some 20 ms of setup and teardown (a page pool), so one call runs a whole load step. Each
 * frame waits (bpf_loop over bpf_ktime_get_ns) until it is due; a generator that falls behind
 * by more than GEN_MAX_LAG_FRAMES drops the lag instead of bursting, and the rate it reached is
 * what gets reported. After deadline_ns every run returns XDP_DROP at once, which bounds a
 * call in time whatever its repeat count.
 *
 * Live frames come from a page pool and are reused: the balancer under test rewrites a frame in
 * place (addresses, TTL, MACs) before its page comes back. So every run writes the whole header
 * from the template, not just the field that changes, then the source port of the next client
 * in turn. The UDP checksum stays 0 ("none", RFC 768), so no checksum depends on the port.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lab_bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Key 0 -> struct gen_cfg. hdr, base_port and clients written by user space before a run;
 * seq by the program (one generating thread: a plain increment). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} lab_gen_cfg SEC(".maps");

/* bpf_loop callback: stop once the time *ctx (the next frame's, on the stack) has come. */
static long due(__u64 index, void *ctx)
{
	return bpf_ktime_get_ns() >= *(__u64 *)ctx ? 1 : 0;
}

SEC("xdp")
int lab_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	struct gen_cfg *cfg = bpf_map_lookup_elem(&lab_gen_cfg, &key);

	if (!cfg || data + GEN_HDR_LEN > data_end || cfg->clients == 0)
		return XDP_ABORTED;
	__u64 now = bpf_ktime_get_ns();
	if (now > cfg->deadline_ns)
		return XDP_DROP;
	if (cfg->interval_ns) {
		if (cfg->next_ns == 0 || now > cfg->next_ns + GEN_MAX_LAG_FRAMES * cfg->interval_ns) {
			if (cfg->next_ns)
				cfg->late++;
			cfg->next_ns = now;
		}
		/* at most 2^23 checks, some 0.2 s: an interval is far shorter */
		__u64 next = cfg->next_ns; /* bpf_loop's context lives on the stack */
		bpf_loop(1 << 23, due, &next, 0);
		if (next > now)
			now = next; /* sent when due: no second clock read a frame */
		cfg->next_ns += cfg->interval_ns;
	}
	__builtin_memcpy(data, cfg->hdr, GEN_HDR_LEN);
	if (cfg->sent == 0)
		cfg->first_ns = now;
	cfg->last_ns = now;
	__u16 port = cfg->base_port + (__u16)(cfg->sent % cfg->clients);
	cfg->sent++;
	*(__be16 *)(data + GEN_UDP_SPORT_OFF) = bpf_htons(port);
	return XDP_TX;
}
