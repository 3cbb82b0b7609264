// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A program the verifier must reject: it reads the packet without checking data_end.
 * BpfObjectTest loads it to prove a load failure carries the verifier's log. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int unchecked_read(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[40] == 0 ? XDP_PASS : XDP_DROP; /* no bounds check: "invalid access to packet" */
}
