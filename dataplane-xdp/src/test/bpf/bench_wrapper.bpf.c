// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_wrapper.bpf.c: measures an XDP program with BPF_PROG_TEST_RUN and repeat > 1
 * (docs/design.md §4).
 *
 * BPF_PROG_TEST_RUN does not restore the packet between repetitions: a NAT program would see
 * its own output from the second repetition on and be measured on the wrong path. bench_wrapper
 * therefore writes the original frame over the packet on every repetition, then tail-calls the
 * program under test (slot 0 of bench_callee). The baseline is bench_pass in that slot: the same
 * copy, the same tail call, an XDP_PASS callee. Every configuration does exactly the same
 * wrapper work, so the ratio to the baseline isolates the callee.
 *
 * Varying the frame (for paths that must see a new client every time, e.g. a new association):
 * one 32-bit word of the restored frame is XORed with (run number & vary_mask), byte-swapped so
 * that the low bits of the run number change the last bytes of an address. With vary_mask 0 the
 * same instructions run and the frame is restored unchanged.
 *
 * Used by io.sbulb.xdp.bench.DataPathBenchmark and BenchWrapperTest.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Every frame measured is exactly this long: the copy is a fixed sequence of 8-byte moves, the
 * same work in every configuration. The Java side reads it as the value size of bench_frame. */
#define BENCH_FRAME_LEN 128
#define BENCH_FRAME_WORDS (BENCH_FRAME_LEN / 8)

_Static_assert(BENCH_FRAME_LEN % 8 == 0, "the frame is copied 8 bytes at a time");

/* Key 0 -> the original frame, bytes as on the wire. Written by user space before a run. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[BENCH_FRAME_LEN]);
} bench_frame SEC(".maps");

/* Key 0 -> struct bench_ctl. vary_* written by user space; the counts by the wrapper. Not per
 * CPU: the measuring thread is pinned to one CPU. Host byte order. */
struct bench_ctl {
	__u32 vary_offset;        /* byte offset of the varied 32-bit word in the frame */
	__u32 vary_mask;          /* 0: no variation */
	__u64 runs;               /* repetitions that reached the tail call */
	__u64 refused;            /* repetitions refused: packet shorter than BENCH_FRAME_LEN, or
	                           * the varied word not inside it */
	__u64 tail_call_failures; /* repetitions whose tail call did not happen (empty slot) */
};

_Static_assert(sizeof(struct bench_ctl) == 32, "bench_ctl crosses the user/kernel boundary");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_ctl);
} bench_ctl SEC(".maps");

/* Slot 0 -> the program under test (a program fd when written from user space). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_callee SEC(".maps");

SEC("xdp")
int bench_wrapper(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct bench_ctl *ctl = bpf_map_lookup_elem(&bench_ctl, &zero);
	__u64 *frame = bpf_map_lookup_elem(&bench_frame, &zero);
	__u64 *pkt = data;
	__u32 *word;

	if (!ctl || !frame)
		return XDP_ABORTED;
	/* The copy must fit. A longer packet would leave bytes the copy does not restore: the Java
	 * side refuses those before the run. (Checking "!= data_end" here would not do: clang turns
	 * a pair of ordered checks into one "!=", from which the verifier learns no packet range.) */
	if (data + BENCH_FRAME_LEN > data_end) {
		ctl->refused++;
		return XDP_ABORTED;
	}

#pragma unroll
	for (int i = 0; i < BENCH_FRAME_WORDS; i++)
		pkt[i] = frame[i];

	/* Any byte offset (an IPv4 source address starts at 26): unaligned 32-bit packet access is
	 * fine where the kernel has efficient unaligned access (x86-64, arm64). A pointer with a
	 * variable offset has no packet range yet, hence its own check (never true for an offset
	 * that the Java side accepted). */
	_Static_assert((BENCH_FRAME_LEN & (BENCH_FRAME_LEN - 1)) == 0, "the offset mask needs a power of two");
	word = data + (ctl->vary_offset & (BENCH_FRAME_LEN - 1));
	if ((void *)(word + 1) > data_end) {
		ctl->refused++;
		return XDP_ABORTED;
	}
	*word ^= bpf_htonl((__u32)ctl->runs & ctl->vary_mask);
	ctl->runs++;

	bpf_tail_call(ctx, &bench_callee, 0);
	ctl->tail_call_failures++;
	return XDP_ABORTED;
}

/* The baseline callee. */
SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
