package io.sbulb.scenario;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.Health;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.api.frame.UdpFrame.ChecksumMode;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of random traffic for the differential test: frames to the VIP and from real
 * servers (configured or not) on balanced and other ports, strangers, the other family, ICMP
 * errors about the VIP's datagrams, fragments, malformed and truncated frames, garbage, wrong and zero checksums, configuration and health
 * changes mid-stream, against small association tables that overflow.
 */
final class RandomTraffic {

    /** One generated run: limits, the initial configuration, the steps. */
    record Run(Net net, Limits limits, DataplaneConfig initial, List<Step> steps) {
        long frames() {
            return steps.stream().filter(s -> s instanceof FrameStep).count();
        }

        @Override
        public String toString() {
            return net + " " + limits + " " + initial + ", " + steps.size() + " steps (" + frames() + " frames)";
        }
    }

    static final int SERVER_POOL = 6;
    static final int CLIENT_POOL = 10;

    /**
     * Whether the XDP differential test's runs restart both dataplanes mid-stream
     * ({@code - restart: {}} steps): the XDP dataplane restarts over its pinned maps. On; off with
     * {@code -Dsbulb.random.restarts=false}.
     */
    static final boolean XDP_RESTARTS = !"false".equals(System.getProperty("sbulb.random.restarts"));

    private RandomTraffic() {
    }

    /** Runs of {@code minSteps..maxSteps} steps, with about 3 % restarts if {@code restarts}. */
    static Arbitrary<Run> runs(int minSteps, int maxSteps, boolean restarts) {
        return Arbitraries.of(Net.class).flatMap(n -> Combinators.combine(
                Arbitraries.of(4, 7, 8, 13, 16, 64),
                config(n),
                step(n, restarts).list().ofMinSize(minSteps).ofMaxSize(maxSteps))
                .as((assoc, initial, steps) -> new Run(n, new Limits(4, SERVER_POOL, assoc, 4), initial, steps)));
    }

    static Arbitrary<DataplaneConfig> config(Net n) {
        return Combinators.combine(Arbitraries.frequencyOf(Tuple.of(1, seedConfig(n)), Tuple.of(1, services(n))),
                Arbitraries.integers().between(0, 2))
                .as((c, hosts) -> hosts == 0 ? c : c.withHostAddresses(Set.of(host(Net.V4), host(Net.V6))));
    }

    /** The balancer host's own address in {@code n}'s family (in a third of the configurations). */
    static IpAddress host(Net n) {
        return IpAddress.parse(n == Net.V4 ? "198.18.0.254" : "fd00::fe");
    }

    /** A real server's (probe) reply to the balancer host, and the host to a VIP. */
    static Arbitrary<FrameSpec> toHost(Net n) {
        Arbitrary<FrameSpec> reply = Combinators.combine(Arbitraries.integers().between(0, SERVER_POOL - 1),
                Arbitraries.of(Net.PORT, Net.OTHER_PORT, THIRD_PORT), Arbitraries.of(33000, 40000, Net.PORT))
                .as((rs, p, hp) -> new FrameSpec(new Endpoint(n.rs(rs), p), new Endpoint(host(n), hp), null, null, null,
                        null, null, null, null, null, null));
        Arbitrary<FrameSpec> toVip = Arbitraries.of(Net.PORT, 33000).map(hp -> new FrameSpec(new Endpoint(host(n), hp),
                new Endpoint(n.vip, Net.PORT), null, null, null, null, null, null, null, null, null));
        return Arbitraries.frequencyOf(Tuple.of(4, reply), Tuple.of(1, toVip));
    }

