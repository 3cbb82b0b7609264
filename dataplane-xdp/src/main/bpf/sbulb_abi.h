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
	SBULB_R_INGRESS_FROM_BALANCER      = 27, /* drop: from the VIP, a real server or the host (loop guard) */
	SBULB_R_EGRESS_MARTIAN_DESTINATION = 28, /* drop: to a martian address, or port 0 */
	SBULB_R_EGRESS_TO_BALANCER         = 29, /* drop: from a real server to a real server */
	SBULB_R_EGRESS_REMOVED_REAL_SERVER = 30, /* drop: a late reply of a removed real server */
	SBULB_R_TO_BALANCER_HOST           = 31, /* pass: to the balancer host's own address, never translated */
	SBULB_R_INGRESS_CID_ROUTED         = 32, /* tx: a DTLS CID record, to the real server of its node id */
	SBULB_R_INGRESS_CID_UNKNOWN_NODE   = 33, /* tx: a DTLS CID record whose node id names no live server: fallback */
	SBULB_R_ICMP_ERROR_TO_REAL_SERVER  = 34, /* tx: an ICMP error about a client's datagram, to its real server */
	SBULB_R_ICMP_ERROR_NO_ASSOCIATION  = 35, /* drop: an ICMP error to a VIP quoting no valid association */
	SBULB_R_FRAGMENT_TO_VIP            = 36, /* drop: an IP fragment to a VIP */
	SBULB_R_FRAGMENT_FROM_REAL_SERVER  = 37, /* drop: an IP fragment from a real server or a VIP */
	SBULB_R__COUNT                     = 38,
};

/* Map names (at most 15 characters: BPF_OBJ_NAME_LEN). */
#define SBULB_MAP_GEN       "sbulb_gen"
#define SBULB_MAP_CONFIG    "sbulb_config"
#define SBULB_MAP_SERVICES  "sbulb_services"
#define SBULB_MAP_VIPS      "sbulb_vips"
#define SBULB_MAP_SCHED     "sbulb_sched"
#define SBULB_MAP_REALS     "sbulb_reals"
#define SBULB_MAP_RS_EP     "sbulb_rs_ep"
#define SBULB_MAP_ADDRS     "sbulb_addrs"
#define SBULB_MAP_ASSOC4    "sbulb_assoc4"
#define SBULB_MAP_ASSOC6    "sbulb_assoc6"
#define SBULB_MAP_STATE     "sbulb_state"
#define SBULB_MAP_COUNTERS  "sbulb_counters"
#define SBULB_MAP_EVENTS    "sbulb_events"
#define SBULB_MAP_STAMP     "sbulb_stamp"
#define SBULB_MAP_PORT_SVC  "sbulb_port_svc"
#define SBULB_MAP_RS_FAST   "sbulb_rs_fast"
#define SBULB_MAP_SLOT_FRAMES "sbulb_slot_frames"
#define SBULB_MAP_CID_NODES "sbulb_cid_nodes"
#define SBULB_PROG_NAME     "sbulb_xdp"

/* Size of the event ring buffer in bytes (a power of two, a multiple of the page size). */
#define SBULB_EVENTS_BYTES (256 * 1024)

/* Configuration generations: the control plane writes the one not in use, then switches
 * sbulb_gen[0] to it, so that no frame ever sees a half-written configuration
 * (docs/design.md, "Configuration changes"). Tables indexed by generation put generation g's
 * entries at g * (entries per generation) + i. */
#define SBULB_GENERATIONS 2

/* Bits of the address filter in struct sbulb_config (a power of two). */
#define SBULB_RS_FILTER_BITS 1024

/* Probes of the VIP table (open addressing, linear probing): the control plane places every
 * (vip, port) within this many slots of its hash, or picks another seed. */
#define SBULB_VIP_PROBES 8

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

/* The bit of an address in sbulb_config.filter: its four 32-bit words as they lie in memory
 * (network byte order read as host integers), combined in turn and mixed. The Java side
 * (io.sbulb.xdp.SbulbAbi.filterBit) computes the same. */
