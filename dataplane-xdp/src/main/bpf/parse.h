/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h: header parsers with one contract. Each checks its header against data_end, stores
 * the header pointer in struct sbulb_pkt, and returns SBULB_R_NONE, or the reason the frame
 * goes no further (docs/design.md §1 steps 1-4, in that order). parse_icmp_error() and
 * parse_quote() read an ICMP error and the datagram it quotes, for a frame parse_frame() found
 * not UDP.
 */
#ifndef SBULB_PARSE_H
#define SBULB_PARSE_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "sbulb_abi.h"

#define IPV4_MF     0x2000 /* more fragments, host byte order */
#define IPV4_OFFSET 0x1fff /* fragment offset mask, host byte order */
#define NEXTHDR_FRAGMENT 44
#define ETH_ZLEN_NO_FCS  60 /* the shortest Ethernet frame: shorter ones arrive padded to it */
#define UDP_HLEN         8
#define ICMP_HLEN        8 /* type, code, checksum, 4 bytes (unused, or the MTU of a "too big" error) */
#define NEXTHDR_ICMPV6   58
/* ICMP error types (RFC 792) and ICMPv6 error types (RFC 4443) whose quoted datagram is forwarded */
#define ICMP_DEST_UNREACH    3  /* code 4: fragmentation needed (path MTU discovery, RFC 1191) */
#define ICMP_TIME_EXCEEDED   11
#define ICMPV6_DEST_UNREACH  1
#define ICMPV6_PKT_TOOBIG    2  /* path MTU discovery (RFC 8201) */
#define ICMPV6_TIME_EXCEED   3

/* A frame being parsed: each pointer is set once its header is known to be in bounds. */
struct sbulb_pkt {
	void *data;
	void *data_end;
	struct ethhdr *eth;
	struct iphdr *ip4;     /* at most one of ip4 / ip6 is set */
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	__u8 family;           /* SBULB_FAMILY_* of the IP header found */
};

/* The UDP header at l4, the last step of both IP parsers. */
static __always_inline enum sbulb_reason parse_udp(struct sbulb_pkt *p, void *l4)
{
	struct udphdr *udp = l4;

	if ((void *)(udp + 1) > p->data_end)
		return SBULB_R_INVALID_UDP_SIZE;
	p->udp = udp;
	return SBULB_R_NONE;
}

/*
 * The length the IP header claims against the frame. ip_len: the whole IP packet as its header
 * says (IPv4 total length, 40 + IPv6 payload length); min_len: the least it must hold (its own
 * header and the next header's fixed part). The packet must fill the frame exactly, but for the
 * padding that brings a short frame up to Ethernet's 60 bytes. (Pointer differences: a scalar
 * the verifier lets privileged programs compute.)
 */
static __always_inline enum sbulb_reason check_ip_length(struct sbulb_pkt *p, void *l3, __u32 ip_len, __u32 min_len)
{
	__u64 avail = p->data_end - l3;
	__u64 frame = p->data_end - p->data;

	if (ip_len > avail || ip_len < min_len || (ip_len < avail && frame > ETH_ZLEN_NO_FCS))
		return SBULB_R_INVALID_IP_LENGTH;
	return SBULB_R_NONE;
}

/* The lengths the headers claim, once the UDP header is in bounds: the IP length against the
 * frame (hdr_len: the IP header's own length), and the UDP length must be what it leaves. */
static __always_inline enum sbulb_reason check_lengths(struct sbulb_pkt *p, void *l3, __u32 ip_len, __u32 hdr_len)
{
	enum sbulb_reason r = check_ip_length(p, l3, ip_len, hdr_len + UDP_HLEN);

	if (r != SBULB_R_NONE)
		return r;
	if (bpf_ntohs(p->udp->len) != ip_len - hdr_len)
		return SBULB_R_INVALID_UDP_LENGTH;
	return SBULB_R_NONE;
}

static __always_inline enum sbulb_reason parse_ipv4(struct sbulb_pkt *p, void *l3)
{
	struct iphdr *ip = l3;

	if ((void *)(ip + 1) > p->data_end)
		return SBULB_R_INVALID_IP_SIZE;
	p->ip4 = ip;
	p->family = SBULB_FAMILY_IPV4;
	if (ip->version != 4)
		return SBULB_R_INVALID_IP_VERSION;
	if (ip->ihl < 5)
		return SBULB_R_TOO_SMALL_IP_HEADER;
	/* Options are allowed (the original passed them): the UDP header starts after IHL words.
	 * ihl is 4 bits, so the offset is at most 60 bytes. */
	void *l4 = l3 + ip->ihl * 4;
	if (l4 > p->data_end)
		return SBULB_R_INVALID_IP_SIZE;
	/* A fragment of any protocol, as IPv6's fragment header is found before the protocol: a
	 * non-first fragment has no header of its protocol to look at. */
	if (ip->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET))
		return SBULB_R_FRAGMENTED_IP_PACKET;
	if (ip->protocol != IPPROTO_UDP)
		return SBULB_R_NOT_UDP;
	if (ip->ttl == 0)
		return SBULB_R_LIFETIME_EXPIRED;
	enum sbulb_reason r = parse_udp(p, l4);
	if (r != SBULB_R_NONE)
		return r;
	return check_lengths(p, l3, bpf_ntohs(ip->tot_len), ip->ihl * 4);
}

