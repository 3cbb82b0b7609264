package io.sbulb.api;

import static io.sbulb.api.Expect.fromServer;
import static io.sbulb.api.Expect.toServer;
import static io.sbulb.api.Expect.untouched;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.frame.UdpFrame;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The part of the {@link DataplaneContractTest} about what a dataplane refuses: hostile and
 * malformed frames that must never be forwarded, and configurations, applied whole or not at
 * all. Subclassed through DataplaneContractTest.
 */
public abstract class DataplaneRefusalContract {

    /** A fresh dataplane (fresh maps) with these limits. */
    protected abstract Dataplane create(Limits limits);

    /** Limits of the original suite: 4 associations. */
    protected static final Limits SMALL = new Limits(4, 8, 4);
    protected static final Limits ROOMY = new Limits(4, 8, 64);

    /** A fresh dataplane configured with {@code n}'s VIP, port and real servers 0..realServers-1. */
    protected Dataplane balancer(Net n, Limits limits, int realServers) {
        Dataplane dp = create(limits);
        dp.configure(n.config(realServers));
        return dp;
    }

    /** A frame shorter than Ethernet's 60 bytes arrives padded: the padding past the IP length is accepted, and kept. */
    @Test
    void ethernetPaddingOfAShortFrameIsAccepted() {
        Net n = Net.V4;
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            UdpFrame in = n.toVip(n.client(0)).toBuilder().payload(new byte[0]).build(); // 42 bytes
            byte[] padded = java.util.Arrays.copyOf(in.toFrame().bytes(), 60);
            Result r = dp.process(Frame.of(padded));
            assertThat(r.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
            assertThat(r.output().length()).isEqualTo(60);
            assertThat(java.util.Arrays.copyOf(r.output().bytes(), 42))
                    .isEqualTo(Expect.dnat(in, n.rs(0)).toFrame().bytes());
        }
    }

