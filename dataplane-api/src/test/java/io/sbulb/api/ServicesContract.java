package io.sbulb.api;

import static io.sbulb.api.Expect.bindings;
import static io.sbulb.api.Expect.bound;
import static io.sbulb.api.Expect.fromServer;
import static io.sbulb.api.Expect.toServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Services, held by every dataplane (docs/design.md §1): several on one data path, in both
 * families, a client of two services, weights, a weight of 0, flows a server starts, a server in
 * two services. Expected frames are built from scratch with full checksums ({@link Expect}).
 */
public abstract class ServicesContract {

    /** A fresh dataplane with these limits (skips, or fails under CI, where it cannot run). */
    protected abstract Dataplane create(Limits limits);

    private static final Limits LIMITS = new Limits(4, 8, 4096, 8);
    private static final int PORT = Net.PORT;
    private static final int OTHER = Net.OTHER_PORT;
    /** A second VIP of each family, in the test ranges and none of Net's roles. */
    private static final IpAddress VIP2_V4 = IpAddress.parse("198.18.0.2");
    private static final IpAddress VIP2_V6 = IpAddress.parse("fd00::2");

    private static Service service(String name, IpAddress vip, int port, List<RealServer> servers) {
        return Service.of(name, vip, Set.of(port), servers);
    }

    private static List<RealServer> weighted(IpAddress... servers) {
        List<RealServer> out = new ArrayList<>();
        for (IpAddress a : servers) {
            out.add(RealServer.of(a));
        }
        return out;
    }

    private static UdpFrame toVip(Endpoint client, IpAddress vip, int port) {
        return UdpFrame.builder().source(client).destination(vip, port).payload("hello".getBytes()).build();
    }

    private static UdpFrame fromServerPort(IpAddress server, int port, Endpoint client) {
        return UdpFrame.builder().source(server, port).destination(client).payload("reply".getBytes()).build();
    }

    @Test
    void twoServicesOfBothFamiliesOnOneProgram() {
        Net v4 = Net.V4;
        Net v6 = Net.V6;
        try (Dataplane dp = create(LIMITS)) {
            dp.configure(DataplaneConfig.of(List.of(
                    service("four", v4.vip, PORT, weighted(v4.rs(0), v4.rs(1))),
                    service("six", v6.vip, PORT, weighted(v6.rs(0), v6.rs(1))))));
            toServer(dp, v4.toVip(v4.client(0)), v4.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, v6.toVip(v6.client(0)), v6.rs(0), Reason.INGRESS_NEW_NAT);
            toServer(dp, v6.toVip(v6.client(1)), v6.rs(1), Reason.INGRESS_NEW_NAT);
            toServer(dp, v4.toVip(v4.client(1)), v4.rs(1), Reason.INGRESS_NEW_NAT);
            toServer(dp, v4.toVip(v4.client(0)), v4.rs(0), Reason.INGRESS_REUSED_NAT);
            fromServer(dp, v6.fromServer(v6.rs(1), v6.client(1)), v6.vip, Reason.EGRESS_REUSED_NAT);
            fromServer(dp, v4.fromServer(v4.rs(1), v4.client(1)), v4.vip, Reason.EGRESS_REUSED_NAT);
            assertThat(bindings(dp)).containsExactlyInAnyOrder(
                    bound("four", v4.client(0), v4.rs(0)), bound("four", v4.client(1), v4.rs(1)),
                    bound("six", v6.client(0), v6.rs(0)), bound("six", v6.client(1), v6.rs(1)));
        }
    }

