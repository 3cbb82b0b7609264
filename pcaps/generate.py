#!/usr/bin/env python3
"""Generates sbulb's pcap fixtures: input frames and the frames the load balancer must send.

For each canonical flow of docs/design.md §1, in IPv4 and in IPv6, this writes into DIR:

  NAME.pcap            the frames arriving at the balancer (Ethernet, microsecond pcap)
  NAME.expected.pcap   the frames it transmits (XDP_TX), in input order, each with the
                       timestamp of the input frame that produced it
  NAME.expected.jsonl  one line per input frame: index, verdict, reason, input length
  NAME.scenario.yaml   the configuration as a scenario file, for the fixtures that name one
                       (a configuration the balancer options cannot give: no real server)
  fixtures.json        the manifest: per fixture its description and load-balancer config

The expected frames are an independent oracle: each one is built from scratch by Scapy from
what docs/design.md says the balancer does (MACs swapped, destination or source address
rewritten, TTL / hop limit decremented), with every checksum computed by Scapy. Nothing is
copied from an input frame and patched, and nothing comes from running sbulb.

Output is deterministic (fixed timestamps, explicit MACs, IP ids and fields, little-endian
pcap headers, stable JSON), so a test can re-run this script and compare byte for byte.

Usage: python3 pcaps/generate.py [--out DIR]   (default DIR: fixtures/ next to this file)
"""
import argparse
import json
import logging
import os
import struct
import sys

# Before importing scapy.all: silences its startup warnings (no route, no IPv6 default route...).
logging.getLogger("scapy").setLevel(logging.ERROR)

try:
    from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest, IPOption_EOL,
                           IPOption_NOP, IPOption_Router_Alert, IPv6, IPv6ExtHdrFragment,
                           IPv6ExtHdrHopByHop, Raw, RawPcapWriter, RouterAlert)
    from scapy.contrib.lldp import (LLDPDUChassisID, LLDPDUEndOfLLDPDU, LLDPDUPortID,
                                    LLDPDUTimeToLive)