static inline __attribute__((always_inline)) __u32 sbulb_rs_filter_bit(const struct sbulb_addr *a)
{
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

/* The first VIP-table slot probed for (addr, port): the address words, the port (network byte
 * order, as in the frame) and the family, combined with the generation's seed and mixed. The Java
 * side (io.sbulb.xdp.SbulbAbi.vipHash) computes the same. The caller masks it. */
static inline __attribute__((always_inline)) __u32 sbulb_vip_hash(const struct sbulb_addr *a, __be16 port,
								 __u8 family, __u32 seed)
{
	__u32 h = (seed ^ a->words[0]) * 0x9e3779b1u;

	h = (h ^ a->words[1]) * 0x85ebca77u;
	h = (h ^ a->words[2]) * 0xc2b2ae3du;
	h = (h ^ a->words[3]) * 0x27d4eb2fu;
	h ^= (__u32)port | ((__u32)family << 16);
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* sbulb_config[generation], written by the control plane only. */
struct sbulb_config {
	__u32 svc_count;       /* services in this generation; 0: nothing balanced (NO_VIRTUAL_SERVER) */
	__u32 vip_seed;        /* the seed of sbulb_vip_hash for this generation's VIP table */
	__u32 next_epoch;      /* for the control plane only: the epoch the next new slot gets */
	__u32 next_retired_seq; /* for the control plane only: the rank the next retired server gets */
	/* Bit sbulb_rs_filter_bit(a) is set for every address with flags in sbulb_addrs for this
	 * generation (VIPs and live real servers of every service, the host's addresses): a clear
	 * bit proves an address is none without a hash lookup (the loop guard on every client
	 * address). */
	__u64 filter[SBULB_RS_FILTER_BITS / 64];
};

/* sbulb_vips[generation * params.vip_slots + i]: the VIP table, open addressing. An entry with
 * used = 0 ends a probe sequence. */
struct sbulb_vip {
	struct sbulb_addr addr; /* the VIP */
	__be16 port;            /* a balanced port, network byte order */
	__u8  family;           /* SBULB_FAMILY_IPV4 / _IPV6 */
	__u8  used;             /* 1: an entry */
	__u16 svc;              /* the service's id */
	/* The service's DTLS Connection ID layout (its dtls-cid, issue 20), here because the data
	 * path has this entry at hand: the CID's length in bytes (0: the service does not route by
	 * CID, and the ingress hit path reads nothing more for it), where the node id lies in it,
	 * its size in bytes (1..SBULB_CID_MAX_NODE_SIZE). sbulb_service keeps the same for the
	 * control plane. */
	__u8  cid_len;
	__u8  cid_off;
	__u8  cid_size;
	__u8  pad[3];
};

/* sbulb_services[generation * params.max_svc + id]: a service as the data path needs it. */
struct sbulb_service {
	struct sbulb_addr vip;  /* the VIP: egress rewrites the source to it */
	__u8  family;           /* SBULB_FAMILY_NONE: no service of this id in this generation */
	__u8  pad;
	__u16 order;            /* for the control plane: the service's place in the configuration */
	__u32 sched_len;        /* entries of this service's cycle in sbulb_sched; 0: no server takes new clients */
	char  name[32];         /* for the control plane: the service's name, NUL-padded */
	/* DTLS 1.2 Connection ID routing (RFC 9146, issue 20), for the control plane (the data path
	 * reads the copy in the VIP entries): the connection id's length in bytes (1..255; 0: none),
	 * and where the node id lies in it (offset, size 1..SBULB_CID_MAX_NODE_SIZE bytes, read
	 * big-endian). Layout 4. */
	__u8  cid_len;
	__u8  cid_off;
	__u8  cid_size;
	__u8  cid_pad;
};

/* A DTLS 1.2 record with a connection id (RFC 9146 section 4): content type tls12_cid, version
 * {254, 253}, epoch (2 bytes), sequence number (6 bytes), then the connection id at this offset of
 * the UDP payload. */
#define SBULB_DTLS_TLS12_CID    25
#define SBULB_DTLS_VERSION_HI   0xfe
#define SBULB_DTLS_VERSION_LO   0xfd
#define SBULB_DTLS_CID_AT       11
#define SBULB_CID_MAX_NODE_SIZE 4

/* Entries of sbulb_cid_nodes per service and generation: a node id's entry is the one of its last
 * byte, so the node ids of one service differ in their last byte (with node-id-size 1, always). */
#define SBULB_CID_NODE_SLOTS 256

/* sbulb_cid_nodes[(generation * params.max_svc + id) * SBULB_CID_NODE_SLOTS + (node & 0xff)]: the
 * live real server of service id whose connection ids carry node id `node`. */
struct sbulb_cid_node {
	__u32 node;             /* the node-id bytes read big-endian (host byte order) */
	__u32 slot;             /* its live slot in that generation */
	__u8  used;             /* 1: an entry */
	__u8  pad[3];
};

/* sbulb_sched[(generation * params.max_svc + id) * params.max_sched + i] -> the slot of the i-th
 * pick of the service's smooth weighted round-robin cycle (a __u32). */

/* Flags of struct sbulb_real: bit g (SBULB_REAL_LIVE << g) set when the slot is a live real
 * server in generation g, bit 2 + g (SBULB_REAL_RETIRED << g) when retired in generation g. */
#define SBULB_REAL_LIVE    1
#define SBULB_REAL_RETIRED 4

/* sbulb_reals[slot]: one real server of one service, for as long as it keeps that slot. Shared by
 * both generations: the control plane changes only the flags and fields of the generation it
 * writes, and gives a slot a new address and epoch only when it is unused by the generation in
 * use. */
struct sbulb_real {
	struct sbulb_addr addr; /* the real server */
	__u32 epoch;            /* the slot's incarnation; 0 never valid */
	__u32 retired_seq;      /* for the control plane: rank among the retired, oldest first */
	__u32 pos[SBULB_GENERATIONS]; /* for the control plane: index in its service's list, per generation */
	__u16 svc;              /* for the control plane: its service's id */
	__u8  family;
	__u8  flags;            /* SBULB_REAL_* << generation */
	__u8  weight[SBULB_GENERATIONS]; /* for the control plane: its weight, per generation */
	__u8  pad[2];
};

/* Key of sbulb_rs_ep and sbulb_addrs: an address with its family (and a port for sbulb_rs_ep;
 * 0 for sbulb_addrs). */
struct sbulb_ep_key {
	struct sbulb_addr addr;
	__be16 port;            /* network byte order */
	__u8  family;
	__u8  pad;
};

#define SBULB_EP_NONE    0
#define SBULB_EP_SERVER  1
#define SBULB_EP_RETIRED 2

/* sbulb_rs_ep value: what a real server's endpoint (address, port) is in each generation. */
struct sbulb_rs_ep {
	__u32 slot[SBULB_GENERATIONS];
	__u16 svc[SBULB_GENERATIONS];
	__u8  kind[SBULB_GENERATIONS]; /* SBULB_EP_* */
	__u8  pad[2];
};

#define SBULB_ADDR_VIP    1
#define SBULB_ADDR_SERVER 2
#define SBULB_ADDR_HOST   4 /* one of the balancer host's own addresses: never translated to */

/* sbulb_addrs value: per generation, SBULB_ADDR_* bits (a VIP of any service, a live real
 * server of any service, an address of the balancer host). */
struct sbulb_addr_flags {
	__u8 flags[SBULB_GENERATIONS];
	__u8 pad[2];
};

/* sbulb_port_svc[(generation * 2 + (family == IPv6)) * 65536 + port (host order)] -> the id + 1 of
 * the one service of that family balancing that port, SBULB_PORT_SVC_NONE when none does,
 * SBULB_PORT_SVC_MANY when several do (a __u16). It lets a real server's reply find its client
 * with one hash lookup (docs/design.md §1, step 8). Written by the control plane. */
#define SBULB_PORT_SVC_NONE 0
#define SBULB_PORT_SVC_MANY 0xffff
#define SBULB_PORT_COUNT    65536

/* sbulb_rs_fast[generation * params.rs_fast_slots + i]: live real servers' endpoints
 * (address, port) -> service and slot, in an array probed like the VIP table (same hash and
 * seed, SBULB_VIP_PROBES probes): how a reply finds its service without a hash-map lookup when
 * several services of a family share its port. An accelerator only: an endpoint the control
 * plane could not place is found in sbulb_rs_ep instead. */
struct sbulb_rs_fast {
	struct sbulb_addr addr;
	__be16 port;            /* network byte order */
	__u8  family;
	__u8  used;             /* 1: an entry */
	__u16 svc;
	__u16 pad;
	__u32 slot;
};

/* sbulb_state[service id], written by the data path only: the service's round-robin cursor. */
struct sbulb_state {
	__u32 next;            /* index of the next pick in the cycle; past the end wraps to 0 */
};

/* Keys of the association tables, one table per family: a client of a service. */
struct sbulb_assoc4_key {
	__be32 addr;            /* client address */
	__be16 port;            /* client UDP port, network byte order */
	__u16 svc;              /* the service's id */
};

struct sbulb_assoc6_key {
	struct sbulb_addr addr;
	__be16 port;
	__u16 svc;
};

/* Value of both association tables: the slot the client is bound to, and its epoch then. */
struct sbulb_assoc {
	__u32 slot;
	__u32 epoch;
#ifdef SBULB_ABI_TEST_EXTRA
	__u32 extra;           /* only in the upgrade test's second object: a field appended */
#endif
};

/* The layout version of the pinned maps (docs/design.md, "State that outlives the process"):
 * raised with every change of a pinned map's key or value layout. 1: the single-service layout;
 * 2: services; 3: a reason more (sbulb_counters grows: TO_BALANCER_HOST); 4: sbulb_slot_frames
 * counts moved clients too (its value grows: struct sbulb_slot_count), reasons up to 37 (ICMP
 * errors, fragments, DTLS Connection ID routing), sbulb_service appends cid_*, sbulb_vip's pad
 * holds cid, sbulb_cid_nodes is new. The upgrade test builds a second object with
 * SBULB_ABI_TEST_EXTRA, one on. */
enum sbulb_abi_version {
#ifdef SBULB_ABI_TEST_EXTRA
	SBULB_ABI_VERSION = 5,
#else
	SBULB_ABI_VERSION = 4,
#endif
};

/* sbulb_stamp[0]: what the pinned maps were made with, written once by the control plane that
 * created them; a later start compares it with its own object and limits before reusing them.
 * The first four fields are layout 1's, in place. */
struct sbulb_stamp {
	enum sbulb_abi_version abi;
	__u32 max_rs;          /* -mrs */
	__u32 max_assoc;       /* -ma: entries of each association table */
	__u32 assoc_size;      /* sizeof(struct sbulb_assoc) */
	__u32 max_svc;         /* --max-services */
	__u32 max_ports;       /* -mp */
};

/* Value of sbulb_slot_frames, per CPU and slot. */
struct sbulb_slot_count {
	__u64 frames;          /* forwarded (XDP_TX) to or from the slot's server, ingress and egress */
	__u64 moved;           /* clients whose association named the slot's server (its epoch) and
	                        * that the data path bound to another server: it was down or removed */
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
	__u32 max_svc;         /* service ids per generation */
	__u32 max_sched;       /* cycle entries per service and generation in sbulb_sched */
	__u32 vip_slots;       /* VIP-table entries per generation (a power of two) */
	__u32 max_slots;       /* entries of sbulb_reals */
	__u32 rs_fast_slots;   /* sbulb_rs_fast entries per generation (a power of two) */
	__u32 pad;
};

_Static_assert(sizeof(struct sbulb_addr) == 16, "sbulb_addr crosses the ABI");
_Static_assert(sizeof(struct sbulb_config) == 144, "sbulb_config crosses the ABI");
_Static_assert(sizeof(struct sbulb_vip) == 28, "sbulb_vip crosses the ABI");
_Static_assert(sizeof(struct sbulb_service) == 60, "sbulb_service crosses the ABI");
_Static_assert(sizeof(struct sbulb_cid_node) == 12, "sbulb_cid_node crosses the ABI");
_Static_assert(sizeof(struct sbulb_real) == 40, "sbulb_real crosses the ABI");
_Static_assert(sizeof(struct sbulb_ep_key) == 20, "sbulb_ep_key crosses the ABI");
_Static_assert(sizeof(struct sbulb_rs_ep) == 16, "sbulb_rs_ep crosses the ABI");
_Static_assert(sizeof(struct sbulb_addr_flags) == 4, "sbulb_addr_flags crosses the ABI");
_Static_assert(sizeof(struct sbulb_stamp) == 24, "sbulb_stamp crosses the ABI");
_Static_assert(sizeof(struct sbulb_state) == 4, "sbulb_state crosses the ABI");
_Static_assert(sizeof(struct sbulb_assoc4_key) == 8, "sbulb_assoc4_key crosses the ABI");
_Static_assert(sizeof(struct sbulb_assoc6_key) == 20, "sbulb_assoc6_key crosses the ABI");
#ifndef SBULB_ABI_TEST_EXTRA
_Static_assert(sizeof(struct sbulb_assoc) == 8, "sbulb_assoc crosses the ABI");
#endif
_Static_assert(sizeof(struct sbulb_counter) == 16, "sbulb_counter crosses the ABI");
_Static_assert(sizeof(struct sbulb_event) == 72, "sbulb_event crosses the ABI");
_Static_assert(sizeof(struct sbulb_params) == 32, "sbulb_params crosses the ABI");
_Static_assert(sizeof(struct sbulb_rs_fast) == 28, "sbulb_rs_fast crosses the ABI");
_Static_assert(sizeof(enum sbulb_reason) == 4, "reason codes are 32-bit map keys");
_Static_assert(SBULB_R__COUNT <= 64, "event_mask has one bit per reason");

#endif /* SBULB_ABI_H */
