/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sbulb_abi.h: everything the XDP program and the Java control plane must agree on.
 *
 * Reason codes, map names, and the layout of every key and value that crosses the
 * kernel/user boundary. The Java side (io.sbulb.xdp.SbulbAbi) does not copy these by hand
 * without a check: AbiTest opens the compiled object and compares every map name, key size,
 * value size and reason code (read from the object's BTF) with what Java assumes.
 *
 * Byte order: addresses and ports are kept in network byte order, exactly as they sit in the
 * packet, so the data path never converts them. Everything else is host byte order.
 */
#ifndef SBULB_ABI_H
#define SBULB_ABI_H

#include <linux/types.h>

/* Why the data path decided what it did with a frame (docs/design.md §1). One per frame. */
enum sbulb_reason {
	SBULB_R_NONE                       = 0,  /* never emitted */
	SBULB_R_INVALID_ETH_SIZE           = 1,  /* drop */
	SBULB_R_NOT_IP                     = 2,  /* pass */
	SBULB_R_INVALID_IP_SIZE            = 3,  /* drop: IP header truncated */
	SBULB_R_TOO_SMALL_IP_HEADER        = 4,  /* drop: IPv4 IHL < 5 */
	SBULB_R_NOT_UDP                    = 5,  /* pass */
	SBULB_R_FRAGMENTED_IP_PACKET       = 6,  /* pass */
	SBULB_R_INVALID_UDP_SIZE           = 7,  /* drop: UDP header truncated */
	SBULB_R_LIFETIME_EXPIRED           = 8,  /* drop: TTL / hop limit 0 */
	SBULB_R_NO_VIRTUAL_SERVER          = 9,  /* pass */
	SBULB_R_UNHANDLED_TRAFFIC          = 10, /* pass */
	SBULB_R_INGRESS_UNHANDLED_PORT     = 11, /* pass */
	SBULB_R_INGRESS_NEW_NAT            = 12, /* tx */
	SBULB_R_INGRESS_REUSED_NAT         = 13, /* tx */
	SBULB_R_INGRESS_NO_REAL_SERVER     = 14, /* drop */
	SBULB_R_INGRESS_CANNOT_CREATE_ASSO = 15, /* drop */
	SBULB_R_EGRESS_UNHANDLED_PORT      = 16, /* pass */
	SBULB_R_EGRESS_NEW_NAT             = 17, /* tx */
	SBULB_R_EGRESS_REUSED_NAT          = 18, /* tx */
	SBULB_R_EGRESS_NOT_AUTHORIZED      = 19, /* drop */
	SBULB_R_EGRESS_CANNOT_CREATE_ASSO  = 20, /* drop */
	SBULB_R_INVALID_IP_VERSION         = 21, /* drop: version field disagrees with the EtherType */
	SBULB_R_INVALID_IP_LENGTH          = 22, /* drop: IPv4 total / IPv6 payload length vs the frame */
	SBULB_R_INVALID_UDP_LENGTH         = 23, /* drop: UDP length vs the IP length */
	SBULB_R_IPV6_ZERO_UDP_CHECKSUM     = 24, /* drop: RFC 8200 section 8.1 */
	SBULB_R_LIFETIME_WOULD_EXPIRE      = 25, /* drop: TTL / hop limit 1 (RFC 1812: not forwarded) */
	SBULB_R_INGRESS_MARTIAN_SOURCE     = 26, /* drop: martian client address, or port 0 */
	SBULB_R_INGRESS_FROM_BALANCER      = 27, /* drop: from the VIP or a real server (loop guard) */
	SBULB_R_EGRESS_MARTIAN_DESTINATION = 28, /* drop: to a martian address, or port 0 */
	SBULB_R_EGRESS_TO_BALANCER         = 29, /* drop: from a real server to a real server */
	SBULB_R_EGRESS_REMOVED_REAL_SERVER = 30, /* drop: a late reply of a removed real server */
	SBULB_R__COUNT                     = 31,
};

/* Map names (at most 15 characters: BPF_OBJ_NAME_LEN). */
#define SBULB_MAP_CONFIG    "sbulb_config"
#define SBULB_MAP_PORTS     "sbulb_ports"
#define SBULB_MAP_RS        "sbulb_rs"
#define SBULB_MAP_RS_INDEX  "sbulb_rs_index"
#define SBULB_MAP_ASSOC     "sbulb_assoc"
#define SBULB_MAP_STATE     "sbulb_state"
#define SBULB_MAP_GEN       "sbulb_gen"
#define SBULB_MAP_COUNTERS  "sbulb_counters"
#define SBULB_MAP_EVENTS    "sbulb_events"
#define SBULB_PROG_NAME     "sbulb_xdp"

/* Entries of the port table: one per UDP port, indexed by the port in host byte order. */
#define SBULB_PORT_COUNT 65536
/* Size of the event ring buffer in bytes (a power of two, a multiple of the page size). */
#define SBULB_EVENTS_BYTES (256 * 1024)

/* Configuration generations: the control plane writes the one not in use, then switches
 * sbulb_gen[0] to it, so that no frame ever sees a half-written configuration
 * (docs/design.md, "Configuration changes"). */
#define SBULB_GENERATIONS 2

/* Bits of the real-server filter in struct sbulb_config (a power of two). */
#define SBULB_RS_FILTER_BITS 1024

/* Values of struct sbulb_rs_pos.pos[] that are not positions. */
#define SBULB_RS_ABSENT  0xffffffffu /* not in that generation's list */
#define SBULB_RS_RETIRED 0xfffffffeu /* removed from the list: its late replies are dropped */

#define SBULB_FAMILY_NONE 0
#define SBULB_FAMILY_IPV4 4
#define SBULB_FAMILY_IPV6 6

/* An IPv4 or IPv6 address, network byte order. IPv4 uses the first 4 bytes, the rest are 0.
 * The union gives it 4-byte alignment: the verifier insists on aligned stack access, and the
 * data path compares and checksums addresses a 32-bit word at a time. */
struct sbulb_addr {
	union {
		__u8   bytes[16];
		__be32 words[4];
	};
};

/* The bit of an address in sbulb_config.rs_filter: its four 32-bit words as they lie in memory
 * (network byte order read as host integers), combined in turn and mixed. The Java side
 * (io.sbulb.xdp.SbulbAbi.filterBit) computes the same; a wrong bit would let a real server's
 * frames to the VIP through, which the scenarios and the differential tests would see. */
static inline __attribute__((always_inline)) __u32 sbulb_rs_filter_bit(const struct sbulb_addr *a)
{
	/* the words combined in turn (order matters: fd00:2::1 and fd00:1::2 must differ, which a
	 * XOR of the words would not), then murmur3's finalizer, so that every input bit moves the
	 * low bits the filter takes */
	__u32 h = a->words[0] * 0x9e3779b1u;

	h = (h ^ a->words[1]) * 0x85ebca77u;
	h = (h ^ a->words[2]) * 0xc2b2ae3du;
	h ^= a->words[3];
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h & (SBULB_RS_FILTER_BITS - 1);
}

/* sbulb_config[generation], written by the control plane only. */
struct sbulb_config {
	struct sbulb_addr vip; /* the virtual server address */
	__u8  family;          /* SBULB_FAMILY_*: the VIP's family; NONE = no VIP configured */
	__u8  rs_family;       /* the list's family, for the control plane that reads the maps back
	                        * (a list may stay while the VIP is removed); the data path ignores it */
	__u8  pad[2];          /* 0 */
	__u32 rs_count;        /* entries 0..rs_count-1 of this generation's sbulb_rs slots */
	/* Bit sbulb_rs_filter_bit(a) is set for every real server a of this generation: a clear
	 * bit proves that an address is no real server without a hash lookup (the check of every
	 * client address); a set bit is confirmed by sbulb_rs_index. */
	__u64 rs_filter[SBULB_RS_FILTER_BITS / 64];
};

/* Value of sbulb_rs_index: where the address stands in each generation's list. */
struct sbulb_rs_pos {
	__u32 pos[SBULB_GENERATIONS]; /* a position, SBULB_RS_ABSENT or SBULB_RS_RETIRED */
	__u32 retired_seq;     /* for a retired server: its rank among the retired, oldest first
	                        * (the control plane's, read back when it adopts pinned maps);
	                        * 0 otherwise. The data path does not read it. */
	__u8  family;          /* the address's family (the key is padded): for the control plane */
	__u8  pad[3];
};

/* sbulb_state[0], written by the data path only: the round-robin cursor. */
struct sbulb_state {
	__u32 next_rs;         /* index of the next real server to pick; past the end wraps to 0 */
};

/* Key of the association table: a foreign peer. */
struct sbulb_assoc_key {
	struct sbulb_addr addr; /* peer address */
	__be16 port;            /* peer UDP port, network byte order */
	__u8  family;           /* SBULB_FAMILY_IPV4 / _IPV6 */
	__u8  pad;              /* 0 */
};

/* Value of the association table: the real server the peer is bound to. */
struct sbulb_assoc {
	struct sbulb_addr rs;  /* real server address */
	__u32 rs_index;        /* position in sbulb_rs where rs was last found; the data path
	                        * rewrites it in place when the server moved in the list */
#ifdef SBULB_ABI_TEST_EXTRA
	__u32 extra;           /* only in the upgrade test's second object: a field appended */
#endif
};

/* The layout version of the pinned maps (docs/design.md, "State that outlives the process"):
 * raised with every change of a pinned map's key or value layout. The upgrade test builds a
 * second object with SBULB_ABI_TEST_EXTRA, a layout one version on. */
enum sbulb_abi_version {
#ifdef SBULB_ABI_TEST_EXTRA
	SBULB_ABI_VERSION = 2,
#else
	SBULB_ABI_VERSION = 1,
#endif
};

/* sbulb_stamp[0]: what the pinned maps were made with, written once by the control plane that
 * created them; a later start compares it with its own object and limits before reusing them. */
struct sbulb_stamp {
	enum sbulb_abi_version abi;
	__u32 max_rs;          /* -mrs the maps were sized for */
	__u32 max_assoc;       /* -ma: entries of sbulb_assoc */
	__u32 assoc_size;      /* sizeof(struct sbulb_assoc) */
};

/* Per-CPU counters, one per reason code. */
struct sbulb_counter {
	__u64 packets;
	__u64 bytes;           /* whole frames, from the Ethernet header */
};

/* One event of the log ring buffer, for the reasons enabled in sbulb_params.event_mask. */
struct sbulb_event {
	__u32 reason;          /* enum sbulb_reason */
	__u8  family;          /* SBULB_FAMILY_*; NONE when the frame had no IP header */
	__u8  pad;
	__be16 src_port;       /* network byte order; 0 when the frame had no UDP header */
	__be16 dst_port;
	__u16 pad2;
	struct sbulb_addr src; /* addresses as received */
	struct sbulb_addr dst;
	struct sbulb_addr nat; /* address written: the real server (ingress) or the VIP (egress) */
	__u8  src_mac[6];      /* MACs as received */
	__u8  dst_mac[6];
};

/* Load-time constants (.rodata), set by the control plane between open and load. */
struct sbulb_params {
	__u64 event_mask;      /* bit (1 << reason) set: emit an event for that reason */
	__u32 max_rs;          /* slots per generation in sbulb_rs: generation g's position i is
	                        * key g * max_rs + i */
	__u32 pad;
};

_Static_assert(sizeof(struct sbulb_addr) == 16, "sbulb_addr crosses the ABI");
_Static_assert(sizeof(struct sbulb_config) == 152, "sbulb_config crosses the ABI");
_Static_assert(sizeof(struct sbulb_rs_pos) == 16, "sbulb_rs_pos crosses the ABI");
_Static_assert(sizeof(struct sbulb_stamp) == 16, "sbulb_stamp crosses the ABI");
_Static_assert(sizeof(struct sbulb_state) == 4, "sbulb_state crosses the ABI");
_Static_assert(sizeof(struct sbulb_assoc_key) == 20, "sbulb_assoc_key crosses the ABI");
#ifndef SBULB_ABI_TEST_EXTRA
_Static_assert(sizeof(struct sbulb_assoc) == 20, "sbulb_assoc crosses the ABI");
#endif
_Static_assert(sizeof(struct sbulb_counter) == 16, "sbulb_counter crosses the ABI");
_Static_assert(sizeof(struct sbulb_event) == 72, "sbulb_event crosses the ABI");
_Static_assert(sizeof(struct sbulb_params) == 16, "sbulb_params crosses the ABI");
_Static_assert(sizeof(enum sbulb_reason) == 4, "reason codes are 32-bit map keys");
_Static_assert(SBULB_R__COUNT <= 64, "event_mask has one bit per reason");

#endif /* SBULB_ABI_H */