static __always_inline enum sbulb_reason parse_ipv6(struct sbulb_pkt *p, void *l3)
{
	struct ipv6hdr *ip6 = l3;

	if ((void *)(ip6 + 1) > p->data_end)
		return SBULB_R_INVALID_IP_SIZE;
	p->ip6 = ip6;
	p->family = SBULB_FAMILY_IPV6;
	if (ip6->version != 6)
		return SBULB_R_INVALID_IP_VERSION;
	/* Only UDP right after the fixed header is balanced; extension headers other than the
	 * fragment header are handed to the kernel as "not UDP". */
	if (ip6->nexthdr == NEXTHDR_FRAGMENT)
		return SBULB_R_FRAGMENTED_IP_PACKET;
	if (ip6->nexthdr != IPPROTO_UDP)
		return SBULB_R_NOT_UDP;
	if (ip6->hop_limit == 0)
		return SBULB_R_LIFETIME_EXPIRED;
	enum sbulb_reason r = parse_udp(p, ip6 + 1);
	if (r != SBULB_R_NONE)
		return r;
	r = check_lengths(p, l3, sizeof(*ip6) + bpf_ntohs(ip6->payload_len), sizeof(*ip6));
	if (r != SBULB_R_NONE)
		return r;
	/* RFC 8200 section 8.1: IPv6 receivers must discard UDP datagrams with a zero checksum */
	if (p->udp->check == 0)
		return SBULB_R_IPV6_ZERO_UDP_CHECKSUM;
	return SBULB_R_NONE;
}

/* The ICMP and ICMPv6 header: the same 8 bytes in both. */
struct sbulb_icmphdr {
	__u8   type;
	__u8   code;
	__sum16 check;         /* over the message; ICMPv6 also over the IPv6 pseudo-header */
	__be32 rest;           /* unused, or the next-hop MTU / MTU of a "too big" error */
};

/* The datagram an ICMP error quotes (RFC 792: its IP header and at least 8 bytes after it;
 * RFC 4443 §2.4: as much as fits): a UDP datagram whose headers are in bounds. */
struct sbulb_quote {
	struct iphdr *ip4;     /* the one of the outer header's family */
	struct ipv6hdr *ip6;
	struct udphdr *udp;    /* its first 8 bytes; what follows may be cut off */
};

/*
 * After parse_frame() said SBULB_R_NOT_UDP: the ICMP header of an error whose quote may be
 * forwarded (IPv4 destination unreachable or time exceeded; ICMPv6 destination unreachable,
 * packet too big or time exceeded), in bounds; NULL for anything else (it passes as not UDP).
 */
static __always_inline struct sbulb_icmphdr *parse_icmp_error(const struct sbulb_pkt *p)
{
	struct sbulb_icmphdr *icmp;

	if (p->ip4) {
		if (p->ip4->protocol != IPPROTO_ICMP)
			return 0;
		icmp = (void *)p->ip4 + p->ip4->ihl * 4;
		if ((void *)(icmp + 1) > p->data_end)
			return 0;
		return icmp->type == ICMP_DEST_UNREACH || icmp->type == ICMP_TIME_EXCEEDED ? icmp : 0;
	}
	if (!p->ip6 || p->ip6->nexthdr != NEXTHDR_ICMPV6)
		return 0;
	icmp = (void *)(p->ip6 + 1);
	if ((void *)(icmp + 1) > p->data_end)
		return 0;
	return icmp->type == ICMPV6_DEST_UNREACH || icmp->type == ICMPV6_PKT_TOOBIG || icmp->type == ICMPV6_TIME_EXCEED
	       ? icmp : 0;
}

/*
 * The datagram quoted after the ICMP header: of the outer header's family, UDP right after its
 * IP header (IPv4 options skipped by IHL; an IPv4 quote of a non-first fragment has no UDP header
 * and is refused), the 8 bytes of its UDP header in bounds. False if it is not such a datagram.
 */
static __always_inline bool parse_quote(const struct sbulb_pkt *p, struct sbulb_icmphdr *icmp, struct sbulb_quote *q)
{
	void *l3 = icmp + 1;
	struct udphdr *udp;

	if (p->ip4) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > p->data_end || ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_UDP ||
		    (ip->frag_off & bpf_htons(IPV4_OFFSET)))
			return false;
		udp = l3 + ip->ihl * 4;
		q->ip4 = ip;
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > p->data_end || ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP)
			return false;
		udp = (void *)(ip6 + 1);
		q->ip6 = ip6;
	}
	if ((void *)(udp + 1) > p->data_end)
		return false;
	q->udp = udp;
	return true;
}

/* Ethernet, IPv4 or IPv6, UDP. On SBULB_R_NONE, eth, udp and one of ip4 / ip6 are set. */
static __always_inline enum sbulb_reason parse_frame(struct sbulb_pkt *p)
{
	struct ethhdr *eth = p->data;

	if ((void *)(eth + 1) > p->data_end)
		return SBULB_R_INVALID_ETH_SIZE;
	p->eth = eth;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(p, eth + 1);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(p, eth + 1);
	return SBULB_R_NOT_IP;
}

#endif /* SBULB_PARSE_H */
