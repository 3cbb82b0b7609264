package io.sbulb.xdp.bench;

import io.sbulb.api.Expect;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.Checksums;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpDataplane;
import io.sbulb.xdp.bpf.BpfProgram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The programs and frames the data-path benchmark measures, each case with the path it must
 * take: the two baselines (bench_pass, bench_minimal) and the sbulb cases. Shared by
 * {@link DataPathBenchmark} (large tables, many repetitions) and {@link BenchWrapperTest} (small
 * ones), so CI checks the very cases that are measured.
 */
final class BenchCases implements AutoCloseable {

    static final int IPV4_SADDR_OFFSET = UdpFrame.ETH_HLEN + 12;
    /**
     * The client whose address the wrapper varies: 198.19/16, so that the first 65,536 variations
     * (run number XOR the address) never give the VIP or a real server of 198.18/16, which the
     * data path refuses as a source (loop guard). Larger runs do reach them; CaseRunner counts
     * those runs and expects them refused.
     */
    static final io.sbulb.api.Endpoint VARIED_CLIENT =
            new io.sbulb.api.Endpoint(io.sbulb.api.IpAddress.parse("198.19.2.2"), Net.CLIENT_PORT);
    /** Real servers configured in every sbulb case. */
    static final int REAL_SERVERS = 4;

    static final String PASS = "baseline: XDP_PASS";
    static final String MINIMAL = "baseline: minimal LRU NAT v4";
    static final String MIN_KEY20 = "  minimal + sbulb's 20-byte key";
    static final String MIN_COUNTED = "  minimal + per-CPU counter";
    static final String MIN_ALL = "  minimal + 20-byte key + counter + TTL";
    static final String HIT_V4 = "ingress hit v4";
    static final String HIT_V6 = "ingress hit v6";
    static final String HIT_V4_SERVICES = "ingress hit v4, " + Limits.DEFAULT_MAX_SERVICES + " services configured";
    static final String EGRESS_V4_SERVICES = "egress hit v4, " + Limits.DEFAULT_MAX_SERVICES + " services configured";
    static final String EGRESS_V4 = "egress hit v4 (owner replies)";
    static final String UNBALANCED = "unbalanced port v4 (passed)";
    static final String NOT_UDP = "not UDP v4 (passed early)";
    static final String NEW_ROOM = "ingress new assoc. v4, table with room";
    static final String NEW_FULL = "ingress new assoc. v4, table full (evicts)";
    static final String CID_HIT_V4 = "ingress hit v4, DTLS CID service, record without CID";
    static final String CID_ROUTED_V4 = "ingress CID-routed v4 (tls12_cid to its server)";

    /**
     * What the wrapper tail-calls: a program fd, and the sbulb dataplane whose counters the run
     * must move (null for the baselines, which count nothing).
     */
    record Callee(String name, int fd, XdpDataplane counted) {
    }

    /** One measured configuration and the path it must take ({@code expectedOutput} null: not checked). */
    record Case(String name, Callee callee, Frame frame, int varyOffset, int varyMask, int repeat,
                Verdict verdict, Reason reason, Frame expectedOutput) {

        Case withRepeat(int n) {
            return new Case(name, callee, frame, varyOffset, varyMask, n, verdict, reason, expectedOutput);
        }
    }

    private final BenchWrapper wrapper;
    private final Limits limits;
    private final int manyClients;
    private final int cpu;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final XdpDataplane v4;
    private final XdpDataplane full;
    private final XdpDataplane many;
    private final MinimalProgram minimal;
    private final List<Case> fixed = new ArrayList<>();
    private final Case newFull;
    private final Case manyHits;
    private final UdpFrame fresh4;

