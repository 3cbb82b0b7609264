// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_pass.bpf.c: passes every frame to the kernel's stack, nothing else.
 *
 * Why it exists: on a veth pair, a frame one end sends with XDP_TX is delivered to the other
 * end only when that peer end also runs an XDP program (veth's XDP transmit goes into the
 * peer's XDP receive queue, which exists only while the peer has a program). The namespace
 * lab attaches this program to the peer ends so that sbulb's XDP_TX frames arrive; the
 * attachment tests use it as "some other program". Test code: packaged in dataplane-xdp's
 * test-jar (io.sbulb.xdp.testing.PassProgram), never in the shipped jar.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
