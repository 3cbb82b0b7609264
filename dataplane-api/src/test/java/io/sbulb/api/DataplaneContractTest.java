package io.sbulb.api;

import static io.sbulb.api.Expect.bindings;
import static io.sbulb.api.Expect.bound;
import static io.sbulb.api.Expect.fromServer;
import static io.sbulb.api.Expect.toServer;
import static io.sbulb.api.Expect.untouched;
import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every dataplane owes (docs/design.md §1), for IPv4 and IPv6: subclassed once
 * per implementation (the XDP program, the reference model), as Netty's AbstractByteBufTest is
 * per buffer kind. Covers the original sbulb's test suite, one case per reason code, and the
 * configuration rules. Expected output bytes come from {@link Expect}, which builds them from
 * scratch with full checksums. What a dataplane refuses is in {@link DataplaneRefusalContract}.
 */
public abstract class DataplaneContractTest extends IcmpErrorContract {


    // --- batches -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aBatchGivesWhatFrameByFrameGives(Net n) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            frames.add(n.toVip(n.client(i)).toFrame()); // 6 clients in a table of 4: evictions too
        }
        frames.add(n.fromServer(n.rs(1), n.client(0)).toFrame());
        frames.add(n.fromServer(n.rs(0), n.client(9)).toFrame());
        frames.add(n.toVip(n.client(9)).toFrame());
        frames.add(Frame.ofHex("0200000000020200000000010800450000"));
        frames.add(n.toVip(n.client(5)).toBuilder().destination(n.vip, Net.OTHER_PORT).build().toFrame());
        try (Dataplane one = balancer(n, SMALL, 2); Dataplane batch = balancer(n, SMALL, 2)) {
            List<Result> expected = new ArrayList<>();
            for (Frame f : frames) {
                expected.add(one.process(f));
            }
            List<Result> results = batch.processAll(frames);
            assertThat(results).isEqualTo(expected);
            assertThat(batch.associations()).isEqualTo(one.associations());
            assertThat(batch.counters()).isEqualTo(one.counters());
            assertThat(batch.processAll(List.of())).isEmpty();
        }
    }

    // --- the original sbulb suite ----------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void clientInitiatedFlowIsReusedAndOnlyItsServerMayAnswer(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_REUSED_NAT);
            fromServer(dp, n.fromServer(n.rs(0), n.client(0)), n.vip, Reason.EGRESS_REUSED_NAT);
            untouched(dp, n.fromServer(n.rs(1), n.client(0)).toFrame(), Verdict.DROP, Reason.EGRESS_NOT_AUTHORIZED);
            assertThat(bindings(dp)).containsExactly(bound(n.client(0), n.rs(0)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void serverInitiatedFlowClaimsTheClient(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            fromServer(dp, n.fromServer(n.rs(1), n.client(0)), n.vip, Reason.EGRESS_NEW_NAT);
            fromServer(dp, n.fromServer(n.rs(1), n.client(0)), n.vip, Reason.EGRESS_REUSED_NAT);
            untouched(dp, n.fromServer(n.rs(0), n.client(0)).toFrame(), Verdict.DROP, Reason.EGRESS_NOT_AUTHORIZED);
            toServer(dp, n.toVip(n.client(0)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            assertThat(bindings(dp)).containsExactly(bound(n.client(0), n.rs(1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void newClientsAreSpreadRoundRobin(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            for (int c = 0; c < 4; c++) {
                toServer(dp, n.toVip(n.client(c)), n.rs(c % 2), Reason.INGRESS_NEW_NAT);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void sourcePortsOfOneAddressAreDistinctClients(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            int[] ports = {1000, 1001, 1003, 1004};
            for (int i = 0; i < ports.length; i++) {
                toServer(dp, n.toVip(n.client(0, ports[i])), n.rs(i % 2), Reason.INGRESS_NEW_NAT);
            }
            assertThat(dp.associations()).extracting(a -> a.client().port()).containsExactlyInAnyOrder(1000, 1001, 1003, 1004);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void removingTheFirstRealServerFreesItsClients(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            untouched(dp, n.fromServer(n.rs(1), n.client(0)).toFrame(), Verdict.DROP, Reason.EGRESS_NOT_AUTHORIZED);
            dp.configure(dp.configuration().withRealServers(n.servers(1, 2)));
            fromServer(dp, n.fromServer(n.rs(1), n.client(0)), n.vip, Reason.EGRESS_NEW_NAT);
            assertThat(bindings(dp)).containsExactly(bound(n.client(0), n.rs(1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void removingTheLastRealServerFreesItsClients(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
            untouched(dp, n.fromServer(n.rs(0), n.client(1)).toFrame(), Verdict.DROP, Reason.EGRESS_NOT_AUTHORIZED);
            dp.configure(dp.configuration().withRealServers(n.servers(0, 1)));
            fromServer(dp, n.fromServer(n.rs(0), n.client(1)), n.vip, Reason.EGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_REUSED_NAT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void anAddedRealServerTakesTheNextNewClient(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
            dp.configure(dp.configuration().withRealServers(n.servers(0, 3)));
            toServer(dp, n.toVip(n.client(2)), n.rs(2), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_REUSED_NAT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void replacedRealServersTakeOverTheirClients(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
            dp.configure(dp.configuration().withRealServers(n.servers(2, 4)));
            toServer(dp, n.toVip(n.client(0)), n.rs(2), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(3), Reason.INGRESS_NEW_NAT);
        }
    }

    /**
     * The original's LRU test, with the kernel's real eviction rule (docs/kernel-lru.md B6):
     * four associations, clients 0 and 1 touched, a fifth client arrives. With a refill batch
     * T = 1 (kernel 6.16+, 2 or more possible CPUs) only client 2 is evicted; with a larger
     * batch (1 possible CPU, or a kernel before 6.16) clients 2 and 3 both are. Either way the
     * touched clients survive and client 2 comes back as a new association.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void fullTableEvictsAnUntouchedAssociationFirst(Net n) {
        LruParameters lru = LruParameters.detect();
        int batch = lru.batch(SMALL.maxAssociations());
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            for (int c = 0; c < 4; c++) {
                toServer(dp, n.toVip(n.client(c)), n.rs(c % 2), Reason.INGRESS_NEW_NAT);
            }
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_REUSED_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            toServer(dp, n.toVip(n.client(4)), n.rs(0), Reason.INGRESS_NEW_NAT);
            List<Endpoint> expected = new ArrayList<>(List.of(n.client(0), n.client(1), n.client(4)));
            if (batch == 1) {
                expected.add(n.client(3));
            }
            assertThat(dp.associations()).extracting(Association::client)
                    .as("associations with %s, batch %d", lru, batch)
                    .containsExactlyInAnyOrderElementsOf(expected);
            toServer(dp, n.toVip(n.client(2)), n.rs(1), Reason.INGRESS_NEW_NAT);
        }
    }

    // --- beyond the original ---------------------------------------------------------------

    /** A hit must not write the map: on a full LRU table any update would evict a key (docs/kernel-lru.md B4). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void trafficOfExistingAssociationsChangesNoAssociation(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            for (int c = 0; c < 4; c++) {
                toServer(dp, n.toVip(n.client(c)), n.rs(c % 2), Reason.INGRESS_NEW_NAT);
            }
            List<Association> full = dp.associations();
            assertThat(full).hasSize(4);
            for (int round = 0; round < 3; round++) {
                for (int c = 0; c < 4; c++) {
                    toServer(dp, n.toVip(n.client(c)), n.rs(c % 2), Reason.INGRESS_REUSED_NAT);
                    fromServer(dp, n.fromServer(n.rs(c % 2), n.client(c)), n.vip, Reason.EGRESS_REUSED_NAT);
                }
            }
            assertThat(dp.associations()).isEqualTo(full);
        }
    }

    /**
     * An association is removed only when a new one needs room (docs/design.md §1): re-binding
     * a client whose server left, from either side, must not evict anyone, even in a full table
     * (a map update of an existing key would: docs/kernel-lru.md §2.3).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void reBindingAClientWhoseServerLeftEvictsNobody(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            for (int c = 0; c < 4; c++) {
                toServer(dp, n.toVip(n.client(c)), n.rs(c % 2), Reason.INGRESS_NEW_NAT);
            }
            dp.configure(dp.configuration().withRealServers(n.servers(0, 1)));
            toServer(dp, n.toVip(n.client(1)), n.rs(0), Reason.INGRESS_NEW_NAT);
            fromServer(dp, n.fromServer(n.rs(0), n.client(3)), n.vip, Reason.EGRESS_NEW_NAT);
            assertThat(bindings(dp)).containsExactlyInAnyOrder(
                    bound(n.client(0), n.rs(0)), bound(n.client(1), n.rs(0)),
                    bound(n.client(2), n.rs(0)), bound(n.client(3), n.rs(0)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aRealServerThatMovesInTheListKeepsItsClients(Net n) {
        try (Dataplane dp = balancer(n, ROOMY, 3)) {
            for (int c = 0; c < 3; c++) {
                toServer(dp, n.toVip(n.client(c)), n.rs(c), Reason.INGRESS_NEW_NAT);
            }
            // position by position: rs1 moves to 0, rs2 to 1, rs0 leaves
            dp.configure(dp.configuration().withRealServers(n.servers(1, 3)));
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            fromServer(dp, n.fromServer(n.rs(2), n.client(2)), n.vip, Reason.EGRESS_REUSED_NAT);
            toServer(dp, n.toVip(n.client(2)), n.rs(2), Reason.INGRESS_REUSED_NAT);
            assertThat(bindings(dp)).contains(
                    bound(n.client(1), n.rs(1)), bound(n.client(2), n.rs(2)));
            // client 0 lost rs0 and is assigned again, round robin over the new list
            Result r = dp.process(n.toVip(n.client(0)).toFrame());
            assertThat(r.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
            // swapping two servers keeps both
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(2), n.rs(1))));
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            toServer(dp, n.toVip(n.client(2)), n.rs(2), Reason.INGRESS_REUSED_NAT);
        }
    }

    /**
     * A health probe's reply, from a real server's service port to the balancer host's own
     * address, is passed untouched (TO_BALANCER_HOST) and binds nothing, whoever's client it
     * would otherwise be; without the host's addresses the same frame is taken for a flow the
     * server starts (EGRESS_NEW_NAT). Both families' host addresses are configured at once.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aProbeReplyToTheBalancerHostIsPassedUntouched(Net n) {
        IpAddress host = n.stranger();
        Endpoint prober = new Endpoint(host, 33000);
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            dp.configure(n.config(2).withHostAddresses(Set.of(Net.V4.stranger(), Net.V6.stranger())));
            untouched(dp, n.fromServer(n.rs(0), prober).toFrame(), Verdict.PASS, Reason.TO_BALANCER_HOST);
            untouched(dp, n.fromServer(n.rs(1), prober).toFrame(), Verdict.PASS, Reason.TO_BALANCER_HOST);
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            untouched(dp, UdpFrame.builder().source(n.rs(0), Net.OTHER_PORT).destination(prober).build().toFrame(),
                    Verdict.PASS, Reason.TO_BALANCER_HOST);
            // the host is never a client: from it to the VIP is the loop guard's
            untouched(dp, n.toVip(prober).toFrame(), Verdict.DROP, Reason.INGRESS_FROM_BALANCER);
            assertThat(bindings(dp)).containsExactly(bound(n.client(0), n.rs(0)));
            assertThat(dp.configuration().hostAddresses()).containsExactlyInAnyOrder(Net.V4.stranger(), Net.V6.stranger());

            dp.configure(n.config(2));
            fromServer(dp, n.fromServer(n.rs(0), prober), n.vip, Reason.EGRESS_NEW_NAT);
        }
    }

    /**
     * Every frame forwarded to or from a real server counts for it (issue 16: drained = its count
     * stops moving); dropped and passed frames do not; a removed server keeps its count while it
     * is remembered, and its late replies do not add to it.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void forwardedFramesAreCountedPerServerBothWays(Net n) {
        ServerRef rs0 = new ServerRef(Service.DEFAULT_NAME, n.rs(0));
        ServerRef rs1 = new ServerRef(Service.DEFAULT_NAME, n.rs(1));
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            assertThat(dp.serverFrames()).isEqualTo(Map.of(rs0, 0L, rs1, 0L));
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_REUSED_NAT);
            fromServer(dp, n.fromServer(n.rs(0), n.client(0)), n.vip, Reason.EGRESS_REUSED_NAT);
            untouched(dp, n.fromServer(n.rs(1), n.client(0)).toFrame(), Verdict.DROP, Reason.EGRESS_NOT_AUTHORIZED);
            fromServer(dp, n.fromServer(n.rs(1), n.client(1)), n.vip, Reason.EGRESS_NEW_NAT);
            untouched(dp, UdpFrame.builder().source(n.rs(1), Net.OTHER_PORT).destination(n.client(1)).build().toFrame(),
                    Verdict.PASS, Reason.EGRESS_UNHANDLED_PORT);
            assertThat(dp.serverFrames()).isEqualTo(Map.of(rs0, 3L, rs1, 1L));

            dp.configure(n.config(2).withRealServers(List.of(n.rs(1))));
            untouched(dp, n.fromServer(n.rs(0), n.client(0)).toFrame(), Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
            toServer(dp, n.toVip(n.client(0)), n.rs(1), Reason.INGRESS_NEW_NAT);
            assertThat(dp.serverFrames()).isEqualTo(Map.of(rs0, 3L, rs1, 2L));
        }
    }

    /**
     * A client whose server left (removed, or down with on-down move) counts as moved away from
     * that server when the data path binds it elsewhere, whether the client's datagram or another
     * server's does it; once, and only while the server is remembered with its slot (issue 16).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void clientsMovedAwayFromALeavingServerAreCountedForIt(Net n) {
        ServerRef rs0 = new ServerRef(Service.DEFAULT_NAME, n.rs(0));
        ServerRef rs1 = new ServerRef(Service.DEFAULT_NAME, n.rs(1));
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(2)), n.rs(0), Reason.INGRESS_NEW_NAT);
            assertThat(dp.serverMoves()).isEqualTo(Map.of(rs0, 0L, rs1, 0L));

            dp.configure(n.config(2).withRealServers(List.of(n.rs(1))));
            toServer(dp, n.toVip(n.client(0)), n.rs(1), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(0)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            fromServer(dp, n.fromServer(n.rs(1), n.client(2)), n.vip, Reason.EGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            assertThat(dp.serverMoves()).as("two clients left rs0, each once").isEqualTo(Map.of(rs0, 2L, rs1, 0L));

            dp.configure(n.config(2));
            toServer(dp, n.toVip(n.client(3)), n.rs(1), Reason.INGRESS_NEW_NAT);
            assertThat(dp.serverMoves()).as("rs0 back in its slot keeps its count").isEqualTo(Map.of(rs0, 2L, rs1, 0L));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void withoutRealServersTrafficToTheVipIsDropped(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 0)) {
            untouched(dp, n.toVip(n.client(0)).toFrame(), Verdict.DROP, Reason.INGRESS_NO_REAL_SERVER);
            assertThat(dp.associations()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void withoutVipEverythingPasses(Net n) {
        try (Dataplane dp = create(SMALL)) {
            untouched(dp, n.toVip(n.client(0)).toFrame(), Verdict.PASS, Reason.NO_VIRTUAL_SERVER);
            dp.configure(DataplaneConfig.of(null, Set.of(Net.PORT), n.servers(0, 2)));
            untouched(dp, n.fromServer(n.rs(0), n.client(0)).toFrame(), Verdict.PASS, Reason.NO_VIRTUAL_SERVER);
        }
    }

    static Stream<Arguments> frameCases() {
        return Stream.of(Net.values()).flatMap(n -> FrameCases.withBalancerConfigured(n).stream()
                .map(c -> Arguments.of(c, n)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frameCases")
    void everyFrameGetsItsReasonAndIsLeftUntouched(FrameCases.Case c, Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            untouched(dp, c.frame(), c.verdict(), c.reason());
            assertThat(dp.associations()).isEmpty();
        }
    }

    @Test
    void ipv4OptionsAreSkippedAndKept() {
        Net n = Net.V4;
        byte[] options = {(byte) 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00}; // router alert, NOP x3, EOL
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            UdpFrame in = n.toVip(n.client(0)).toBuilder().ipv4Options(options).build();
            toServer(dp, in, n.rs(0), Reason.INGRESS_NEW_NAT);
            UdpFrame reply = n.fromServer(n.rs(0), n.client(0)).toBuilder().ipv4Options(options).build();
            fromServer(dp, reply, n.vip, Reason.EGRESS_REUSED_NAT);
        }
    }

    /** RFC 768: a zero UDP checksum means "none" in IPv4 and must stay zero. */
    @Test
    void zeroUdpChecksumStaysZeroInIpv4() {
        Net n = Net.V4;
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            UdpFrame in = n.toVip(n.client(0)).toBuilder().checksum(UdpFrame.ChecksumMode.ZERO).build();
            toServer(dp, in, n.rs(0), Reason.INGRESS_NEW_NAT);
            Result r = dp.process(in.toFrame());
            int udp = UdpFrame.ETH_HLEN + (n == Net.V4 ? 20 : 40);
            assertThat(r.output().byteAt(udp + 6) | r.output().byteAt(udp + 7)).isZero();
        }
    }

    /** RFC 8200 section 8.1: an IPv6 UDP datagram with a zero checksum is discarded, both ways. */
    @Test
    void zeroUdpChecksumIsDroppedInIpv6() {
        Net n = Net.V6;
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            untouched(dp, n.toVip(n.client(0)).toBuilder().checksum(UdpFrame.ChecksumMode.ZERO).build().toFrame(),
                    Verdict.DROP, Reason.IPV6_ZERO_UDP_CHECKSUM);
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            untouched(dp, n.fromServer(n.rs(0), n.client(0)).toBuilder().checksum(UdpFrame.ChecksumMode.ZERO).build()
                    .toFrame(), Verdict.DROP, Reason.IPV6_ZERO_UDP_CHECKSUM);
        }
    }

    /** RFC 1812: a TTL or hop limit of 1 would leave at 0, so the frame is not forwarded, either way. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void ttlIsDecrementedDownToOneAndATtlOfOneIsNotForwarded(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            untouched(dp, n.toVip(n.client(0)).toBuilder().ttl(1).build().toFrame(), Verdict.DROP,
                    Reason.LIFETIME_WOULD_EXPIRE);
            assertThat(dp.associations()).as("no association for a frame not forwarded").isEmpty();
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            untouched(dp, n.fromServer(n.rs(0), n.client(0)).toBuilder().ttl(1).build().toFrame(), Verdict.DROP,
                    Reason.LIFETIME_WOULD_EXPIRE);
            for (int ttl : new int[] {255, 64, 2}) {
                UdpFrame in = n.toVip(n.client(0)).toBuilder().ttl(ttl).build();
                Result r = dp.process(in.toFrame());
                assertThat(r.verdict()).isEqualTo(Verdict.TX);
                assertThat(UdpFrame.parse(r.output()).ttl()).isEqualTo(ttl - 1);
                assertThat(UdpFrame.checksumsValid(r.output())).as("checksums after TTL %d", ttl).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void payloadOfAnySizeKeepsValidChecksums(Net n) {
        try (Dataplane dp = balancer(n, ROOMY, 3)) {
            for (int size = 0; size <= 1400; size += 97) {
                byte[] payload = new byte[size];
                for (int i = 0; i < size; i++) {
                    payload[i] = (byte) (i * 31 + size);
                }
                UdpFrame in = n.toVip(n.client(1, 1024 + size)).toBuilder().payload(payload).build();
                Result r = dp.process(in.toFrame());
                assertThat(r.verdict()).isEqualTo(Verdict.TX);
                assertThat(UdpFrame.checksumsValid(r.output())).as("checksums, payload %d bytes", size).isTrue();
                UdpFrame back = n.fromServer(UdpFrame.parse(r.output()).destination().address(), in.source())
                        .toBuilder().payload(payload).build();
                Result reply = dp.process(back.toFrame());
                assertThat(reply.reason()).isEqualTo(Reason.EGRESS_REUSED_NAT);
                assertThat(UdpFrame.checksumsValid(reply.output())).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void countersCountFramesAndBytesPerReason(Net n) {
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            Frame a = n.toVip(n.client(0)).toFrame();
            Frame b = n.toVip(n.client(0)).toBuilder().destination(n.vip, Net.OTHER_PORT).build().toFrame();
            dp.process(a);
            dp.process(a);
            dp.process(a);
            dp.process(b);
            Map<Reason, Counter> counters = dp.counters();
            assertThat(counters.get(Reason.INGRESS_NEW_NAT)).isEqualTo(new Counter(1, a.length()));
            assertThat(counters.get(Reason.INGRESS_REUSED_NAT)).isEqualTo(new Counter(2, 2L * a.length()));
            assertThat(counters.get(Reason.INGRESS_UNHANDLED_PORT)).isEqualTo(new Counter(1, b.length()));
            assertThat(counters.values().stream().mapToLong(Counter::packets).sum()).isEqualTo(4);
        }
    }

}