    /** The seed's shape: one service named "default", or none. */
    static Arbitrary<DataplaneConfig> seedConfig(Net n) {
        Arbitrary<List<Integer>> servers = Arbitraries.integers().between(0, SERVER_POOL - 1).list().uniqueElements()
                .ofMinSize(0).ofMaxSize(4);
        Arbitrary<Set<Integer>> ports = Arbitraries.frequency(Tuple.of(8, Set.of(Net.PORT)),
                Tuple.of(2, Set.of(Net.PORT, Net.OTHER_PORT)), Tuple.of(1, Set.of(Net.OTHER_PORT)));
        Arbitrary<Integer> vipKind = Arbitraries.frequency(Tuple.of(18, 0), Tuple.of(1, 1), Tuple.of(1, 2));
        return Combinators.combine(servers, ports, vipKind).as((rs, p, kind) -> switch (kind) {
            case 0 -> DataplaneConfig.of(n.vip, p, rs.stream().map(n::rs).toList());
            case 1 -> DataplaneConfig.of(null, p, rs.stream().map(n::rs).toList());
            default -> DataplaneConfig.of(n.other().vip, p, rs.stream().map(n.other()::rs).toList());
        });
    }

    /** The third port: only the second VIP of a family balances it. */
    static final int THIRD_PORT = 5685;

    /** A second VIP of {@code n}'s family. */
    static IpAddress vip2(Net n) {
        return IpAddress.parse(n == Net.V4 ? "198.18.0.2" : "fd00::2");
    }

    /**
     * Several services: "a" on the VIP (ports of 5683/5684), maybe "b" on the other family's VIP,
     * maybe "c" on a second VIP of the same family, either on 5685 and the ports "a" leaves,
     * sharing real servers with "a" (never on the same port), or on "a"'s own ports with other
     * servers (several services of a family on one port); weights 0..3; names that sometimes
     * change (a renamed service is a new one); "a" routes DTLS CID records in half the runs
     * (connection ids of 6 bytes with the node id in the first, or of 5 with two bytes at offset
     * 2), each of its servers with node id pool index + 1.
     */
    static Arbitrary<DataplaneConfig> services(Net n) {
        Arbitrary<List<RealServer>> servers = Combinators.combine(
                Arbitraries.integers().between(0, SERVER_POOL - 1).list().uniqueElements().ofMinSize(0).ofMaxSize(4),
                Arbitraries.frequency(Tuple.of(6, 1), Tuple.of(2, 2), Tuple.of(1, 3), Tuple.of(1, 0)).list().ofSize(4))
                .as((idx, w) -> IntStream.range(0, idx.size()).mapToObj(i -> new RealServer(n.rs(idx.get(i)), w.get(i)))
                        .toList());
        Arbitrary<List<RealServer>> others = Arbitraries.integers().between(0, SERVER_POOL - 1).list().uniqueElements()
                .ofMinSize(0).ofMaxSize(3).map(idx -> idx.stream().map(i -> RealServer.of(n.other().rs(i))).toList());
        Arbitrary<Set<Integer>> portsA = Arbitraries.frequency(Tuple.of(6, Set.of(Net.PORT)),
                Tuple.of(2, Set.of(Net.PORT, Net.OTHER_PORT)), Tuple.of(1, Set.of(Net.OTHER_PORT)));
        return Combinators.combine(portsA, servers, others, servers, Arbitraries.integers().between(0, 15),
                        Arbitraries.of(0, 1, 2))
                .as((pa, ra, rb, rc, shape, cidKind) -> {
                    List<Service> list = new java.util.ArrayList<>();
                    io.sbulb.api.DtlsCid cid = cidKind == 0 ? null
                            : cidKind == 1 ? io.sbulb.api.DtlsCid.ofLength(6) : new io.sbulb.api.DtlsCid(5, 2, 2);
                    List<RealServer> withIds = cid == null ? ra
                            : ra.stream().map(r -> r.withNodeId(nodeId(n, r.address()))).toList();
                    list.add(Service.of((shape & 4) == 0 ? "a" : "a2", n.vip, pa, withIds, cid));
                    if ((shape & 1) != 0) {
                        list.add(Service.of("b", n.other().vip, Set.of(Net.PORT), rb));
                    }
                    if ((shape & 8) != 0) {
                        // "c" on a's own ports: several services of a family on one port, so
                        // its servers are others than a's
                        List<RealServer> disjoint = rc.stream()
                                .filter(x -> ra.stream().noneMatch(y -> y.address().equals(x.address()))).toList();
                        list.add(Service.of("c", vip2(n), pa, disjoint));
                    } else if ((shape & 2) != 0) {
                        Set<Integer> pc = new java.util.TreeSet<>(Set.of(THIRD_PORT, Net.PORT, Net.OTHER_PORT));
                        pc.removeAll(pa);
                        list.add(Service.of("c", vip2(n), pc, rc));
                    }
                    return DataplaneConfig.of(list);
                });
    }

