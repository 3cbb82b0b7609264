// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lab_sink.bpf.c: the lab benchmark's sink, attached to the gateway's end of the load
 * balancer's veth: what the balancer sends toward the real servers is counted here, per
 * destination address, as it leaves the balancer, before the gateway's stack. During load runs
 * the counted frames are dropped, so that neither the gateway nor the real servers (which
 * share a core with the generator) limit what is measured; otherwise they go on to the stack
 * and reach the real servers' sockets (round-trip probes, control-plane latency).
 *
 * Counted: IPv4 UDP to the configured port. Everything else (ARP, replies to clients...) is
 * passed untouched. It also takes the place of the lab's XDP_PASS program on that end, which
 * veth needs for the balancer's XDP_TX frames to arrive at all.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lab_bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Key 0 -> struct sink_ctl, written by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_ctl);
} lab_sink_ctl SEC(".maps");

/* Last octet of the IPv4 destination -> struct sink_count, written by the program, read and
 * zeroed by user space. All destinations of the lab's real servers share 198.18.2.0/24. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SINK_SLOTS);
	__type(key, __u32);
	__type(value, struct sink_count);
} lab_sink_counts SEC(".maps");

SEC("xdp")
int lab_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 key = 0;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP
	    || ip->ihl < 5)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	struct sink_ctl *ctl = bpf_map_lookup_elem(&lab_sink_ctl, &key);
	if (!ctl || udp->dest != ctl->port)
		return XDP_PASS;
	key = bpf_ntohl(ip->daddr) & (SINK_SLOTS - 1);
	struct sink_count *c = bpf_map_lookup_elem(&lab_sink_counts, &key);
	if (!c)
		return XDP_PASS;
	if (c->first_ns == 0)
		c->first_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&c->frames, 1);
	return ctl->drop ? XDP_DROP : XDP_PASS;
}
