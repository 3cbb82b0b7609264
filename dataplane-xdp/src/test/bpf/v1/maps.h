/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h: the program's maps. Sizes marked "set before load" are placeholders that the
 * control plane replaces with bpf_map__set_max_entries() between open and load.
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

/* The VIP, the length of the real-server list and the real-server filter, one per generation.
 * Key: generation -> struct sbulb_config. Written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SBULB_GENERATIONS);
	__type(key, __u32);
	__type(value, struct sbulb_config);
} sbulb_config SEC(".maps");

/* Balanced UDP ports. Key: port in host byte order -> bit g set if balanced in generation g. An
 * array over the whole port space, so "is this port balanced" is one array load, never a hash
 * lookup. Written by the control plane, which enforces the max-ports limit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SBULB_PORT_COUNT);
	__type(key, __u32);
	__type(value, __u8);
} sbulb_ports SEC(".maps");

/* The ordered real-server lists, one per generation. Key: generation * max_rs + position ->
 * address (max_rs: sbulb_params). Positions >= that generation's rs_count are unused. Written by
 * the control plane, only in the generation not in use. Size: 2 x max real servers, set before
 * load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_addr);
} sbulb_rs SEC(".maps");

/* Address -> its position in each generation's list (struct sbulb_rs_pos), for every real
 * server of either generation and for up to max_rs retired ones (removed: their late replies
 * are dropped, not leaked). A position read here is only trusted once sbulb_rs confirms it.
 * Consulted off the hot path (egress from a server without a valid association, an
 * association whose server moved, an address the real-server filter does not rule out).
 * Written by the control plane; an entry is replaced whole, with the position of the
 * generation in use unchanged. Not preallocated, so that a replaced entry is freed only after
 * the frames reading it are done (RCU). Size: 3 x max real servers, set before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sbulb_addr);
	__type(value, struct sbulb_rs_pos);
} sbulb_rs_index SEC(".maps");

/* The association table: foreign peer -> real server. An LRU hash shared by all CPUs, so an
 * association is dropped only when the table is full (no idle timeout). Written by the data
 * path (new associations) and read by the control plane. Size: max associations, set before
 * load. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct sbulb_assoc_key);
	__type(value, struct sbulb_assoc);
} sbulb_assoc SEC(".maps");

/* Key 0 -> round-robin cursor. Written by the data path only. */
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

#endif /* SBULB_MAPS_H */