except ImportError as e:
    # `python3` may be a non-system interpreter without Scapy (pyenv): use Debian's, once.
    if os.path.exists("/usr/bin/python3") and not os.environ.get("SBULB_GENERATE_REEXEC"):
        os.environ["SBULB_GENERATE_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__)] + sys.argv[1:])
    sys.exit("generate.py: Scapy is required (Debian: apt-get install python3-scapy): %s" % e)

# ---------------------------------------------------------------------------------------------
# Constants of the test network (benchmarking ranges only: docs/design.md §3)

GATEWAY_MAC = "02:00:00:00:00:01"   # the Ethernet gateway that sends every frame to the balancer
BALANCER_MAC = "02:00:00:00:00:02"  # the balancer's interface
BALANCED_PORT = 5683                # CoAP: the one balanced port
UNBALANCED_PORT = 5684              # a port the balancer does not handle
TIME_BASE = 1764000000              # seconds; frame i of a fixture is at TIME_BASE + i ms
TTL = 64                            # TTL / hop limit of arriving frames

# Reason codes (io.sbulb.api.Reason, sbulb_abi.h) and the verdict each one implies.
REASONS = {
    "INVALID_ETH_SIZE": "DROP",
    "NOT_IP": "PASS",
    "INVALID_IP_SIZE": "DROP",
    "TOO_SMALL_IP_HEADER": "DROP",
    "NOT_UDP": "PASS",
    "FRAGMENTED_IP_PACKET": "PASS",
    "INVALID_UDP_SIZE": "DROP",
    "LIFETIME_EXPIRED": "DROP",
    "NO_VIRTUAL_SERVER": "PASS",
    "UNHANDLED_TRAFFIC": "PASS",
    "INGRESS_UNHANDLED_PORT": "PASS",
    "INGRESS_NEW_NAT": "TX",
    "INGRESS_CID_ROUTED": "TX",
    "INGRESS_CID_UNKNOWN_NODE": "TX",
    "INGRESS_REUSED_NAT": "TX",
    "INGRESS_NO_REAL_SERVER": "DROP",
    "INGRESS_CANNOT_CREATE_ASSO": "DROP",
    "EGRESS_UNHANDLED_PORT": "PASS",
    "EGRESS_NEW_NAT": "TX",
    "EGRESS_REUSED_NAT": "TX",
    "EGRESS_NOT_AUTHORIZED": "DROP",
    "EGRESS_CANNOT_CREATE_ASSO": "DROP",
    "INVALID_IP_VERSION": "DROP",
    "INVALID_IP_LENGTH": "DROP",
    "INVALID_UDP_LENGTH": "DROP",
    "IPV6_ZERO_UDP_CHECKSUM": "DROP",
    "LIFETIME_WOULD_EXPIRE": "DROP",
    "INGRESS_MARTIAN_SOURCE": "DROP",
    "INGRESS_FROM_BALANCER": "DROP",
    "EGRESS_MARTIAN_DESTINATION": "DROP",
    "EGRESS_TO_BALANCER": "DROP",
    "EGRESS_REMOVED_REAL_SERVER": "DROP",
    "TO_BALANCER_HOST": "PASS",
    "ICMP_ERROR_TO_REAL_SERVER": "TX",
    "ICMP_ERROR_NO_ASSOCIATION": "DROP",
    "FRAGMENT_TO_VIP": "DROP",
    "FRAGMENT_FROM_REAL_SERVER": "DROP",
}


class Net:
    """The addresses of one IP family: VIP, real servers, clients, strangers (numbered from 1)."""

    def __init__(self, family, vip, real_server, client, stranger):
        self.family = family
        self.vip = vip
        self._rs, self._client, self._stranger = real_server, client, stranger

    def rs(self, n):
        return self._rs % n

    def client(self, n):
        return self._client % n

    def stranger(self, n):
        return self._stranger % n

    def other(self):
        return NETS[10 - self.family]


NETS = {
    4: Net(4, "198.18.0.1", "198.18.1.%d", "198.18.2.%d", "198.18.3.%d"),
    6: Net(6, "fd00::1", "fd00:1::%d", "fd00:2::%d", "fd00:3::%d"),
}


def client_port(n):
    """Client n sends from port 40000 + n."""
    return 40000 + n


# ---------------------------------------------------------------------------------------------
# Frame builders: every field that Scapy would otherwise look up or randomise is explicit.

def ether(transmitted=False, **fields):
    """The Ethernet header of a frame from the gateway, or of one the balancer sends back."""
    if transmitted:
        return Ether(src=BALANCER_MAC, dst=GATEWAY_MAC, **fields)
    return Ether(src=GATEWAY_MAC, dst=BALANCER_MAC, **fields)


def ip(family, src, dst, ident, hops=TTL, **fields):
    """An IPv4 header (id = ident, no flags, TOS 0 unless given) or an IPv6 header."""
    if family == 4:
        fields.setdefault("flags", 0)
        fields.setdefault("tos", 0)
        return IP(src=src, dst=dst, id=ident, ttl=hops, **fields)
    fields.setdefault("tc", 0)
    fields.setdefault("fl", 0)
    return IPv6(src=src, dst=dst, hlim=hops, **fields)


def datagram(family, src, sport, dst, dport, payload, ident, hops=TTL, transmitted=False,
             udp_checksum=None, **ip_fields):
    """A UDP frame; Scapy computes lengths and checksums (unless udp_checksum is given)."""
    return (ether(transmitted) / ip(family, src, dst, ident, hops, **ip_fields)
            / UDP(sport=sport, dport=dport, chksum=udp_checksum) / Raw(payload))


# ---------------------------------------------------------------------------------------------
# Fixtures

class Fixture:
    """A fixture being built: its configuration and, per input frame, the expected outcome."""

    def __init__(self, name, family, description, real_servers=3, scenario=False):
        self.name = name
        self.net = NETS[family]
        self.family = family
        self.description = description
        self.real_servers = [self.net.rs(n) for n in range(1, real_servers + 1)]
        self.scenario = scenario  # configured by NAME.scenario.yaml, not by the manifest's options
        self.scenario_config = None  # that file's configuration section, when not the one-VIP one
        self.steps = []  # (input frame, reason, expected transmitted frame or None)

    def ident(self):
        """The IPv4 id of the next frame: its number in the fixture, from 1."""
        return len(self.steps) + 1

    def add(self, frame, reason, expected=None):
        if (REASONS[reason] == "TX") != (expected is not None):
            raise ValueError("%s frame %d: reason %s with%s an expected frame"
                             % (self.name, len(self.steps), reason, "" if expected else "out"))
        self.steps.append((frame, reason, expected))

    def to_vip(self, client, reason, server=None, port=BALANCED_PORT, payload=None,
               hops=TTL, udp_checksum=None, **ip_fields):
        """Client `client` sends to the VIP; on TX the balancer forwards it to real server
        `server`: destination := the server, TTL - 1, MACs swapped, all else unchanged."""
        net, n = self.net, self.ident()
        payload = payload or b"GET /c%d" % client
        src, sport = net.client(client), client_port(client)
        frame = datagram(self.family, src, sport, net.vip, port, payload, n, hops,
                         udp_checksum=udp_checksum, **ip_fields)
        expected = None
        if server is not None:
            expected = datagram(self.family, src, sport, net.rs(server), port, payload, n,
                                hops - 1, transmitted=True, udp_checksum=udp_checksum, **ip_fields)
        self.add(frame, reason, expected)

    def from_server(self, server, client, reason, port=BALANCED_PORT, payload=None,
                    hops=TTL, udp_checksum=None, **ip_fields):
        """Real server `server` sends to client `client`; on TX the balancer forwards it with
        source := the VIP, TTL - 1, MACs swapped, all else unchanged."""
        net, n = self.net, self.ident()
        payload = payload or b"2.05 /c%d" % client
        dst, dport = net.client(client), client_port(client)
        frame = datagram(self.family, net.rs(server), port, dst, dport, payload, n, hops,
                         udp_checksum=udp_checksum, **ip_fields)
        expected = None
        if REASONS[reason] == "TX":
            expected = datagram(self.family, net.vip, port, dst, dport, payload, n, hops - 1,
                                transmitted=True, udp_checksum=udp_checksum, **ip_fields)
        self.add(frame, reason, expected)

    def other(self, frame, reason):
        """A frame the balancer does not transmit."""
        self.add(frame, reason)


def suffix(family):
    return "-v%d" % family


def round_robin(family):
    """New clients are spread over the real servers in list order, wrapping; a known client
    keeps its server."""
    f = Fixture("round-robin" + suffix(family), family,
                "Four new clients go to real servers 1, 2, 3, 1 by round robin; client 2 "
                "comes back and reuses server 2.")
    f.to_vip(1, "INGRESS_NEW_NAT", server=1)
    f.to_vip(2, "INGRESS_NEW_NAT", server=2)
    f.to_vip(3, "INGRESS_NEW_NAT", server=3)
    f.to_vip(4, "INGRESS_NEW_NAT", server=1)
    f.to_vip(2, "INGRESS_REUSED_NAT", server=2, payload=b"GET /c2 again")
    return f


def reply(family):
    """Replies of real servers are source-NATed to the VIP; IP fields other than the address
    and TTL (TOS / DF, traffic class / flow label) are kept; TTL 2 leaves as TTL 1, and a TTL
    of 1 is not forwarded (RFC 1812)."""
    f = Fixture("reply" + suffix(family), family,
                "Requests are NATed to a real server, its replies are source-NATed to the VIP "
                "with TOS/DF or traffic class/flow label kept, and the next request reuses "
                "the server; a TTL of 1 is not forwarded.")
    marked = {"tos": 0x28, "flags": "DF"} if family == 4 else {"tc": 0x28, "fl": 0xbeef5}
    f.to_vip(1, "INGRESS_NEW_NAT", server=1, **marked)
    f.from_server(1, 1, "EGRESS_REUSED_NAT", **marked)
    f.to_vip(2, "INGRESS_NEW_NAT", server=2)
    f.from_server(2, 2, "EGRESS_REUSED_NAT")
    f.to_vip(1, "INGRESS_REUSED_NAT", server=1, hops=2, payload=b"GET /c1 ttl 2")
    f.to_vip(1, "LIFETIME_WOULD_EXPIRE", hops=1, payload=b"GET /c1 ttl 1")
    f.from_server(1, 1, "LIFETIME_WOULD_EXPIRE", hops=1)
    return f


def server_initiated(family):
    """A real server may open a conversation: it claims the client, whose answers reach it;
    round robin is not advanced by the claim."""
    f = Fixture("server-initiated" + suffix(family), family,
                "Real server 2 starts a conversation with a new client, which answers to the "
                "VIP and reaches server 2; new clients then go to servers 1 and 2 by round "
                "robin, unadvanced by the claim.", real_servers=2)
    f.from_server(2, 1, "EGRESS_NEW_NAT", payload=b"POST /rd")
    f.to_vip(1, "INGRESS_REUSED_NAT", server=2, payload=b"2.04 /rd")
    f.to_vip(2, "INGRESS_NEW_NAT", server=1)
    f.to_vip(3, "INGRESS_NEW_NAT", server=2)
    return f


def not_authorized(family):
    """Only the real server a client is bound to may talk to it, whoever made the binding."""
    f = Fixture("not-authorized" + suffix(family), family,
                "A real server may not talk to a client bound to another configured server, "
                "whether the binding came from round robin or from a server-initiated flow.",
                real_servers=2)
    f.to_vip(1, "INGRESS_NEW_NAT", server=1)
    f.from_server(2, 1, "EGRESS_NOT_AUTHORIZED", payload=b"hijack /c1")
    f.from_server(1, 1, "EGRESS_REUSED_NAT")
    f.from_server(2, 2, "EGRESS_NEW_NAT", payload=b"POST /rd")
    f.from_server(1, 2, "EGRESS_NOT_AUTHORIZED", payload=b"hijack /c2")
    f.to_vip(2, "INGRESS_REUSED_NAT", server=2, payload=b"2.04 /rd")
    return f


def passed(family):
    """Frames the balancer leaves to the kernel (XDP_PASS), one per reason and shape."""
    f = Fixture("passed" + suffix(family), family,
                "Unbalanced ports, non-UDP, non-IP, fragments, traffic between strangers and "
                "frames of the other IP family are passed to the kernel untouched.")
    net = f.net
    c1, p1, vip = net.client(1), client_port(1), net.vip
    f.to_vip(1, "INGRESS_UNHANDLED_PORT", port=UNBALANCED_PORT)
    f.from_server(1, 1, "EGRESS_UNHANDLED_PORT", port=UNBALANCED_PORT)
    f.other(ether() / ip(family, c1, vip, f.ident())
            / TCP(sport=p1, dport=BALANCED_PORT, flags="S", seq=1000, ack=0, window=64240,
                  options=[]), "NOT_UDP")
    echo = (ICMP(type=8, code=0, id=1, seq=1) if family == 4
            else ICMPv6EchoRequest(id=1, seq=1))
    f.other(ether() / ip(family, c1, vip, f.ident()) / echo / Raw(b"ping"), "NOT_UDP")
    if family == 4:
        f.other(Ether(src=GATEWAY_MAC, dst="ff:ff:ff:ff:ff:ff")
                / ARP(op=1, hwsrc=GATEWAY_MAC, psrc=c1, hwdst="00:00:00:00:00:00", pdst=vip),
                "NOT_IP")
        # Between two other hosts, a first fragment (MF), a later one (offset 16 bytes, no UDP
        # header), and a first fragment with TTL 0: fragments are passed before the TTL is looked
        # at (to the VIP they are dropped: the "dropped" fixture).
        s1, s2 = net.stranger(1), net.stranger(2)
        f.other(ether() / ip(4, s1, s2, f.ident(), flags="MF", frag=0)
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /frag"), "FRAGMENTED_IP_PACKET")
        f.other(ether() / ip(4, s1, s2, f.ident(), frag=2, proto=17) / Raw(b"fragment tail"),
                "FRAGMENTED_IP_PACKET")
        f.other(ether() / ip(4, s1, s2, f.ident(), hops=0, flags="MF", frag=0)
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /frag ttl 0"),
                "FRAGMENTED_IP_PACKET")
    else:
        # An LLDP frame (EtherType 0x88cc; Scapy pads it to the 60-byte Ethernet minimum).
        f.other(ether() / LLDPDUChassisID(subtype=4, id=GATEWAY_MAC)
                / LLDPDUPortID(subtype=5, id=b"eth0") / LLDPDUTimeToLive(ttl=120)
                / LLDPDUEndOfLLDPDU(), "NOT_IP")
        def fragment(**fields):
            return IPv6ExtHdrFragment(id=0x5b1b, **fields)
        s1, s2 = net.stranger(1), net.stranger(2)
        f.other(ether() / ip(6, s1, s2, f.ident()) / fragment(offset=0, m=1)
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /frag"), "FRAGMENTED_IP_PACKET")
        f.other(ether() / ip(6, s1, s2, f.ident()) / fragment(nh=17, offset=2, m=0)
                / Raw(b"fragment tail"), "FRAGMENTED_IP_PACKET")
        f.other(ether() / ip(6, s1, s2, f.ident(), hops=0) / fragment(offset=0, m=1)
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /frag hlim 0"),
                "FRAGMENTED_IP_PACKET")
        # UDP behind an extension header other than a fragment header is not parsed: "not UDP".
        f.other(ether() / ip(6, c1, vip, f.ident())
                / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /hbh"), "NOT_UDP")
    s1, s2 = net.stranger(1), net.stranger(2)
    f.other(datagram(family, s1, client_port(1), s2, BALANCED_PORT, b"GET /s2", f.ident()),
            "UNHANDLED_TRAFFIC")
    # A balanced source port from an address that is not a real server.
    f.other(datagram(family, s1, BALANCED_PORT, c1, p1, b"2.05 /c1", f.ident()),
            "UNHANDLED_TRAFFIC")
    # The VIP is of one family: a frame of the other family to the other family's VIP address.
    other = net.other()
    f.other(datagram(other.family, other.client(1), p1, other.vip, BALANCED_PORT, b"GET /c1",
                     f.ident()), "UNHANDLED_TRAFFIC")
    return f


def dropped(family):
    """Malformed, truncated and expired frames are dropped; nothing is transmitted."""
    f = Fixture("dropped" + suffix(family), family,
                "Expired, truncated and malformed frames are dropped, with the checks in "
                "docs/design.md order (TTL 0 before a truncated UDP header); lengths that "
                "disagree with the frame; an IPv6 UDP checksum of 0; fragments to the VIP or "
                "from a real server.")
    net = f.net
    c1, p1, vip = net.client(1), client_port(1), net.vip
    udp_head = struct.pack("!HH", p1, BALANCED_PORT)  # the first 4 of the 8 bytes of UDP header
    ethertype = 0x0800 if family == 4 else 0x86dd
    f.to_vip(1, "LIFETIME_EXPIRED", hops=0)
    f.other(ether() / ip(family, c1, vip, f.ident(), hops=0, **udp_proto(family))
            / Raw(udp_head), "LIFETIME_EXPIRED")
    f.other(Raw(bytes(ether(type=ethertype))[:13]), "INVALID_ETH_SIZE")  # one byte short
    # The first bytes of a well-formed header, one byte short of a whole IP header.
    header = ip(family, c1, vip, f.ident()) / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /c1")
    header_len = 20 if family == 4 else 40
    f.other(ether(type=ethertype) / Raw(bytes(header)[:header_len - 1]), "INVALID_IP_SIZE")
    if family == 4:
        # IHL 15 announces 60 bytes of header; the frame holds 35 bytes of IP in all.
        f.other(ether() / ip(4, c1, vip, f.ident(), ihl=15) / UDP(sport=p1, dport=BALANCED_PORT)
                / Raw(b"GET /c1"), "INVALID_IP_SIZE")
        f.other(ether() / ip(4, c1, vip, f.ident(), ihl=4) / UDP(sport=p1, dport=BALANCED_PORT)
                / Raw(b"GET /c1"), "TOO_SMALL_IP_HEADER")
    f.other(ether() / ip(family, c1, vip, f.ident(), **udp_proto(family)) / Raw(udp_head),
            "INVALID_UDP_SIZE")
    # The EtherType says one family, the version field another: a whole packet of the other
    # family (at least 40 bytes, so the IPv6 header is not merely truncated), then a header of
    # the right family with a wrong version.
    other = net.other()
    f.other(ether(type=ethertype)
            / ip(other.family, other.client(1), other.vip, f.ident())
            / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /c1 wrong family"),
            "INVALID_IP_VERSION")
    f.other(ether() / ip(family, c1, vip, f.ident(), version=family + 1)
            / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /c1 wrong version"),
            "INVALID_IP_VERSION")
    # Lengths that disagree with the frame (frames longer than 60 bytes: no padding).
    body = b"GET /c1 " + b"x" * 40
    packet = len(body) + 8 + (20 if family == 4 else 0)  # IPv4 total / IPv6 payload length
    length = "len" if family == 4 else "plen"
    f.other(ether() / ip(family, c1, vip, f.ident(), **{length: packet + 1})
            / UDP(sport=p1, dport=BALANCED_PORT) / Raw(body), "INVALID_IP_LENGTH")
    f.other(ether() / ip(family, c1, vip, f.ident(), **{length: packet - 1})
            / UDP(sport=p1, dport=BALANCED_PORT) / Raw(body), "INVALID_IP_LENGTH")
    f.other(ether() / ip(family, c1, vip, f.ident())
            / UDP(sport=p1, dport=BALANCED_PORT, len=len(body) + 7) / Raw(body), "INVALID_UDP_LENGTH")
    if family == 6:
        f.to_vip(1, "IPV6_ZERO_UDP_CHECKSUM", udp_checksum=0)  # RFC 8200 section 8.1
    # Fragments to the VIP (a later one has no UDP header) and from a real server: dropped.
    if family == 4:
        f.other(ether() / ip(4, c1, vip, f.ident(), flags="MF", frag=0)
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /frag"), "FRAGMENT_TO_VIP")
        f.other(ether() / ip(4, c1, vip, f.ident(), frag=2, proto=17) / Raw(b"fragment tail"),
                "FRAGMENT_TO_VIP")
        f.other(ether() / ip(4, net.rs(1), c1, f.ident(), flags="MF", frag=0)
                / UDP(sport=BALANCED_PORT, dport=p1) / Raw(b"2.05 /frag"), "FRAGMENT_FROM_REAL_SERVER")
    else:
        f.other(ether() / ip(6, c1, vip, f.ident()) / IPv6ExtHdrFragment(id=0x5b1c, offset=0, m=1)
                / UDP(sport=p1, dport=BALANCED_PORT) / Raw(b"GET /frag"), "FRAGMENT_TO_VIP")
        f.other(ether() / ip(6, net.rs(1), c1, f.ident()) / IPv6ExtHdrFragment(id=0x5b1d, offset=0, m=1)
                / UDP(sport=BALANCED_PORT, dport=p1) / Raw(b"2.05 /frag"), "FRAGMENT_FROM_REAL_SERVER")
    return f


def hostile(family):
    """The loop guard and the martian filter: datagrams that cannot come from a client, or
    that a real server must not send through the VIP, are dropped; a client still passes."""
    f = Fixture("hostile" + suffix(family), family,
                "One datagram from the VIP to the VIP, a real server's datagram to the VIP or to "
                "another real server, martian sources and destinations and port 0 are dropped; "
                "a client is balanced as usual.", real_servers=2)
    net = f.net
    vip, c1, p1 = net.vip, net.client(1), client_port(1)
    f.other(datagram(family, vip, BALANCED_PORT, vip, BALANCED_PORT, b"ping", f.ident()),
            "INGRESS_FROM_BALANCER")
    f.other(datagram(family, net.rs(1), BALANCED_PORT, vip, BALANCED_PORT, b"pong", f.ident()),
            "INGRESS_FROM_BALANCER")
    f.other(datagram(family, net.rs(1), BALANCED_PORT, net.rs(2), BALANCED_PORT, b"to rs2",
                     f.ident()), "EGRESS_TO_BALANCER")
    martians = (["0.0.0.0", "127.0.0.1", "169.254.1.1", "224.0.0.251", "255.255.255.255"]
                if family == 4 else ["::", "::1", "fe80::1", "ff02::1"])
    for m in martians:
        f.other(datagram(family, m, p1, vip, BALANCED_PORT, b"GET /m", f.ident()),
                "INGRESS_MARTIAN_SOURCE")
    f.other(datagram(family, c1, 0, vip, BALANCED_PORT, b"GET /port0", f.ident()),
            "INGRESS_MARTIAN_SOURCE")
    f.other(datagram(family, net.rs(1), BALANCED_PORT, martians[3], p1, b"2.05 /m", f.ident()),
            "EGRESS_MARTIAN_DESTINATION")
    f.other(datagram(family, net.rs(1), BALANCED_PORT, c1, 0, b"2.05 /port0", f.ident()),
            "EGRESS_MARTIAN_DESTINATION")
    f.to_vip(1, "INGRESS_NEW_NAT", server=1)
    f.from_server(1, 1, "EGRESS_REUSED_NAT")
    return f


def udp_proto(family):
    """The IP field that says "UDP follows", for a header whose payload is raw bytes."""
    return {"proto": 17} if family == 4 else {"nh": 17}


def ipv4_options(family):
    """IPv4 options are skipped to find the UDP header and kept byte for byte, both ways."""
    f = Fixture("ipv4-options", family,
                "IPv4 requests and replies with options (Router Alert, NOPs, the 40-byte "
                "maximum) are NATed with their options kept.")
    short = [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()]
    alert = [IPOption_Router_Alert(alert=0)] + short
    longest = [IPOption_NOP()] * 39 + [IPOption_EOL()]
    f.to_vip(1, "INGRESS_NEW_NAT", server=1, options=alert)
    f.from_server(1, 1, "EGRESS_REUSED_NAT", options=alert)
    f.to_vip(2, "INGRESS_NEW_NAT", server=2, options=short, flags="DF")
    f.to_vip(1, "INGRESS_REUSED_NAT", server=1, options=longest, payload=b"GET /c1 ihl 15")
    return f


def zero_checksum(family):
    """An IPv4 UDP checksum of 0 means "none" (RFC 768): it stays 0 after NAT, both ways."""
    f = Fixture("zero-checksum" + suffix(family), family,
                "IPv4 UDP datagrams without a checksum (0) are NATed both ways and leave "
                "with a checksum of 0.")
    f.to_vip(1, "INGRESS_NEW_NAT", server=1, udp_checksum=0)
    f.from_server(1, 1, "EGRESS_REUSED_NAT", udp_checksum=0)
    f.from_server(2, 2, "EGRESS_NEW_NAT", udp_checksum=0, payload=b"POST /rd")
    f.to_vip(2, "INGRESS_REUSED_NAT", server=2, payload=b"2.04 /rd")  # with a checksum again
    return f


def no_real_server(family):
    """With a VIP but no real server, balanced frames to the VIP are dropped."""
    f = Fixture("no-real-server" + suffix(family), family,
                "With no real server, frames to the VIP on a balanced port are dropped; "
                "other frames are passed.",
                real_servers=0, scenario=True)
    f.to_vip(1, "INGRESS_NO_REAL_SERVER")
    f.to_vip(2, "INGRESS_NO_REAL_SERVER")
    f.to_vip(1, "INGRESS_UNHANDLED_PORT", port=UNBALANCED_PORT)
    f.from_server(1, 1, "UNHANDLED_TRAFFIC")  # 198.18.1.1 / fd00:1::1 is not configured here
    return f


def services(family):
    """Two services in one data path, one per family, the IPv4 one weighted 3:1: each family's
    clients reach that family's servers (nginx's smooth weighted round robin: 1 1 2 1), and each
    server's reply leaves with its own service's VIP."""
    f = Fixture("services" + suffix(family), family,
                "An IPv4 service weighted 3:1 and an IPv6 service in one data path: new IPv4 "
                "clients go to servers 1, 1, 2, 1, IPv6 ones to 1, 2; replies leave with their "
                "own family's VIP.", real_servers=2, scenario=True)
    g = Fixture(f.name, 10 - family, f.description, real_servers=2)
    g.steps = f.steps  # one capture of both families
    v4, v6 = (f, g) if family == 4 else (g, f)
    v4.to_vip(1, "INGRESS_NEW_NAT", server=1)
    v6.to_vip(1, "INGRESS_NEW_NAT", server=1)
    v4.to_vip(2, "INGRESS_NEW_NAT", server=1)
    v4.to_vip(3, "INGRESS_NEW_NAT", server=2)
    v6.to_vip(2, "INGRESS_NEW_NAT", server=2)
    v4.to_vip(4, "INGRESS_NEW_NAT", server=1)
    v4.from_server(2, 3, "EGRESS_REUSED_NAT")
    v6.from_server(2, 2, "EGRESS_REUSED_NAT")
    v6.from_server(1, 2, "EGRESS_NOT_AUTHORIZED")
    v4.to_vip(3, "INGRESS_REUSED_NAT", server=2, payload=b"GET /c3 again")
    f.scenario_config = (
        "limits: {maxServices: 2}\n"
        "services:\n"
        "  - {name: coap4, vip: \"%s\", ports: [%d], realServers: [\"%s*3\", \"%s\"]}\n"
        "  - {name: coap6, vip: \"%s\", ports: [%d], realServers: [\"%s\", \"%s\"]}\n"
        % (NETS[4].vip, BALANCED_PORT, NETS[4].rs(1), NETS[4].rs(2),
           NETS[6].vip, BALANCED_PORT, NETS[6].rs(1), NETS[6].rs(2)))
    return f


def dtls_record(content_type, seq, cid=b""):
    """The first bytes of a DTLS 1.2 record (RFC 9146 section 4): content type, version 254.253,
    epoch 1, sequence number `seq`, the connection id, then a length and a byte of ciphertext."""
    return (bytes([content_type, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, seq]) + cid + b"\x00\x01\x5a")


def dtls_cid(family):
    """DTLS 1.2 Connection ID routing (issue 20): a service with dtls-cid {length: 6} whose
    servers 1, 2, 3 have node ids 1, 2, 3 in the first byte of their 6-byte connection ids."""
    f = Fixture("dtls-cid" + suffix(family), family,
                "DTLS 1.2 Connection ID routing: a tls12_cid record goes to the server of its node id "
                "from any (address, port), re-pointing the association; an unknown node id and "
                "records without a connection id are balanced as before.", real_servers=3, scenario=True)
    def cid(node):
        return dtls_record(25, 8, bytes([node]) + b"ABCDE")
    f.to_vip(1, "INGRESS_NEW_NAT", server=1, payload=dtls_record(22, 0))  # a handshake: round robin
    f.to_vip(3, "INGRESS_CID_ROUTED", server=1, payload=cid(1))  # client 1's device, rebound to port 40003
    f.from_server(1, 3, "EGRESS_REUSED_NAT")
    f.to_vip(2, "INGRESS_CID_ROUTED", server=2, payload=cid(2))
    f.to_vip(1, "INGRESS_CID_ROUTED", server=3, payload=cid(3))  # server 3's device now has that port
    f.from_server(1, 1, "EGRESS_NOT_AUTHORIZED")
    f.to_vip(1, "INGRESS_REUSED_NAT", server=3, payload=dtls_record(23, 9))  # no connection id
    f.to_vip(4, "INGRESS_CID_UNKNOWN_NODE", server=2, payload=cid(9))  # nobody's node: round robin
    f.to_vip(5, "INGRESS_NEW_NAT", server=3, payload=cid(2)[:11 + 5])  # one byte short of the CID
    f.scenario_config = (
        "services:\n"
        "  - {name: dtls, vip: \"%s\", ports: [%d], realServers: [\"%s@1\", \"%s@2\", \"%s@3\"],\n"
        "     dtlsCid: {length: 6}}\n"
        % (f.net.vip, BALANCED_PORT, f.net.rs(1), f.net.rs(2), f.net.rs(3)))
    return f


# The fixtures, in manifest order: (builder, families).
FIXTURES = [
    (round_robin, (4, 6)),
    (reply, (4, 6)),
    (server_initiated, (4, 6)),
    (not_authorized, (4, 6)),
    (passed, (4, 6)),
    (dropped, (4, 6)),
    (hostile, (4, 6)),
    (ipv4_options, (4,)),
    (zero_checksum, (4,)),
    (no_real_server, (4, 6)),
    (services, (4,)),
    (dtls_cid, (4, 6)),
]


# ---------------------------------------------------------------------------------------------
# Writing

def write_pcap(path, records):
    """Writes (index, frame) records to a little-endian microsecond pcap of linktype 1, each
    at TIME_BASE + index ms. The header is written first, so an empty list gives a valid
    24-byte file. Timestamps are passed explicitly, never read from the clock."""
    with RawPcapWriter(path, linktype=1, endianness="<", snaplen=65535) as writer:
        writer.write_header(None)
        for index, frame in records:
            if not 0 <= index < 1000:
                raise ValueError("frame index %d has no millisecond timestamp" % index)
            writer.write_packet(bytes(frame), sec=TIME_BASE, usec=index * 1000)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)


def write_fixture(out_dir, f):
    """Writes one fixture's files; returns its manifest entry."""
    write_pcap(os.path.join(out_dir, f.name + ".pcap"),
               [(i, frame) for i, (frame, _, _) in enumerate(f.steps)])
    write_pcap(os.path.join(out_dir, f.name + ".expected.pcap"),
               [(i, expected) for i, (_, _, expected) in enumerate(f.steps)
                if expected is not None])
    lines = [json.dumps({"index": i, "verdict": REASONS[reason], "reason": reason,
                         "length": len(bytes(frame))}) + "\n"
             for i, (frame, reason, _) in enumerate(f.steps)]
    write_text(os.path.join(out_dir, f.name + ".expected.jsonl"), "".join(lines))
    entry = {"name": f.name, "description": f.description, "family": f.family,
             "vip": f.net.vip, "ports": [BALANCED_PORT]}
    if not f.scenario:
        entry["realServers"] = f.real_servers
    else:
        entry["scenarioFile"] = f.name + ".scenario.yaml"
        write_text(os.path.join(out_dir, entry["scenarioFile"]), scenario_yaml(f))
    return entry


def scenario_yaml(f):
    """The fixture's configuration as a scenario file for `sbulb replay --scenario`, which
    replays none of its steps. Used where -rs and -cfg cannot say it: an empty real-server
    list (-cfg refuses one, as the original sbulb did), several services."""
    if f.scenario_config is not None:
        return ("# sbulb fixture %s: its configuration (replay --scenario does not run the steps)\n"
                "name: %s\n%s"
                "steps:\n"
                "  - expectAssociationCount: 0\n" % (f.name, f.name, f.scenario_config))
    return ("# sbulb fixture %s: its configuration (replay --scenario does not run the steps)\n"
            "name: %s\n"
            "config:\n"
            "  vip: \"%s\"\n"
            "  ports: [%d]\n"
            "  realServers: [%s]\n"
            "steps:\n"
            "  - expectAssociationCount: 0\n"
            % (f.name, f.name, f.net.vip, BALANCED_PORT, ", ".join('"%s"' % a for a in f.real_servers)))


def build_all():
    fixtures = [builder(family) for builder, families in FIXTURES for family in families]
    names = [f.name for f in fixtures]
    if len(set(names)) != len(names):
        raise ValueError("duplicate fixture names: %s" % names)
    return fixtures


def main(argv=None):
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=default_out,
                        help="directory to write the fixtures into (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        fixtures = build_all()
        os.makedirs(args.out, exist_ok=True)
        manifest = {"fixtures": [write_fixture(args.out, f) for f in fixtures]}
        write_text(os.path.join(args.out, "fixtures.json"), json.dumps(manifest, indent=2) + "\n")
    except Exception as e:  # noqa: BLE001 - any failure is reported and makes the exit non-zero
        print("generate.py: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
