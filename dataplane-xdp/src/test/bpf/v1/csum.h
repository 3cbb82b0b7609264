/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * csum.h: incremental Internet checksum updates (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')).
 *
 * Words are loaded from memory as they lie, in network byte order, and summed as native
 * integers: a one's complement sum is byte-order independent (RFC 1071 §2(B)), so nothing
 * here swaps bytes. A 32-bit word counts as its two 16-bit halves once the sum is folded.
 */
#ifndef SBULB_CSUM_H
#define SBULB_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* ~m + m' for one 32-bit word of the checksummed data. */
static __always_inline __u64 csum_delta32(__u32 old, __u32 new)
{
	return (__u64)(__u32)~old + new;
}

/* ~m + m' for one 16-bit word of the checksummed data. */
static __always_inline __u64 csum_delta16(__u16 old, __u16 new)
{
	return (__u64)(__u16)~old + new;
}

/* Folds a 64-bit one's complement accumulator to 16 bits (end-around carries). */
static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* The checksum field after the data changed by `delta` (a sum of csum_delta*() terms). */
static __always_inline __u16 csum_update(__u16 check, __u64 delta)
{
	return (__u16)~csum_fold64((__u64)(__u16)~check + delta);
}

/*
 * The UDP checksum field after a change. A field of 0 means "no checksum" (RFC 768) and stays
 * 0; a computed 0 is sent as 0xFFFF (RFC 768), the same in either byte order.
 */
static __always_inline __u16 csum_update_udp(__u16 check, __u64 delta)
{
	if (check == 0)
		return 0;
	check = csum_update(check, delta);
	return check == 0 ? 0xffff : check;
}

#endif /* SBULB_CSUM_H */