    @Test
    void aClientOfTwoServicesHasTwoAssociations() {
        for (Net n : Net.values()) {
            IpAddress vip2 = n == Net.V4 ? VIP2_V4 : VIP2_V6;
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(DataplaneConfig.of(List.of(
                        service("a", n.vip, PORT, weighted(n.rs(0), n.rs(1))),
                        service("b", n.vip, OTHER, weighted(n.rs(2))), // the same VIP, another port
                        service("c", vip2, PORT, weighted(n.rs(3))))));
                Endpoint c = n.client(0);
                toServer(dp, toVip(c, n.vip, PORT), n.rs(0), Reason.INGRESS_NEW_NAT);
                toServer(dp, toVip(c, n.vip, OTHER), n.rs(2), Reason.INGRESS_NEW_NAT);
                toServer(dp, toVip(c, vip2, PORT), n.rs(3), Reason.INGRESS_NEW_NAT);
                toServer(dp, toVip(c, n.vip, PORT), n.rs(0), Reason.INGRESS_REUSED_NAT);
                List<Association> all = dp.associations();
                assertThat(bindings(dp)).as("%s", n).containsExactly(bound("a", c, n.rs(0)), bound("b", c, n.rs(2)),
                        bound("c", c, n.rs(3)));
                assertThat(all).extracting(Association::slot).doesNotHaveDuplicates();
                // only the owner of each of the client's associations may answer it for its service
                fromServer(dp, fromServerPort(n.rs(2), OTHER, c), n.vip, Reason.EGRESS_REUSED_NAT);
                fromServer(dp, fromServerPort(n.rs(3), PORT, c), vip2, Reason.EGRESS_REUSED_NAT);
            }
        }
    }

    /**
     * Weights 3:1: nginx's smooth weighted round robin picks 0, 0, 1, 0 in each cycle (written
     * out here from its definition, not computed by the code under test): over 400 new clients,
     * exactly 300 and 100, in that order. A second service's new clients, interleaved, have a
     * cursor of their own.
     */
    @Test
    void weightsThreeToOneGiveExactlyThreeHundredToOneHundredInSmoothOrder() {
        int[] cycle = {0, 0, 1, 0};
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(DataplaneConfig.of(List.of(
                        Service.of("w", n.vip, Set.of(PORT), List.of(new RealServer(n.rs(0), 3),
                                new RealServer(n.rs(1), 1))),
                        service("u", n.vip, OTHER, weighted(n.rs(2), n.rs(3))))));
                int[] count = new int[2];
                for (int i = 0; i < 400; i++) {
                    Endpoint client = n.client(i % 200, 41000 + i / 200);
                    int pick = cycle[i % cycle.length];
                    toServer(dp, toVip(client, n.vip, PORT), n.rs(pick), Reason.INGRESS_NEW_NAT);
                    count[pick]++;
                    if (i % 3 == 0) {
                        toServer(dp, toVip(client, n.vip, OTHER), n.rs(2 + (i / 3) % 2), Reason.INGRESS_NEW_NAT);
                    }
                }
                assertThat(count).containsExactly(300, 100);
                long toFirst = dp.associations().stream().filter(a -> a.service().equals("w"))
                        .filter(a -> a.realServer().equals(n.rs(0))).count();
                assertThat(toFirst).isEqualTo(300);
            }
        }
    }

    @Test
    void aServerOfWeightZeroKeepsItsClientsAndTakesNoNewOne() {
        Net n = Net.V4;
        try (Dataplane dp = create(LIMITS)) {
            dp.configure(DataplaneConfig.of(List.of(service("s", n.vip, PORT, weighted(n.rs(0), n.rs(1))))));
            for (int i = 0; i < 4; i++) {
                toServer(dp, n.toVip(n.client(i)), n.rs(i % 2), Reason.INGRESS_NEW_NAT);
            }
            dp.configure(DataplaneConfig.of(List.of(Service.of("s", n.vip, Set.of(PORT),
                    List.of(RealServer.of(n.rs(0)), new RealServer(n.rs(1), 0))))));
            toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            toServer(dp, n.toVip(n.client(3)), n.rs(1), Reason.INGRESS_REUSED_NAT);
            fromServer(dp, n.fromServer(n.rs(1), n.client(3)), n.vip, Reason.EGRESS_REUSED_NAT);
            for (int i = 4; i < 10; i++) {
                toServer(dp, n.toVip(n.client(i)), n.rs(0), Reason.INGRESS_NEW_NAT);
            }
            // and it may still start a flow of its own: it is live, only out of the cycle
            fromServer(dp, n.fromServer(n.rs(1), n.client(20)), n.vip, Reason.EGRESS_NEW_NAT);
        }
    }

    @Test
    void aFlowAServerStartsLeavesFromItsServicesVip() {
        for (Net n : Net.values()) {
            IpAddress vip2 = n == Net.V4 ? VIP2_V4 : VIP2_V6;
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(DataplaneConfig.of(List.of(service("a", n.vip, PORT, weighted(n.rs(0))),
                        service("b", vip2, PORT, weighted(n.rs(1))))));
                Endpoint client = n.client(4);
                fromServer(dp, n.fromServer(n.rs(1), client), vip2, Reason.EGRESS_NEW_NAT);
                assertThat(bindings(dp)).containsExactly(bound("b", client, n.rs(1)));
                // the client's answer to that VIP reaches the server that started the flow
                toServer(dp, toVip(client, vip2, PORT), n.rs(1), Reason.INGRESS_REUSED_NAT);
                // and to the other service's VIP it is a new client of that service
                toServer(dp, toVip(client, n.vip, PORT), n.rs(0), Reason.INGRESS_NEW_NAT);
            }
        }
    }

    @Test
    void aRealServerInTwoServicesOnDifferentPortsAnswersForEach() {
        for (Net n : Net.values()) {
            IpAddress vip2 = n == Net.V4 ? VIP2_V4 : VIP2_V6;
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(DataplaneConfig.of(List.of(service("a", n.vip, PORT, weighted(n.rs(0), n.rs(1))),
                        service("b", vip2, OTHER, weighted(n.rs(0))))));
                Endpoint client = n.client(0);
                toServer(dp, toVip(client, n.vip, PORT), n.rs(0), Reason.INGRESS_NEW_NAT);
                toServer(dp, toVip(client, vip2, OTHER), n.rs(0), Reason.INGRESS_NEW_NAT);
                fromServer(dp, fromServerPort(n.rs(0), PORT, client), n.vip, Reason.EGRESS_REUSED_NAT);
                fromServer(dp, fromServerPort(n.rs(0), OTHER, client), vip2, Reason.EGRESS_REUSED_NAT);
                List<Association> all = dp.associations();
                assertThat(all).hasSize(2);
                assertThat(all.get(0).slot()).as("a slot per service").isNotEqualTo(all.get(1).slot());
                // removed from one service, it still answers for the other; its late replies in the first are dropped
                dp.configure(DataplaneConfig.of(List.of(service("a", n.vip, PORT, weighted(n.rs(1))),
                        service("b", vip2, OTHER, weighted(n.rs(0))))));
                fromServer(dp, fromServerPort(n.rs(0), OTHER, client), vip2, Reason.EGRESS_REUSED_NAT);
                io.sbulb.api.Expect.untouched(dp, fromServerPort(n.rs(0), PORT, client).toFrame(),
                        io.sbulb.api.Verdict.DROP, Reason.EGRESS_REMOVED_REAL_SERVER);
            }
        }
    }
}
