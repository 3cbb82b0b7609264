package io.sbulb.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.sim.lru.KernelLruMap;
import io.sbulb.sim.lru.KernelLruMap.UpdateFlag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What is particular to the reference model, beyond the dataplane contract: its state across
 * configurations, its counters, and that it touches the association table exactly as the C
 * program does (one lookup per balanced frame, an update only for a new association).
 */
class ReferenceDataplaneTest {

    private static final LruParameters LRU = new LruParameters(2, BatchRule.SINCE_6_16);
    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");
    private static final int PORT = 5683;

    /** The reasons of the frames that look the association table up (docs/design.md §1, steps 6 and 8). */
    private static final Set<Reason> LOOKED_UP = EnumSet.of(Reason.INGRESS_NEW_NAT, Reason.INGRESS_REUSED_NAT,
            Reason.INGRESS_NO_REAL_SERVER, Reason.INGRESS_CANNOT_CREATE_ASSO, Reason.EGRESS_NEW_NAT,
            Reason.EGRESS_REUSED_NAT, Reason.EGRESS_NOT_AUTHORIZED, Reason.EGRESS_CANNOT_CREATE_ASSO);

    private static IpAddress rs(int i) {
        return IpAddress.parse("198.18.1." + (i + 1));
    }

    private static List<IpAddress> servers(int... idx) {
        return Arrays.stream(idx).mapToObj(ReferenceDataplaneTest::rs).toList();
    }

    private static Endpoint client(int i) {
        return new Endpoint(IpAddress.parse("198.18.2." + (i + 1)), 40000);
    }

    private static Frame toVip(Endpoint client) {
        return UdpFrame.builder().source(client).destination(VIP, PORT).payload("hi".getBytes()).build().toFrame();
    }

    private static Frame from(IpAddress server, Endpoint client) {
        return UdpFrame.builder().source(server, PORT).destination(client).build().toFrame();
    }