    static Arbitrary<Step> step(Net n, boolean restarts) {
        Arbitrary<Step> traffic = traffic(n);
        return restarts ? Arbitraries.frequencyOf(Tuple.of(97, traffic),
                Tuple.of(3, Arbitraries.just(new RestartStep(null)))) : traffic;
    }

    private static Arbitrary<Step> traffic(Net n) {
        return Arbitraries.frequencyOf(
                Tuple.of(35, ingress(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(10, ingress2(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(25, egress(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(4, stranger(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(4, hostile(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(3, Arbitraries.oneOf(ingress(n.other()), egress(n.other())).map(f -> FrameStep.of(f, null))),
                Tuple.of(12, malformed(n)),
                Tuple.of(3, garbage()),
                Tuple.of(4, toHost(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(6, icmpError(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(2, fragment(n).map(f -> FrameStep.of(f, null))),
                Tuple.of(5, config(n).map(ConfigureStep::replaceAll)),
                Tuple.of(12, health(n)));
    }

    /**
     * A server of the pool marked down or up in a service that may have it (the runners skip a
     * step whose service or server is not configured), sometimes with a policy field.
     */
    static Arbitrary<Step> health(Net n) {
        // no name: the only service (the seed's shape, most often)
        Arbitrary<String> service = Arbitraries.frequency(Tuple.of(5, ""), Tuple.of(4, "a"), Tuple.of(1, "a2"),
                Tuple.of(1, "b"), Tuple.of(2, "c"));
        Arbitrary<Health.OnDown> onDown = Arbitraries.frequency(Tuple.of(3, null), Tuple.of(1, Health.OnDown.MOVE),
                Tuple.of(1, Health.OnDown.KEEP));
        Arbitrary<Health.AllDown> allDown = Arbitraries.frequency(Tuple.of(3, null), Tuple.of(1, Health.AllDown.DROP),
                Tuple.of(1, Health.AllDown.KEEP));
        return Combinators.combine(service, Arbitraries.integers().between(0, SERVER_POOL - 1),
                Arbitraries.frequency(Tuple.of(3, Health.State.DOWN), Tuple.of(2, Health.State.UP)), onDown, allDown)
                .as((s, i, state, od, ad) -> new HealthStep(s.isEmpty() ? null : s, (s.equals("b") ? n.other() : n).rs(i), state, od, ad,
                        null));
    }

    private static Arbitrary<Endpoint> client(Net n) {
        return Combinators.combine(Arbitraries.integers().between(0, CLIENT_POOL - 1),
                Arbitraries.frequency(Tuple.of(6, 40000), Tuple.of(2, 40001), Tuple.of(1, 1000), Tuple.of(1, Net.PORT)))
                .as(n::client);
    }

    private static Arbitrary<Integer> ttl() {
        return Arbitraries.frequency(Tuple.of(16, 64), Tuple.of(2, 1), Tuple.of(1, 255), Tuple.of(1, 0));
    }

    /** The node id of pool server {@code a} in a service that routes DTLS CID records: its index + 1. */
    static long nodeId(Net n, IpAddress a) {
        for (int i = 0; i < SERVER_POOL; i++) {
            if (n.rs(i).equals(a)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(a + " is not a pool server");
    }

    /**
     * Random bytes, or DTLS 1.2 records: mostly tls12_cid (25), with 0 to 12 bytes of connection id
     * (short ones too) naming node 0..7 (0 and 7 are nobody's) both in its first byte and in its
     * bytes 2..3, so that either layout of {@link #services} reads it.
     */
    private static Arbitrary<String> payload() {
        Arbitrary<String> random = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(40)
                .map(b -> HexFormat.of().formatHex(b));
        Arbitrary<String> dtls = Combinators.combine(Arbitraries.of(25, 25, 25, 23, 22),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 12))
                .as((type, node, cidBytes) -> {
                    byte[] cid = {node.byteValue(), 0x5a, 0, node.byteValue(), 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                        (byte) 0x88};
                    return String.format("%02xfefd0001000000000007", type)
                            + HexFormat.of().formatHex(java.util.Arrays.copyOf(cid, cidBytes));
                });
        return Arbitraries.frequencyOf(Tuple.of(3, random), Tuple.of(2, dtls));
    }

    private static Arbitrary<ChecksumMode> checksum() {
        return Arbitraries.frequency(Tuple.of(9, ChecksumMode.COMPUTED), Tuple.of(1, ChecksumMode.ZERO));
    }

    static Arbitrary<FrameSpec> ingress(Net n) {
        Arbitrary<Integer> port = Arbitraries.frequency(Tuple.of(8, Net.PORT), Tuple.of(1, Net.OTHER_PORT), Tuple.of(1, 9));
        return Combinators.combine(client(n), port, ttl(), payload(), checksum()).as((c, p, ttl, pl, ck) ->
                new FrameSpec(c, new Endpoint(n.vip, p), ttl, null, pl, null, null, null, null, ck, null));
    }

    /** To the second VIP of the family, mostly on the ports its service may balance. */
    static Arbitrary<FrameSpec> ingress2(Net n) {
        Arbitrary<Integer> port = Arbitraries.of(THIRD_PORT, Net.PORT, Net.OTHER_PORT, 9);
        return Combinators.combine(client(n), port, ttl(), payload()).as((c, p, ttl, pl) ->
                new FrameSpec(c, new Endpoint(vip2(n), p), ttl, null, pl, null, null, null, null, null, null));
    }

    static Arbitrary<FrameSpec> egress(Net n) {
        Arbitrary<Integer> port = Arbitraries.frequency(Tuple.of(8, Net.PORT), Tuple.of(2, Net.OTHER_PORT),
                Tuple.of(3, THIRD_PORT));
        return Combinators.combine(Arbitraries.integers().between(0, SERVER_POOL - 1), port, client(n), ttl(), payload(),
                checksum()).as((rs, p, c, ttl, pl, ck) ->
                new FrameSpec(new Endpoint(n.rs(rs), p), c, ttl, null, pl, null, null, null, null, ck, null));
    }

    /** Addresses no client has (the data path's martians), a few of each family. */
    private static Arbitrary<IpAddress> martian(Net n) {
        return Arbitraries.of(n == Net.V4
                ? List.of("0.0.0.0", "127.0.0.1", "169.254.0.1", "224.0.0.1", "255.255.255.255")
                : List.of("::", "::1", "fe80::1", "ff02::1")).map(IpAddress::parse);
    }

    /**
     * Datagrams the balancer must refuse: to the VIP from the VIP, a real server (of the pool,
     * configured or not), a martian or port 0; from a real server to a real server, a martian or
     * port 0.
     */
    static Arbitrary<FrameSpec> hostile(Net n) {
        Arbitrary<IpAddress> own = Arbitraries.oneOf(Arbitraries.just(n.vip),
                Arbitraries.integers().between(0, SERVER_POOL - 1).map(n::rs), martian(n));
        Arbitrary<Endpoint> source = Combinators.combine(own, Arbitraries.of(Net.PORT, 40000, 0)).as(Endpoint::new);
        Arbitrary<FrameSpec> toVip = Combinators.combine(source, ttl()).as((src, ttl) ->
                new FrameSpec(src, new Endpoint(n.vip, Net.PORT), ttl, null, null, null, null, null, null, null, null));
        Arbitrary<IpAddress> peer = Arbitraries.oneOf(Arbitraries.integers().between(0, SERVER_POOL - 1).map(n::rs),
                martian(n));
        Arbitrary<FrameSpec> fromServer = Combinators.combine(Arbitraries.integers().between(0, SERVER_POOL - 1), peer,
                Arbitraries.of(Net.PORT, 40000, 0), ttl()).as((rs, p, port, ttl) ->
                new FrameSpec(new Endpoint(n.rs(rs), Net.PORT), new Endpoint(p, port), ttl, null, null, null, null, null,
                        null, null, null));
        Arbitrary<FrameSpec> toPortZero = Combinators.combine(Arbitraries.integers().between(0, SERVER_POOL - 1),
                client(n)).as((rs, c) -> new FrameSpec(new Endpoint(n.rs(rs), Net.PORT), new Endpoint(c.address(), 0),
                null, null, null, null, null, null, null, null, null));
        return Arbitraries.oneOf(toVip, fromServer, toPortZero);
    }

    static Arbitrary<FrameSpec> stranger(Net n) {
        return Combinators.combine(Arbitraries.of(Net.PORT, 9), client(n), payload()).as((p, c, pl) ->
                new FrameSpec(new Endpoint(n.stranger(), p), c, null, null, pl, null, null, null, null, null, null));
    }

    /**
     * ICMP errors (and an echo request) from a router about a datagram a VIP sent to a client of
     * the pool, mostly on a balanced port: quoted whole, cut after the UDP header or inside it, a
     * quoted source other than the error's destination, TTL 1 and 0, now and then a byte changed.
     */
    static Arbitrary<Frame> icmpError(Net n) {
        int[][] kinds = n == Net.V4 ? new int[][] {{3, 4}, {3, 3}, {3, 1}, {11, 0}, {8, 0}, {12, 0}}
                : new int[][] {{2, 0}, {1, 4}, {1, 0}, {3, 0}, {128, 0}, {4, 0}};
        Arbitrary<Endpoint> quotedSource = Arbitraries.frequency(Tuple.of(8, new Endpoint(n.vip, Net.PORT)),
                Tuple.of(2, new Endpoint(n.vip, Net.OTHER_PORT)), Tuple.of(2, new Endpoint(vip2(n), THIRD_PORT)),
                Tuple.of(1, new Endpoint(n.rs(0), Net.PORT)));
        Arbitrary<IpAddress> to = Arbitraries.frequency(Tuple.of(12, (IpAddress) null), Tuple.of(1, n.vip),
                Tuple.of(1, n.client(0).address()));
        Arbitrary<Integer> quoteBytes = Arbitraries.frequency(Tuple.of(6, -1), Tuple.of(3, n == Net.V4 ? 28 : 48),
                Tuple.of(1, n == Net.V4 ? 25 : 44), Tuple.of(1, n == Net.V4 ? 16 : 30));
        Arbitrary<Frame> error = Combinators.combine(Arbitraries.of(kinds), quotedSource, client(n), to, quoteBytes, ttl(),
                checksum()).as((k, qs, c, dst, qb, ttl, ck) -> io.sbulb.api.frame.IcmpErrorFrame.builder()
                        .from(n.stranger()).to(dst).type(k[0]).code(k[1]).rest(n == Net.V4 ? 1400 : 1280).ttl(ttl)
                        .quoted(io.sbulb.api.frame.UdpFrame.builder().source(qs).destination(c).payload(new byte[24])
                                .checksum(n == Net.V4 ? ck : ChecksumMode.COMPUTED).build())
                        .quoteBytes(qb).build().toFrame());
        Arbitrary<Frame> damaged = Combinators.combine(error, Arbitraries.integers().between(12, 120),
                Arbitraries.integers().between(0, 255)).as((f, off, v) -> {
                    byte[] b = f.bytes();
                    if (off < b.length) {
                        b[off] = (byte) v.intValue();
                    }
                    return Frame.of(b);
                });
        return Arbitraries.frequencyOf(Tuple.of(9, error), Tuple.of(1, damaged));
    }

    /** Fragments (first, IPv4 or IPv6) to a VIP, from a real server, to the balancer host, between strangers. */
    static Arbitrary<Frame> fragment(Net n) {
        return Arbitraries.oneOf(ingress(n), egress(n), toHost(n), stranger(n))
                .map(f -> Frame.of(io.sbulb.api.FrameCases.fragment(f.toUdpFrame())));
    }

    /** A valid frame damaged one way: truncated, a header byte changed, a wrong UDP checksum. */
    static Arbitrary<Step> malformed(Net n) {
        Arbitrary<Frame> base = Arbitraries.oneOf(ingress(n), egress(n)).map(FrameSpec::toFrame);
        Arbitrary<Step> truncated = Combinators.combine(base, Arbitraries.doubles().between(0, 1))
                .as((f, cut) -> hexStep(slice(f.bytes(), (int) (cut * f.length()))));
        // offsets 12..61 cover EtherType, the IP header (version, IHL, protocol, fragment, TTL,
        // addresses) and the UDP header of both families
        Arbitrary<Step> flipped = Combinators.combine(base, Arbitraries.integers().between(12, 61),
                Arbitraries.integers().between(0, 255)).as((f, off, v) -> {
                    byte[] b = f.bytes();
                    if (off < b.length) {
                        b[off] = (byte) v.intValue();
                    }
                    return hexStep(b);
                });
        Arbitrary<Step> badChecksum = Combinators.combine(base, Arbitraries.of(0, 0xffff, 1, 0x8000, 0x1234))
                .as((f, ck) -> {
                    byte[] b = f.bytes();
                    int udp = 14 + (n == Net.V4 ? 20 : 40);
                    b[udp + 6] = (byte) (ck >>> 8);
                    b[udp + 7] = (byte) ck.intValue();
                    return hexStep(b);
                });
        Arbitrary<Step> options = Combinators.combine(ingress(Net.V4), Arbitraries.integers().between(1, 10))
                .as((f, words) -> FrameStep.of(new FrameSpec(f.src(), f.dst(), f.ttl(), null, f.payloadHex(), null, null,
                        "01".repeat(words * 4), null, f.udpChecksum(), null), null));
        Arbitrary<Step> ihl = Combinators.combine(ingress(Net.V4), Arbitraries.integers().between(0, 15))
                .as((f, v) -> {
                    byte[] b = f.toFrame().bytes();
                    b[14] = (byte) (0x40 | v);
                    return hexStep(b);
                });
        Arbitrary<Step> fragment = Combinators.combine(base, Arbitraries.integers().between(1, 0x3fff))
                .as((f, field) -> {
                    byte[] b = f.bytes();
                    if (n == Net.V4) {
                        b[20] = (byte) (field >>> 8); // flags and fragment offset: MF and/or an offset
                        b[21] = (byte) field.intValue();
                    } else {
                        b[20] = 44; // next header: fragment
                    }
                    return hexStep(b);
                });
        return Arbitraries.oneOf(truncated, flipped, badChecksum, options, ihl, fragment);
    }

    static Arbitrary<Step> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(100).map(RandomTraffic::hexStep);
    }

    private static Step hexStep(byte[] b) {
        return FrameStep.of(Frame.of(b), null);
    }

    private static byte[] slice(byte[] b, int len) {
        byte[] c = new byte[len];
        System.arraycopy(b, 0, c, 0, len);
        return c;
    }

    static List<IpAddress> pool(Net n) {
        return IntStream.range(0, SERVER_POOL).mapToObj(n::rs).toList();
    }
}
