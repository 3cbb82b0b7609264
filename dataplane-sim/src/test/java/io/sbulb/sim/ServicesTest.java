package io.sbulb.sim;

import static io.sbulb.api.Expect.bindings;
import static io.sbulb.api.Expect.bound;
import static io.sbulb.api.Expect.fromServer;
import static io.sbulb.api.Expect.toServer;
import static io.sbulb.api.Expect.untouched;
import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Association;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Net;
import io.sbulb.api.RealServer;
import io.sbulb.api.Reason;
import io.sbulb.api.Service;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reference model with several services, beyond the contract both dataplanes hold
 * ({@link io.sbulb.api.ServicesContract}; docs/design.md §1): each service its VIP
 * endpoints, its cycle, its cursor and its own associations; a real server's source port names
 * its service; slots and epochs decide which associations hold across changes. Expected output
 * bytes come from frames built from scratch ({@link io.sbulb.api.Expect}).
 */
class ServicesTest {

    private static final LruParameters LRU = new LruParameters(2, BatchRule.SINCE_6_16);
    private static final Net V4 = Net.V4;
    private static final Net V6 = Net.V6;
    private static final IpAddress VIP2 = IpAddress.parse("198.18.0.2");
    private static final long ALL_EVENTS = Reason.eventMask(EnumSet.allOf(Reason.class));

    private static Service service(String name, IpAddress vip, int port, IpAddress... servers) {
        return Service.unweighted(name, vip, Set.of(port), List.of(servers));
    }

