/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lab_bench.h: what the lab benchmark's generator and sink programs share with the Java side
 * (io.sbulb.bench.LabBpf). Host byte order unless a field says otherwise.
 */
#ifndef LAB_BENCH_H
#define LAB_BENCH_H

#include <linux/types.h>

/* Ethernet (14) + IPv4 without options (20) + UDP (8): the header the generator writes. */
#define GEN_HDR_LEN 42
#define GEN_UDP_SPORT_OFF 34 /* byte offset of the UDP source port in the frame */

/* The generator's configuration and state, key 0 of lab_gen_cfg. Times are bpf_ktime_get_ns
 * (CLOCK_MONOTONIC, ns). */
struct gen_cfg {
	__u8 hdr[GEN_HDR_LEN]; /* the frame's headers as on the wire; UDP checksum 0 (none) */
	__u16 base_port;       /* the first client source port, host order */
	__u32 clients;         /* source ports base_port .. base_port + clients - 1, in turn */
	__u32 pad[2];
	__u64 interval_ns;     /* time between frames; 0: as fast as possible */
	__u64 deadline_ns;     /* no frame is sent after this time (the rest of the run is cheap) */
	/* written by the program; user space zeroes them before a run */
	__u64 next_ns;         /* when the next frame is due; 0 before the first */
	__u64 sent;            /* frames sent (XDP_TX) */
	__u64 late;            /* times the generator fell behind and dropped the lag */
	__u64 first_ns;        /* when the first frame was sent */
	__u64 last_ns;         /* when the latest frame was sent */
};
_Static_assert(sizeof(struct gen_cfg) == 112, "gen_cfg crosses the user/kernel boundary");

/* How far behind its schedule the generator may fall before it stops catching up (a burst
 * after a pause would overflow veth's ring of 256 frames): 32 frames. */
#define GEN_MAX_LAG_FRAMES 32

/* The sink's mode, key 0 of lab_sink_ctl. */
struct sink_ctl {
	__u32 drop;      /* 1: counted frames are dropped (load runs); 0: passed to the stack */
	__u16 port;      /* counted frames go to this UDP port, network byte order */
	__u16 pad;
};
_Static_assert(sizeof(struct sink_ctl) == 8, "sink_ctl crosses the user/kernel boundary");

/* One destination's count, lab_sink_counts[last octet of the IPv4 destination]. */
struct sink_count {
	__u64 frames;
	__u64 first_ns; /* bpf_ktime_get_ns (CLOCK_MONOTONIC) of the first frame, 0 before */
};
_Static_assert(sizeof(struct sink_count) == 16, "sink_count crosses the user/kernel boundary");

#define SINK_SLOTS 256

#endif
