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

/* The VIP and the length of the real-server list. Key 0 -> struct sbulb_config.
 * Written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_config);
} sbulb_config SEC(".maps");

/* Balanced UDP ports. Key: port in host byte order -> 1 if balanced, else 0. An array over the
 * whole port space, so "is this port balanced" is one array load, never a hash lookup.
 * Written by the control plane, which enforces the max-ports limit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SBULB_PORT_COUNT);
	__type(key, __u32);
	__type(value, __u8);
} sbulb_ports SEC(".maps");

/* The ordered real-server list. Key: position -> address. Positions >= rs_count are unused
 * (zero). Written by the control plane, position by position. Size: max real servers, set
 * before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sbulb_addr);
} sbulb_rs SEC(".maps");

/* Address -> position in sbulb_rs, for each configured real server. A hint: a position read
 * here is only trusted once sbulb_rs confirms it. Consulted only off the hot path (egress from
 * a server without a valid association, or an association whose server moved). Written by the
 * control plane. Size: twice max real servers, set before load (a list change adds the new
 * entries before it removes the departed ones). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct sbulb_addr);
	__type(value, __u32);
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

/* Event log: struct sbulb_event records for the reasons in sbulb_params.event_mask.
 * Written by the data path, drained by the control plane; full = events are lost, never
 * frames. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SBULB_EVENTS_BYTES);
} sbulb_events SEC(".maps");

#endif /* SBULB_MAPS_H */