    /**
     * The attack that made two real servers answer each other ~24,000 times a second: one
     * datagram to the VIP with the VIP (or a real server) as its source. It is dropped, nothing
     * is associated, and neither server's datagram to the other is ever forwarded.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aSpoofedDatagramCannotMakeTwoRealServersTalk(Net n) {
        try (Dataplane dp = balancer(n, ROOMY, 2)) {
            untouched(dp, n.toVip(new Endpoint(n.vip, Net.PORT)).toFrame(), Verdict.DROP, Reason.INGRESS_FROM_BALANCER);
            untouched(dp, n.toVip(new Endpoint(n.rs(1), Net.PORT)).toFrame(), Verdict.DROP, Reason.INGRESS_FROM_BALANCER);
            untouched(dp, n.fromServer(n.rs(0), new Endpoint(n.rs(1), Net.PORT)).toFrame(), Verdict.DROP,
                    Reason.EGRESS_TO_BALANCER);
            untouched(dp, n.fromServer(n.rs(1), new Endpoint(n.vip, Net.PORT)).toFrame(), Verdict.DROP,
                    Reason.INGRESS_FROM_BALANCER); // to the VIP: the ingress side refuses it
            assertThat(dp.associations()).isEmpty();
        }
    }

    /** A client that became a real server: its old association no longer lets it through the VIP. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aClientAddedAsRealServerIsRefusedEvenWithAnAssociation(Net n) {
        try (Dataplane dp = balancer(n, ROOMY, 2)) {
            Endpoint client = n.client(0, Net.PORT);
            toServer(dp, n.toVip(client), n.rs(0), Reason.INGRESS_NEW_NAT);
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(0), n.rs(1), client.address())));
            untouched(dp, n.toVip(client).toFrame(), Verdict.DROP, Reason.INGRESS_FROM_BALANCER);
            untouched(dp, n.fromServer(n.rs(0), client).toFrame(), Verdict.DROP, Reason.EGRESS_TO_BALANCER);
        }
    }

    /**
     * A removed real server's late replies are dropped, never passed on with its own address;
     * once it is back in the list it speaks for the VIP again. Only the last max-real-servers
     * removed are remembered.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aRemovedRealServersLateRepliesAreDroppedNotLeaked(Net n) {
        try (Dataplane dp = balancer(n, new Limits(4, 3, 64), 3)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(0), n.rs(2))));
            untouched(dp, n.fromServer(n.rs(1), n.client(1)).toFrame(), Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
            untouched(dp, n.fromServer(n.rs(1), n.client(5)).toFrame(), Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
            fromServer(dp, n.fromServer(n.rs(0), n.client(0)), n.vip, Reason.EGRESS_REUSED_NAT);
            // still remembered after more changes, until max-real-servers (3) newer removals push it out
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(0), n.rs(2), n.rs(3))));
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(0))));
            untouched(dp, n.fromServer(n.rs(1), n.client(1)).toFrame(), Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(4))));
            untouched(dp, n.fromServer(n.rs(1), n.client(1)).toFrame(), Verdict.PASS, Reason.UNHANDLED_TRAFFIC);
            untouched(dp, n.fromServer(n.rs(0), n.client(0)).toFrame(), Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
            // back in the list after it was forgotten: a new slot, so client 1's old entry no longer
            // holds and the server's reply binds the client anew
            dp.configure(dp.configuration().withRealServers(List.of(n.rs(4), n.rs(1))));
            fromServer(dp, n.fromServer(n.rs(1), n.client(1)), n.vip, Reason.EGRESS_NEW_NAT);
        }
    }

    // --- configuration ---------------------------------------------------------------------

    @Test
    void aRejectedConfigurationLeavesTheRunningOneInForce() {
        Net n = Net.V4;
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            DataplaneConfig running = dp.configuration();
            List<java.util.function.Supplier<DataplaneConfig>> bad = List.of(
                    () -> running.withPorts(Set.of(1, 2, 3, 4, 5)),
                    () -> running.withRealServers(n.servers(0, 9)),
                    () -> running.withRealServers(List.of(n.rs(0), Net.V6.rs(0))),
                    () -> running.withRealServers(List.of(n.rs(0), n.rs(0))),
                    () -> running.withRealServers(List.of(n.vip)),
                    () -> running.withPorts(Set.of(0)));
            for (java.util.function.Supplier<DataplaneConfig> c : bad) {
                assertThatThrownBy(() -> dp.configure(c.get())).isInstanceOf(ConfigException.class);
                assertThat(dp.configuration()).isEqualTo(running);
            }
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
        }
    }

    @Test
    void configurationErrorsNameTheValueAndTheLimit() {
        try (Dataplane dp = create(SMALL)) {
            DataplaneConfig tooManyPorts = Net.V4.config(1).withPorts(Set.of(1, 2, 3, 4, 5));
            assertThatThrownBy(() -> dp.configure(tooManyPorts))
                    .hasMessage("service default: 5 ports configured, at most 4 allowed (-mp)");
            DataplaneConfig tooManyServers = Net.V4.config(9);
            assertThatThrownBy(() -> dp.configure(tooManyServers))
                    .hasMessage("service default: 9 real servers configured, at most 8 allowed (-mrs)");
        }
    }

    /** A full list replaced by another full list of other servers, the limit reached both times. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aFullListCanBeReplacedByAnotherFullList(Net n) {
        int max = SMALL.maxRealServers();
        try (Dataplane dp = balancer(n, SMALL, max)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            dp.configure(dp.configuration().withRealServers(n.servers(max, 2 * max)));
            assertThat(dp.configuration().realServers()).hasSize(max);
            toServer(dp, n.toVip(n.client(0)), n.rs(max + 1), Reason.INGRESS_NEW_NAT);
            fromServer(dp, n.fromServer(n.rs(2 * max - 1), n.client(1)), n.vip, Reason.EGRESS_NEW_NAT);
        }
    }

    @Test
    void portsCanBeAddedAndRemovedLive() {
        Net n = Net.V6;
        try (Dataplane dp = balancer(n, SMALL, 2)) {
            UdpFrame other = n.toVip(n.client(0)).toBuilder().destination(n.vip, Net.OTHER_PORT).build();
            untouched(dp, other.toFrame(), Verdict.PASS, Reason.INGRESS_UNHANDLED_PORT);
            dp.configure(dp.configuration().withPorts(Set.of(Net.PORT, Net.OTHER_PORT)));
            toServer(dp, other, n.rs(0), Reason.INGRESS_NEW_NAT);
            dp.configure(dp.configuration().withPorts(Set.of(Net.OTHER_PORT)));
            untouched(dp, n.toVip(n.client(0)).toFrame(), Verdict.PASS, Reason.INGRESS_UNHANDLED_PORT);
            toServer(dp, other, n.rs(0), Reason.INGRESS_REUSED_NAT);
        }
    }

    /**
     * The data path indexes real servers by their 16-byte padded address: 253.0.1.1 and
     * fd00:101:: look alike there. Replacing one by the other across a family change must
     * leave the new server findable (only configuration values, no traffic, use 253.0.1.1).
     */
    @Test
    void aServerOfTheOtherFamilyWithTheSamePaddedAddressReplacesTheOldOne() {
        IpAddress v6rs = IpAddress.parse("fd00:101::");
        try (Dataplane dp = create(SMALL)) {
            dp.configure(DataplaneConfig.of(Net.V4.vip, Set.of(Net.PORT), List.of(IpAddress.parse("253.0.1.1"))));
            dp.configure(DataplaneConfig.of(Net.V6.vip, Set.of(Net.PORT), List.of(v6rs)));
            fromServer(dp, Net.V6.fromServer(v6rs, Net.V6.client(0)), Net.V6.vip, Reason.EGRESS_NEW_NAT);
        }
    }

    @Test
    void changingTheVipFamilyRebalancesTheOtherFamily() {
        try (Dataplane dp = balancer(Net.V4, SMALL, 2)) {
            toServer(dp, Net.V4.toVip(Net.V4.client(0)), Net.V4.rs(0), Reason.INGRESS_NEW_NAT);
            dp.configure(Net.V6.config(2));
            untouched(dp, Net.V4.toVip(Net.V4.client(0)).toFrame(), Verdict.PASS, Reason.UNHANDLED_TRAFFIC);
            toServer(dp, Net.V6.toVip(Net.V6.client(0)), Net.V6.rs(1), Reason.INGRESS_NEW_NAT);
        }
    }
}