    private static ReferenceDataplane model(int maxAssociations, int... rs) {
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 8, maxAssociations), LRU);
        dp.configure(DataplaneConfig.of(VIP, Set.of(PORT), servers(rs)));
        return dp;
    }

    private static IpAddress destination(Result r) {
        return UdpFrame.parse(r.output()).destination().address();
    }

    @Test
    void aRejectedConfigurationChangesNeitherConfigurationNorBehaviour() {
        ReferenceDataplane dp = model(16, 0, 1);
        assertThat(destination(dp.process(toVip(client(0))))).isEqualTo(rs(0));
        DataplaneConfig running = dp.configuration();

        assertThatThrownBy(() -> dp.configure(running.withRealServers(servers(0, 1, 2, 3, 4, 5, 6, 7, 0))))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> dp.configure(running.withRealServers(List.of(rs(2), VIP))))
                .isInstanceOf(ConfigException.class);

        assertThat(dp.configuration()).isEqualTo(running);
        assertThat(dp.cursor(0)).isEqualTo(1);
        assertThat(destination(dp.process(toVip(client(1))))).isEqualTo(rs(1));
        assertThat(dp.process(toVip(client(0))).reason()).isEqualTo(Reason.INGRESS_REUSED_NAT);
    }

    @Test
    void countersHoldOnlyTheReasonsSeenWithWholeFrameBytes() {
        ReferenceDataplane dp = model(16, 0, 1);
        assertThat(dp.counters()).isEmpty();
        Frame ok = toVip(client(0));
        Frame runt = Frame.of(new byte[13]);
        dp.process(ok);
        dp.process(ok);
        dp.process(runt);
        assertThat(dp.counters()).isEqualTo(Map.of(
                Reason.INGRESS_NEW_NAT, new Counter(1, ok.length()),
                Reason.INGRESS_REUSED_NAT, new Counter(1, ok.length()),
                Reason.INVALID_ETH_SIZE, new Counter(1, 13)));
    }

    @Test
    void roundRobinCursorSurvivesConfigureAndWrapsPastTheEnd() {
        ReferenceDataplane dp = model(16, 0, 1, 2);
        assertThat(destination(dp.process(toVip(client(0))))).isEqualTo(rs(0));
        assertThat(destination(dp.process(toVip(client(1))))).isEqualTo(rs(1));
        assertThat(dp.cursor(0)).isEqualTo(2);

        dp.configure(dp.configuration().withRealServers(servers(0, 1)));
        assertThat(dp.cursor(0)).as("configure keeps the cursor").isEqualTo(2);
        assertThat(destination(dp.process(toVip(client(2))))).as("2 is past the end: wraps to 0").isEqualTo(rs(0));
        assertThat(destination(dp.process(toVip(client(3))))).isEqualTo(rs(1));
        assertThat(dp.cursor(0)).isEqualTo(2);
    }

    @Test
    void aDropForWantOfRealServersLeavesTheCursorAlone() {
        ReferenceDataplane dp = model(16, 0, 1);
        dp.process(toVip(client(0)));
        dp.configure(dp.configuration().withRealServers(List.of()));
        assertThat(dp.process(toVip(client(1))).reason()).isEqualTo(Reason.INGRESS_NO_REAL_SERVER);
        assertThat(dp.cursor(0)).isEqualTo(1);
    }

    /** A server keeps its slot and epoch wherever it moves: the entry is not rewritten, another server is still refused. */
    @Test
    void aServerThatMovesKeepsItsClientsWhoseEntryIsNotRewritten() {
        ReferenceDataplane dp = model(16, 0, 1, 2);
        dp.process(toVip(client(0)));
        Association before = dp.associations().get(0);
        dp.configure(dp.configuration().withRealServers(servers(1, 0, 2)));
        Result r = dp.process(from(rs(2), client(0)));
        assertThat(r.verdict()).isEqualTo(Verdict.DROP);
        assertThat(r.reason()).isEqualTo(Reason.EGRESS_NOT_AUTHORIZED);
        assertThat(dp.process(toVip(client(0))).reason()).isEqualTo(Reason.INGRESS_REUSED_NAT);
        assertThat(dp.associations()).containsExactly(before);
        assertThat(before.realServer()).isEqualTo(rs(0));
    }

    /**
     * The egress side's shortcut for the usual reply: a frame from the one service's port looks
     * the client up in that service whoever sent it (a stranger, a retired server), as a frame of
     * the client would, so the clients it names are kept from eviction; from a port that is no
     * service's, a frame leaves the table as it was.
     */
    @Test
    void aFrameFromTheServicesPortTouchesItsClientWhoeverSentIt() {
        ReferenceDataplane dp = model(4, 0, 1, 2);
        KernelLruMap<AssocKey, Object> twin = new KernelLruMap<>(4, LRU);
        for (int c = 0; c < 4; c++) {
            dp.process(toVip(client(c)));
            twin.programUpdate(new AssocKey(client(c).address(), client(c).port(), 0), new Object(), UpdateFlag.NOEXIST);
        }
        dp.configure(dp.configuration().withRealServers(servers(0, 1)));
        IpAddress stranger = IpAddress.parse("198.18.3.1");
        Frame fromOtherPort = UdpFrame.builder().source(stranger, PORT + 1).destination(client(2)).build().toFrame();
        assertThat(dp.process(fromOtherPort).reason()).isEqualTo(Reason.UNHANDLED_TRAFFIC); // no lookup
        assertThat(dp.process(from(stranger, client(0))).reason()).isEqualTo(Reason.UNHANDLED_TRAFFIC);
        twin.programLookup(new AssocKey(client(0).address(), client(0).port(), 0));
        assertThat(dp.process(from(rs(2), client(1))).reason()).isEqualTo(Reason.EGRESS_REMOVED_REAL_SERVER);
        twin.programLookup(new AssocKey(client(1).address(), client(1).port(), 0));
        dp.process(toVip(client(4)));
        twin.programUpdate(new AssocKey(client(4).address(), client(4).port(), 0), new Object(), UpdateFlag.NOEXIST);
        assertThat(twin.lastEvicted()).as("the table overflowed").isNotEmpty();
        assertThat(dp.associationTable(4).keys()).isEqualTo(twin.keys());
    }

    /**
     * Replays random traffic (new and returning clients, replies, refused servers, strangers,
     * reconfigurations) through the model and the same operations on a twin LRU map: one program
     * lookup per frame that reaches the association step (docs/design.md §1: ingress to a service
     * past the source checks, egress from a live real server's endpoint) or comes from the one
     * service's port (the usual reply's shortcut looks the client up whoever sent it), none for
     * the others,
     * plus an insert only when the frame bound a peer that had no entry. The keys, and so every eviction, must stay identical: reused associations,
     * in-place position updates and in-place re-binding leave the LRU as a plain lookup does.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 2024})
    void associationTableSeesOnlyALookupPerFrameAndAnInsertPerPeerWithoutEntry(long seed) {
        Random rnd = new Random(seed);
        int capacity = 8;
        ReferenceDataplane dp = model(capacity, 0, 1, 2);
        KernelLruMap<AssocKey, Object> twin = new KernelLruMap<>(capacity, LRU);
        IpAddress stranger = IpAddress.parse("198.18.3.1");
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        int evictions = 0;
        for (int i = 0; i < 2000; i++) {
            Endpoint c = client(rnd.nextInt(20));
            int kind = rnd.nextInt(10);
            if (kind == 0) {
                List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
                Collections.shuffle(order, rnd);
                List<IpAddress> list = order.subList(0, 1 + rnd.nextInt(4)).stream().map(ReferenceDataplaneTest::rs).toList();
                dp.configure(dp.configuration().withRealServers(list));
                continue;
            }
            Frame f = kind < 6 ? toVip(c) : from(kind == 9 ? stranger : rs(rnd.nextInt(4)), c);
            Result r = dp.process(f);
            if (!LOOKED_UP.contains(r.reason()) && kind < 6) {
                assertThat(dp.associationTable(4).keys()).as("frame %d (%s)", i, r.reason()).isEqualTo(twin.keys());
                seen.add(r.reason());
                continue;
            }
            AssocKey key = new AssocKey(c.address(), c.port(), 0);
            Object had = twin.programLookup(key);
            // a peer with a stale entry is re-bound in place: only a peer without one is inserted
            if (had == null && (r.reason() == Reason.INGRESS_NEW_NAT || r.reason() == Reason.EGRESS_NEW_NAT)) {
                twin.programUpdate(key, new Object(), UpdateFlag.ANY);
                evictions += twin.lastEvicted().size();
            }
            seen.add(r.reason());
            assertThat(dp.associationTable(4).keys()).as("frame %d (%s)", i, r.reason()).isEqualTo(twin.keys());
        }
        assertThat(evictions).as("the table overflowed").isGreaterThan(100);
        assertThat(seen).contains(Reason.INGRESS_NEW_NAT, Reason.INGRESS_REUSED_NAT, Reason.EGRESS_NEW_NAT,
                Reason.EGRESS_REUSED_NAT, Reason.EGRESS_NOT_AUTHORIZED, Reason.UNHANDLED_TRAFFIC,
                Reason.EGRESS_REMOVED_REAL_SERVER);
    }

    @Test
    void associationsAreSortedByClientAndReadWithoutTouchingRecency() {
        ReferenceDataplane dp = model(4, 0, 1);
        for (int c = 3; c >= 0; c--) {
            dp.process(toVip(client(c)));
        }
        for (int k = 0; k < 5; k++) {
            assertThat(dp.associations()).extracting(Association::client)
                    .containsExactly(client(0), client(1), client(2), client(3));
        }
        dp.process(toVip(client(4)));
        // nothing was referenced: the oldest insert (client 3) goes first, as with no reads at all
        assertThat(dp.associations()).extracting(Association::client).doesNotContain(client(3));
    }

    /** A frame and a change of its bytes: offset, value. */
    private static Frame with(Frame f, int... offsetValue) {
        byte[] b = f.bytes();
        for (int i = 0; i < offsetValue.length; i += 2) {
            b[offsetValue[i]] = (byte) offsetValue[i + 1];
        }
        return Frame.of(b);
    }

    static Stream<Arguments> framesWithSeveralFaults() {
        int ip = UdpFrame.ETH_HLEN;
        Frame v4 = toVip(client(0));
        Frame longV4 = UdpFrame.builder().source(client(0)).destination(VIP, PORT).payload(new byte[32]).build().toFrame();
        Frame v6 = UdpFrame.builder().source("fd00:2::1", 40000).destination("fd00::1", PORT).build().toFrame();
        return Stream.of(
                Arguments.of("v4 version 6 and IHL 4: version first", with(v4, ip, 0x64), Reason.INVALID_IP_VERSION),
                Arguments.of("v4 IHL 15 past the end, TCP: size first", with(v4, ip, 0x4f, ip + 9, 6), Reason.INVALID_IP_SIZE),
                Arguments.of("v4 TCP fragment to the VIP with TTL 0: fragment first, of any protocol",
                        with(v4, ip + 9, 6, ip + 6, 0x20, ip + 8, 0), Reason.FRAGMENT_TO_VIP),
                Arguments.of("v4 fragment to the VIP with TTL 0: fragment first", with(v4, ip + 6, 0x20, ip + 8, 0),
                        Reason.FRAGMENT_TO_VIP),
                Arguments.of("v4 TCP with TTL 0: protocol first", with(v4, ip + 9, 6, ip + 8, 0), Reason.NOT_UDP),
                Arguments.of("v4 TTL 0, UDP truncated: TTL first",
                        Frame.of(Arrays.copyOf(with(v4, ip + 8, 0).bytes(), ip + 20 + 7)), Reason.LIFETIME_EXPIRED),
                Arguments.of("v4 header checksum wrong: not checked", with(v4, ip + 10, 0, ip + 11, 0), Reason.INGRESS_NEW_NAT),
                Arguments.of("v6 fragment header with hop limit 0", with(v6, ip + 6, 44, ip + 7, 0), Reason.FRAGMENTED_IP_PACKET),
                Arguments.of("v6 version 4, truncated header: size first",
                        Frame.of(Arrays.copyOf(with(v6, ip, 0x40).bytes(), ip + 39)), Reason.INVALID_IP_SIZE),
                Arguments.of("IPv6 EtherType on a short IPv4 packet: size first", with(v4, 12, 0x86, 13, 0xdd),
                        Reason.INVALID_IP_SIZE),
                Arguments.of("IPv6 EtherType on a long IPv4 packet", with(longV4, 12, 0x86, 13, 0xdd),
                        Reason.INVALID_IP_VERSION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framesWithSeveralFaults")
    void theFirstFailingCheckOfParseHDecides(String name, Frame frame, Reason reason) {
        ReferenceDataplane dp = model(16, 0, 1);
        Result r = dp.process(frame);
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.verdict()).isEqualTo(reason.verdict());
    }

    /**
     * 253.0.1.1 and fd00:101:: have the same 16 padded bytes; the endpoint and address keys carry
     * the family, so they are told apart. A service moving from the IPv4 server to the IPv6 one
     * (and from an IPv4 VIP to an IPv6 one) retires the IPv4 server and finds the IPv6 one.
     */
    @Test
    void aServerAliasingARemovedServerOfTheOtherFamilyIsStillFound() {
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 8, 16), LRU);
        IpAddress v4rs = IpAddress.parse("253.0.1.1");
        IpAddress v6rs = IpAddress.parse("fd00:101::");
        dp.configure(DataplaneConfig.of(VIP, Set.of(PORT), List.of(v4rs)));
        dp.configure(DataplaneConfig.of(IpAddress.parse("fd00::1"), Set.of(PORT), List.of(v6rs)));
        Frame reply = UdpFrame.builder().source(v6rs, PORT).destination("fd00:2::1", 40000).build().toFrame();
        assertThat(dp.process(reply).reason()).isEqualTo(Reason.EGRESS_NEW_NAT);
        Frame late = UdpFrame.builder().source(v4rs, PORT).destination("198.18.2.1", 40000).build().toFrame();
        assertThat(dp.process(late).reason()).isEqualTo(Reason.EGRESS_REMOVED_REAL_SERVER);
        assertThat(ReferenceDataplane.restore(dp.save()).save()).as("a snapshot holds the retired IPv4 slot")
                .isEqualTo(dp.save());
    }

    @Test
    void closeIsIdempotent() {
        ReferenceDataplane dp = model(4, 0);
        dp.close();
        dp.close();
        assertThat(dp.name()).isEqualTo("sim");
    }

    /** As the XDP program's ring buffer: a full log loses the new events, never the frames. */
    @Test
    void aFullEventLogLosesTheNewEventsNeverTheFrames() {
        long mask = Reason.eventMask(EnumSet.of(Reason.INGRESS_UNHANDLED_PORT, Reason.INGRESS_NEW_NAT));
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 8, 64), LruParameters.detect(), mask);
        dp.configure(DataplaneConfig.of(IpAddress.parse("198.18.0.1"), Set.of(5683), List.of(IpAddress.parse("198.18.1.1"))));
        UdpFrame hello = UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 5683).build();
        Frame other = hello.toBuilder().destination(IpAddress.parse("198.18.0.1"), 5684).build().toFrame();
        assertThat(dp.process(hello.toFrame()).reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
        assertThat(dp.drainEvents(1)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
            assertThat(e.source()).isEqualTo(hello.source());
            assertThat(e.nat()).isEqualTo(IpAddress.parse("198.18.1.1"));
        });
        dp.process(hello.toFrame()); // INGRESS_REUSED_NAT: not in the mask
        for (int i = 0; i < DataplaneEvent.CAPACITY + 5; i++) {
            dp.process(other);
        }
        assertThat(dp.counters().get(Reason.INGRESS_UNHANDLED_PORT).packets()).isEqualTo(DataplaneEvent.CAPACITY + 5);
        assertThat(dp.drainEvents(10)).hasSize(10);
        assertThat(dp.drainEvents()).hasSize(DataplaneEvent.CAPACITY - 10);
    }
}