    private static ReferenceDataplane model(int maxAssociations, Service... services) {
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 4, maxAssociations, 4), LRU, ALL_EVENTS);
        dp.configure(DataplaneConfig.of(List.of(services)));
        return dp;
    }

    private static UdpFrame to(Endpoint client, IpAddress vip, int port) {
        return UdpFrame.builder().source(client).destination(vip, port).payload("hello".getBytes()).build();
    }

    private static UdpFrame from(IpAddress server, int port, Endpoint client) {
        return UdpFrame.builder().source(server, port).destination(client).payload("reply".getBytes()).build();
    }

    @Test
    void aRetiredServersLateReplyIsDroppedOnlyOnItsOldServicesPorts() {
        ReferenceDataplane dp = model(64, service("a", V4.vip, Net.PORT, V4.rs(0), V4.rs(1)),
                service("b", VIP2, Net.OTHER_PORT, V4.rs(2)));
        toServer(dp, V4.toVip(V4.client(0)), V4.rs(0), Reason.INGRESS_NEW_NAT);
        toServer(dp, V4.toVip(V4.client(1)), V4.rs(1), Reason.INGRESS_NEW_NAT);
        dp.configure(DataplaneConfig.of(List.of(service("a", V4.vip, Net.PORT, V4.rs(0)),
                service("b", VIP2, Net.OTHER_PORT, V4.rs(2), V4.rs(1)))));
        untouched(dp, from(V4.rs(1), Net.PORT, V4.client(1)).toFrame(), Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
        fromServer(dp, from(V4.rs(1), Net.OTHER_PORT, V4.client(1)), VIP2, Reason.EGRESS_NEW_NAT);
        // the retired slot's association still names its server, but holds no longer
        assertThat(bindings(dp)).contains(bound("a", V4.client(1), V4.rs(1)), bound("b", V4.client(1), V4.rs(1)));
        toServer(dp, V4.toVip(V4.client(1)), V4.rs(0), Reason.INGRESS_NEW_NAT);
        assertThat(bindings(dp)).contains(bound("a", V4.client(1), V4.rs(0)));
        assertThat(dp.associations()).hasSize(3);
    }

    @Test
    void aReAddedServerRevivesItsAssociations() {
        ReferenceDataplane dp = model(64, service("a", V6.vip, Net.PORT, V6.rs(0), V6.rs(1), V6.rs(2)));
        for (int c = 0; c < 3; c++) {
            toServer(dp, V6.toVip(V6.client(c)), V6.rs(c), Reason.INGRESS_NEW_NAT);
        }
        List<Association> before = dp.associations();
        dp.configure(DataplaneConfig.of(List.of(service("a", V6.vip, Net.PORT, V6.rs(0), V6.rs(2)))));
        dp.configure(DataplaneConfig.of(List.of(service("a", V6.vip, Net.PORT, V6.rs(1), V6.rs(2), V6.rs(0)))));
        toServer(dp, V6.toVip(V6.client(1)), V6.rs(1), Reason.INGRESS_REUSED_NAT);
        fromServer(dp, V6.fromServer(V6.rs(1), V6.client(1)), V6.vip, Reason.EGRESS_REUSED_NAT);
        assertThat(dp.associations()).isEqualTo(before);
    }

    @Test
    void aRemovedServicesAssociationsBecomeStale() {
        ReferenceDataplane dp = model(64, service("a", V4.vip, Net.PORT, V4.rs(0), V4.rs(1), V4.rs(3)),
                service("b", VIP2, Net.PORT, V4.rs(2)));
        Endpoint c = V4.client(0);
        toServer(dp, to(c, V4.vip, Net.PORT), V4.rs(0), Reason.INGRESS_NEW_NAT);
        toServer(dp, V4.toVip(V4.client(1)), V4.rs(1), Reason.INGRESS_NEW_NAT);
        toServer(dp, to(c, VIP2, Net.PORT), V4.rs(2), Reason.INGRESS_NEW_NAT);
        Association inA = dp.associations().get(0);
        dp.configure(DataplaneConfig.of(List.of(service("b", VIP2, Net.PORT, V4.rs(2)))));
        assertThat(dp.associations()).contains(new Association("#0", c, null, inA.slot(), inA.epoch()),
                new Association("b", c, V4.rs(2), dp.associations().get(1).slot(), dp.associations().get(1).epoch()));
        untouched(dp, to(c, V4.vip, Net.PORT).toFrame(), Verdict.PASS, Reason.UNHANDLED_TRAFFIC);
        untouched(dp, from(V4.rs(0), Net.PORT, c).toFrame(), Verdict.PASS, Reason.UNHANDLED_TRAFFIC);
        // back under its name: its old entries are stale and re-pointed in place, its cursor starts at 0
        dp.configure(DataplaneConfig.of(List.of(service("b", VIP2, Net.PORT, V4.rs(2)),
                service("a", V4.vip, Net.PORT, V4.rs(1), V4.rs(0), V4.rs(3)))));
        toServer(dp, to(c, V4.vip, Net.PORT), V4.rs(1), Reason.INGRESS_NEW_NAT);
        toServer(dp, V4.toVip(V4.client(1)), V4.rs(0), Reason.INGRESS_NEW_NAT);
        assertThat(bindings(dp)).containsExactly(bound("a", c, V4.rs(1)), bound("b", c, V4.rs(2)),
                bound("a", V4.client(1), V4.rs(0)));
    }

    /**
     * docs/design.md §1, step 8, as read here: the association decides first (another server's
     * client: NOT_AUTHORIZED), then the checks before forwarding (martian, to a real server,
     * TTL 1), then the store of a new association: a refused frame binds no one.
     */
    @Test
    void egressDecidesTheOwnerFirstThenRefusesBeforeStoring() {
        ReferenceDataplane dp = model(64, service("a", V4.vip, Net.PORT, V4.rs(0), V4.rs(1)));
        toServer(dp, V4.toVip(V4.client(0)), V4.rs(0), Reason.INGRESS_NEW_NAT);
        UdpFrame.Builder last = UdpFrame.builder().payload("reply".getBytes()).ttl(1);
        untouched(dp, last.source(V4.rs(1), Net.PORT).destination(V4.client(0)).build().toFrame(), Verdict.DROP,
                Reason.EGRESS_NOT_AUTHORIZED);
        untouched(dp, last.source(V4.rs(0), Net.PORT).destination(V4.client(0)).build().toFrame(), Verdict.DROP,
                Reason.LIFETIME_WOULD_EXPIRE);
        untouched(dp, last.source(V4.rs(1), Net.PORT).destination(V4.client(5)).build().toFrame(), Verdict.DROP,
                Reason.LIFETIME_WOULD_EXPIRE);
        untouched(dp, from(V4.rs(1), Net.PORT, new Endpoint(V4.rs(0), 40000)).toFrame(), Verdict.DROP,
                Reason.EGRESS_TO_BALANCER);
        untouched(dp, from(V4.rs(1), Net.PORT, Endpoint.of("127.0.0.1", 40000)).toFrame(), Verdict.DROP,
                Reason.EGRESS_MARTIAN_DESTINATION);
        assertThat(bindings(dp)).containsExactly(bound("a", V4.client(0), V4.rs(0)));
    }

    /** One table per family, each of -ma entries: IPv4 clients never evict IPv6 ones. */
    @Test
    void eachFamilyHasItsOwnTableOfMaxAssociations() {
        ReferenceDataplane dp = model(4, service("a", V4.vip, Net.PORT, V4.rs(0)), service("b", V6.vip, Net.PORT, V6.rs(0)));
        for (int c = 0; c < 4; c++) {
            dp.process(V6.toVip(V6.client(c)).toFrame());
        }
        Set<AssocKey> v6 = dp.associationTable(6).keys();
        for (int c = 0; c < 20; c++) {
            dp.process(V4.toVip(V4.client(c)).toFrame());
        }
        assertThat(dp.associationTable(6).keys()).isEqualTo(v6).hasSize(4);
        assertThat(dp.associationTable(4).size()).isBetween(1, 4);
        assertThat(dp.associationTable(4).maxEntries()).isEqualTo(4);
    }
}