    /**
     * Loads the programs, makes the associations the hit cases find (without the wrapper), and
     * builds the cases.
     *
     * @param limits      sbulb's limits; the minimal program's table has the same size
     * @param manyClients clients of the cold-cache hit case: a power of two (the wrapper's mask)
     * @param repeat      repetitions of a measured run
     * @param cpu         CPU of the dataplanes' control threads
     */
    BenchCases(BenchWrapper wrapper, Limits limits, int manyClients, int repeat, int cpu) {
        if (Integer.bitCount(manyClients) != 1) {
            throw new IllegalArgumentException("manyClients must be a power of two, got " + manyClients);
        }
        this.wrapper = wrapper;
        this.limits = limits;
        this.manyClients = manyClients;
        this.cpu = cpu;
        int n = wrapper.frameLength();
        UdpFrame in4 = padded(Net.V4.toVip(Net.V4.client(0)), n);
        UdpFrame in6 = padded(Net.V6.toVip(Net.V6.client(0)), n);
        UdpFrame unbalanced = padded(UdpFrame.builder().source(Net.V4.client(0))
                .destination(Net.V4.vip, Net.OTHER_PORT).payload("hello".getBytes()).build(), n);
        fresh4 = padded(Net.V4.toVip(VARIED_CLIENT), n);
        try {
            v4 = own(dataplane(limits, Net.V4));
            XdpDataplane v6 = own(dataplane(limits, Net.V6));
            full = own(dataplane(limits, Net.V4));
            many = own(dataplane(limits.withMaxAssociations(2 * manyClients), Net.V4));
            minimal = own(MinimalProgram.load(limits.maxAssociations()));

            IpAddress rs4 = warm(v4, in4.toFrame(), Reason.INGRESS_NEW_NAT);
            UdpFrame out4 = padded(Net.V4.fromServer(rs4, Net.V4.client(0)), n);
            warm(v4, out4.toFrame(), Reason.EGRESS_REUSED_NAT);
            IpAddress rs6 = warm(v6, in6.toFrame(), Reason.INGRESS_NEW_NAT);
            XdpDataplane services = own(servicesDataplane(limits));
            IpAddress rsS = warm(services, in4.toFrame(), Reason.INGRESS_NEW_NAT);
            UdpFrame outS = padded(Net.V4.fromServer(rsS, Net.V4.client(0)), n);
            warm(services, outS.toFrame(), Reason.EGRESS_REUSED_NAT);
            minimal.bind(in4, rs4); // the same client and server as the sbulb IPv4 hit

            Callee pass = new Callee("bench_pass", wrapper.passFd(), null);
            Callee sbulb4 = new Callee("sbulb_xdp", v4.programFd(), v4);
            Callee sbulb6 = new Callee("sbulb_xdp", v6.programFd(), v6);
            fixed.add(new Case(PASS, pass, in4.toFrame(), 0, 0, repeat, Verdict.PASS, null, in4.toFrame()));
            for (var v : List.of(Map.entry(MINIMAL, MinimalProgram.Variant.MINIMAL),
                    Map.entry(MIN_KEY20, MinimalProgram.Variant.KEY20),
                    Map.entry(MIN_COUNTED, MinimalProgram.Variant.COUNTED),
                    Map.entry(MIN_ALL, MinimalProgram.Variant.ALL))) {
                fixed.add(new Case(v.getKey(), new Callee(v.getValue().program, minimal.fd(v.getValue()), null),
                        in4.toFrame(), 0, 0, repeat, Verdict.TX, null,
                        MinimalProgram.expectedHit(v.getValue(), in4, rs4)));
            }
            fixed.add(new Case(HIT_V4, sbulb4, in4.toFrame(), 0, 0, repeat, Verdict.TX, Reason.INGRESS_REUSED_NAT,
                    Expect.dnat(in4, rs4).toFrame()));
            fixed.add(new Case(HIT_V6, sbulb6, in6.toFrame(), 0, 0, repeat, Verdict.TX, Reason.INGRESS_REUSED_NAT,
                    Expect.dnat(in6, rs6).toFrame()));
            Callee sbulbS = new Callee("sbulb_xdp", services.programFd(), services);
            fixed.add(new Case(HIT_V4_SERVICES, sbulbS, in4.toFrame(), 0, 0, repeat, Verdict.TX,
                    Reason.INGRESS_REUSED_NAT, Expect.dnat(in4, rsS).toFrame()));
            fixed.add(new Case(EGRESS_V4_SERVICES, sbulbS, outS.toFrame(), 0, 0, repeat, Verdict.TX,
                    Reason.EGRESS_REUSED_NAT, Expect.snat(outS, Net.V4.vip).toFrame()));
            fixed.add(new Case(EGRESS_V4, sbulb4, out4.toFrame(), 0, 0, repeat, Verdict.TX, Reason.EGRESS_REUSED_NAT,
                    Expect.snat(out4, Net.V4.vip).toFrame()));
            fixed.add(new Case(UNBALANCED, sbulb4, unbalanced.toFrame(), 0, 0, repeat, Verdict.PASS,
                    Reason.INGRESS_UNHANDLED_PORT, unbalanced.toFrame()));
            fixed.add(new Case(NOT_UDP, sbulb4, notUdp(in4), 0, 0, repeat, Verdict.PASS, Reason.NOT_UDP, notUdp(in4)));
            // A service that routes DTLS CID records (issue 20): the client's association names the
            // server of the record's node id, as after the first routed record (no map write).
            XdpDataplane cid = own(cidDataplane(limits));
            Callee sbulbCid = new Callee("sbulb_xdp", cid.programFd(), cid);
            IpAddress rsCid = warm(cid, in4.toFrame(), Reason.INGRESS_NEW_NAT);
            UdpFrame cidIn4 = padded(in4.toBuilder().payload(cidRecord(nodeOf(rsCid))).build(), n);
            warm(cid, cidIn4.toFrame(), Reason.INGRESS_CID_ROUTED);
            fixed.add(new Case(CID_HIT_V4, sbulbCid, in4.toFrame(), 0, 0, repeat, Verdict.TX, Reason.INGRESS_REUSED_NAT,
                    Expect.dnat(in4, rsCid).toFrame()));
            fixed.add(new Case(CID_ROUTED_V4, sbulbCid, cidIn4.toFrame(), 0, 0, repeat, Verdict.TX,
                    Reason.INGRESS_CID_ROUTED, Expect.dnat(cidIn4, rsCid).toFrame()));
            // At most half the table per run of a new-association case: "with room" never fills.
            newFull = new Case(NEW_FULL, new Callee("sbulb_xdp", full.programFd(), full), fresh4.toFrame(),
                    IPV4_SADDR_OFFSET, -1, newRepeat(repeat), Verdict.TX, Reason.INGRESS_NEW_NAT, null);
            fixed.add(newFull);
            manyHits = new Case(HIT_V4 + ", " + manyClients + " clients in turn (cold cache)",
                    new Callee("sbulb_xdp", many.programFd(), many), fresh4.toFrame(), IPV4_SADDR_OFFSET,
                    manyClients - 1, repeat, Verdict.TX, Reason.INGRESS_REUSED_NAT, null);
            fixed.add(manyHits);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The untimed runs that bring the tables to their steady state, to run once before the
     * measured rounds: the full table gets 1.25 times its size in new clients (from then on
     * every insert evicts); the many-clients table gets each of its clients once (the run number
     * & mask takes each value once in {@code manyClients} runs), in a table twice as large, so
     * every later frame is a hit.
     */
    List<Case> prefill() {
        int fill = limits.maxAssociations() + limits.maxAssociations() / 4;
        return List.of(new Case("prefill: table full", newFull.callee(), newFull.frame(), newFull.varyOffset(), -1,
                        fill, Verdict.TX, Reason.INGRESS_NEW_NAT, null),
                new Case("prefill: many clients", manyHits.callee(), manyHits.frame(), manyHits.varyOffset(),
                        manyHits.varyMask(), manyClients, Verdict.TX, Reason.INGRESS_NEW_NAT, null));
    }

    /** Entries of the full table (after {@link #prefill()}: its size). */
    int fullTableEntries() {
        return full.associations().size();
    }

    /**
     * The cases measured every round, baselines first: bench_pass, bench_minimal, then the
     * minimal program's diagnostic variants, then sbulb.
     */
    List<Case> fixed() {
        return List.copyOf(fixed);
    }

    /** A fresh dataplane for the "table with room" case of one round; the caller closes it. */
    XdpDataplane roomDataplane() {
        return dataplane(limits, Net.V4);
    }

    /** A new client every frame into {@code room}, filled at most half by the run. */
    Case newWithRoom(XdpDataplane room, int repeat) {
        return new Case(NEW_ROOM, new Callee("sbulb_xdp", room.programFd(), room), fresh4.toFrame(),
                IPV4_SADDR_OFFSET, -1, newRepeat(repeat), Verdict.TX, Reason.INGRESS_NEW_NAT, null);
    }

    /** What the kernel reports about sbulb_xdp as loaded for the cases. */
    BpfProgram.Info sbulbInfo() {
        return v4.programInfo();
    }

    int sbulbFd() {
        return v4.programFd();
    }

    int minimalFd() {
        return minimal.fd();
    }

    /** What the kernel reports about bench_minimal. */
    BpfProgram.Info minimalInfo() {
        return minimal.info();
    }

    Limits limits() {
        return limits;
    }

    private int newRepeat(int repeat) {
        return Math.min(repeat, limits.maxAssociations() / 2);
    }

    private XdpDataplane dataplane(Limits l, Net net) {
        XdpDataplane dp = XdpDataplane.create(SbulbProgramSpec.of(l), cpu);
        try {
            dp.configure(net.config(REAL_SERVERS));
            return dp;
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    /** The IPv4 contract network's service, its servers with node ids 1.. and 6-byte connection ids. */
    private XdpDataplane cidDataplane(Limits l) {
        List<io.sbulb.api.RealServer> servers = new ArrayList<>();
        for (int k = 0; k < REAL_SERVERS; k++) {
            servers.add(new io.sbulb.api.RealServer(Net.V4.rs(k), 1, k + 1));
        }
        XdpDataplane dp = XdpDataplane.create(SbulbProgramSpec.of(l), cpu);
        try {
            dp.configure(io.sbulb.api.DataplaneConfig.of(List.of(io.sbulb.api.Service.of("dtls", Net.V4.vip,
                    java.util.Set.of(Net.PORT), servers, io.sbulb.api.DtlsCid.ofLength(6)))));
            return dp;
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    private static int nodeOf(IpAddress server) {
        for (int k = 0; k < REAL_SERVERS; k++) {
            if (Net.V4.rs(k).equals(server)) {
                return k + 1;
            }
        }
        throw new IllegalStateException(server + " is none of the benchmark's servers");
    }

    /** A DTLS 1.2 record of content type tls12_cid whose 6-byte connection id starts with {@code node}. */
    static byte[] cidRecord(int node) {
        return new byte[] {25, (byte) 0xfe, (byte) 0xfd, 0, 1, 0, 0, 0, 0, 0, 7, (byte) node, 1, 2, 3, 4, 5, 0, 1, 0x5a};
    }

    /**
     * As many services as the limits allow, half IPv4 and half IPv6, each with its own VIP, two
     * ports and {@value #REAL_SERVERS} real servers; the IPv4 contract network's service in the
     * middle of the list.
     */
    private XdpDataplane servicesDataplane(Limits l) {
        List<io.sbulb.api.Service> list = new ArrayList<>();
        int count = l.maxServices();
        for (int i = 0; i < count - 1; i++) {
            boolean v4 = i % 2 == 0;
            IpAddress vip = IpAddress.parse(v4 ? "198.19.100." + (i + 1) : "fd00:100::" + Integer.toHexString(i + 1));
            List<IpAddress> servers = new ArrayList<>();
            for (int k = 0; k < REAL_SERVERS; k++) {
                servers.add(IpAddress.parse(v4 ? "198.19." + (101 + i) + "." + (k + 1)
                        : "fd00:101:" + Integer.toHexString(i) + "::" + (k + 1)));
            }
            list.add(io.sbulb.api.Service.unweighted("s" + i, vip, java.util.Set.of(Net.PORT, Net.OTHER_PORT), servers));
        }
        list.add(list.size() / 2, io.sbulb.api.Service.unweighted(io.sbulb.api.Service.DEFAULT_NAME, Net.V4.vip,
                java.util.Set.of(Net.PORT), Net.V4.servers(0, REAL_SERVERS)));
        XdpDataplane dp = XdpDataplane.create(SbulbProgramSpec.of(l), cpu);
        try {
            dp.configure(io.sbulb.api.DataplaneConfig.of(list));
            return dp;
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Runs {@code frame} once without the wrapper; returns the real server it was sent to or from. */
    private static IpAddress warm(XdpDataplane dp, Frame frame, Reason expected) {
        Result r = dp.process(frame);
        if (r.reason() != expected || r.verdict() != Verdict.TX) {
            throw new IllegalStateException("setup frame took " + r.reason() + "/" + r.verdict() + ", expected "
                    + expected + "/TX");
        }
        return expected == Reason.EGRESS_REUSED_NAT ? UdpFrame.parse(frame).source().address()
                : UdpFrame.parse(r.output()).destination().address();
    }

    /** {@code f} with its payload resized so the whole frame is {@code length} bytes. */
    static UdpFrame padded(UdpFrame f, int length) {
        int headers = f.toFrame().length() - f.payload().length;
        if (length < headers) {
            throw new IllegalArgumentException(length + " bytes cannot hold the " + headers + " bytes of headers");
        }
        return f.toBuilder().payload(Arrays.copyOf(f.payload(), length - headers)).build();
    }

    /** An IPv4 frame as {@code f} but with protocol TCP (6) and a correct header checksum. */
    static Frame notUdp(UdpFrame f) {
        byte[] b = f.toFrame().bytes();
        int ip = UdpFrame.ETH_HLEN;
        b[ip + 9] = 6;
        b[ip + 10] = 0;
        b[ip + 11] = 0;
        int check = Checksums.ipv4Header(b, ip, 20);
        b[ip + 10] = (byte) (check >>> 8);
        b[ip + 11] = (byte) check;
        return Frame.of(b);
    }

    /** Closes the programs, in reverse order of loading. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }
}
