/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h: the program's maps (layout: sbulb_abi.h). Sizes marked "set before load" are
 * placeholders that the control plane replaces with bpf_map__set_max_entries() between open
 * and load (io.sbulb.xdp.SbulbProgram).
 */
#ifndef SBULB_MAPS_H
#define SBULB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sbulb_abi.h"

/* Key 0 -> the configuration generation in use (0 or 1), read once per frame. Written by the
 * control plane, after it has written the whole other generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sbulb_gen SEC(".maps");

/* Generation -> struct sbulb_config: service count, VIP-table seed, address filter. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SBULB_GENERATIONS);
	__type(key, __u32);
	__type(value, struct sbulb_config);
} sbulb_config SEC(".maps");

/* The VIP table: generation * vip_slots + i -> struct sbulb_vip, open addressing probed from
 * sbulb_vip_hash. An array, so the ingress classification is array loads, never a hash lookup.
 * Size: 2 x vip_slots, set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_vip);
} sbulb_vips SEC(".maps");

/* generation * max_svc + id -> struct sbulb_service. Size: 2 x max_svc, set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_service);
} sbulb_services SEC(".maps");

/* (generation * max_svc + id) * max_sched + i -> the slot of the i-th pick of the service's
 * cycle. Size: 2 x max_svc x max_sched, set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sbulb_sched SEC(".maps");

/* Slot -> struct sbulb_real, shared by both generations (flags per generation). Size: max_slots,
 * set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_real);
} sbulb_reals SEC(".maps");

/* Real-server endpoint (address, port) -> what it is in each generation. Consulted on egress
 * only. Written by the control plane; an entry is replaced whole, the generation in use's half
 * unchanged. Not preallocated, so that a replaced entry is freed only after the frames reading
 * it are done (RCU). Size set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sbulb_ep_key);
	__type(value, struct sbulb_rs_ep);
} sbulb_rs_ep SEC(".maps");

/* Address (port 0) -> SBULB_ADDR_* per generation: VIPs and live real servers. Looked up only
 * when the generation's filter bit of the address is set. Written as sbulb_rs_ep. Size set
 * before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sbulb_ep_key);
	__type(value, struct sbulb_addr_flags);
} sbulb_addrs SEC(".maps");

/* The association tables, one per family: a client of a service -> (slot, epoch). LRU hashes
 * shared by all CPUs, so an association is dropped only when its table is full (no idle
 * timeout). Written by the data path, read by the control plane. Size: max associations each,
 * set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct sbulb_assoc4_key);
	__type(value, struct sbulb_assoc);
} sbulb_assoc4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct sbulb_assoc6_key);
	__type(value, struct sbulb_assoc);
} sbulb_assoc6 SEC(".maps");

/* Service id -> its round-robin cursor. Written by the data path only. Size: max_svc, set
 * before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_state);
} sbulb_state SEC(".maps");

/* Reason code -> frames and bytes, per CPU. Written by the data path, summed by the control
 * plane. The key type puts enum sbulb_reason in the object's BTF, where AbiTest reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SBULB_R__COUNT);
	__type(key, enum sbulb_reason);
	__type(value, struct sbulb_counter);
} sbulb_counters SEC(".maps");

/* Real-server slot -> struct sbulb_slot_count per CPU: the frames forwarded (XDP_TX) to or from
 * the server holding it, how the control plane tells that a draining server's associations went
 * quiet, and the clients moved away from it (issue 16). Written by the data path; summed by the
 * control plane, which zeroes a slot's entry when it gives the slot to another server (a new
 * epoch). Size set before load: the slots (params max_slots). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1); /* set before load */
	__type(key, __u32);
	__type(value, struct sbulb_slot_count);
} sbulb_slot_frames SEC(".maps");

/* Key 0 -> struct sbulb_stamp: the layout version and the limits the pinned maps were made
 * with. Written by the control plane once; the data path never reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_stamp);
} sbulb_stamp SEC(".maps");

/* Event log: struct sbulb_event records for the reasons in sbulb_params.event_mask.
 * Written by the data path, drained by the control plane; full = events are lost, never
 * frames. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SBULB_EVENTS_BYTES);
} sbulb_events SEC(".maps");

/* (generation, family, port) -> the one service of that family on that port, + 1 (or NONE, MANY):
 * see sbulb_abi.h. Written by the control plane, for the generation not in use. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SBULB_GENERATIONS * 2 * SBULB_PORT_COUNT);
	__type(key, __u32);
	__type(value, __u16);
} sbulb_port_svc SEC(".maps");

/* Live real servers' endpoints, probed: see sbulb_abi.h. Size: 2 x params.rs_fast_slots, set
 * before load. Written by the control plane, for the generation not in use. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_rs_fast);
} sbulb_rs_fast SEC(".maps");

/* (generation, service id, node id's last byte) -> struct sbulb_cid_node: the live real server of a
 * service that routes DTLS CID records, by the node id of its connection ids (sbulb_abi.h).
 * Consulted only for such a record. An array, so the lookup is an array load. Written by the
 * control plane for the generation not in use. Size: 2 x max_svc x SBULB_CID_NODE_SLOTS, set
 * before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_cid_node);
} sbulb_cid_nodes SEC(".maps");

#endif /* SBULB_MAPS_H */
