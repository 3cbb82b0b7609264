package io.sbulb.api;

import static io.sbulb.api.Expect.bindings;
import static io.sbulb.api.Expect.bound;
import static io.sbulb.api.Expect.toServer;
import static io.sbulb.api.Expect.untouched;
import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.frame.IcmpErrorFrame;
import io.sbulb.api.frame.UdpFrame;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The part of the {@link DataplaneContractTest} about ICMP errors and IP fragments (issue 20,
 * docs/design.md §1 step 3): an error about a datagram the VIP sent to a client reaches that
 * client's real server, every checksum right (the expected frame is built from scratch by
 * {@link IcmpErrorFrame}, itself checked against Scapy); one quoting no valid association is
 * dropped; fragments to a VIP or from a real server are dropped. Subclassed through
 * DataplaneContractTest.
 */
public abstract class IcmpErrorContract extends DataplaneRefusalContract {

    /** A router on the path to the clients. */
    static IpAddress router(Net n) {
        return n.stranger();
    }

    /** The error {@code type}/{@code code} from the router about the VIP's datagram to {@code client}. */
    static IcmpErrorFrame.Builder error(Net n, int type, int code, Endpoint client) {
        UdpFrame reply = UdpFrame.builder().source(n.vip, Net.PORT).destination(client)
                .payload("a reply of some length, quoted as far as the router likes".getBytes()).build();
        return IcmpErrorFrame.builder().from(router(n)).type(type).code(code).ttl(60).quoted(reply);
    }

    /** The path MTU errors: IPv4 fragmentation needed (3/4), ICMPv6 packet too big (2/0). */
    static IcmpErrorFrame.Builder tooBig(Net n, Endpoint client) {
        return n == Net.V4 ? error(n, 3, 4, client).rest(1400) : error(n, 2, 0, client).rest(1280);
    }

    /** Sends {@code in}, expects it forwarded to {@code server} (ICMP_ERROR_TO_REAL_SERVER), bytes from the oracle. */
    static void errorToServer(Dataplane dp, IcmpErrorFrame in, IpAddress server) {
        Result r = dp.process(in.toFrame());
        assertThat(r.reason()).as("reason for %s", in).isEqualTo(Reason.ICMP_ERROR_TO_REAL_SERVER);
        assertThat(r.verdict()).isEqualTo(Verdict.TX);
        IcmpErrorFrame expected = in.forwarded(new Endpoint(server, in.quoted().source().port()));
        assertThat(r.output().toHex()).as("output bytes for %s: expected %s", in, expected)
                .isEqualTo(expected.toFrame().toHex());
    }

    /** Two real servers, client 0 bound to the first, client 1 to the second. */
    private Dataplane twoClients(Net n) {
        Dataplane dp = balancer(n, ROOMY, 2);
        toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
        toServer(dp, n.toVip(n.client(1)), n.rs(1), Reason.INGRESS_NEW_NAT);
        return dp;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void anIcmpErrorAboutAClientReachesItsRealServerAndChangesNoAssociation(Net n) {
        try (Dataplane dp = twoClients(n)) {
            List<Expect.Binding> before = bindings(dp);
            int unreachable = n == Net.V4 ? 3 : 1;
            int portUnreachable = n == Net.V4 ? 3 : 4;
            int timeExceeded = n == Net.V4 ? 11 : 3;
            errorToServer(dp, tooBig(n, n.client(1)).build(), n.rs(1));
            errorToServer(dp, tooBig(n, n.client(0)).build(), n.rs(0));
            errorToServer(dp, error(n, unreachable, portUnreachable, n.client(1)).build(), n.rs(1));
            errorToServer(dp, error(n, timeExceeded, 0, n.client(0)).build(), n.rs(0));
            // cut after the quoted UDP header (RFC 792's minimum), or within the payload
            errorToServer(dp, tooBig(n, n.client(1)).quoteBytes(n == Net.V4 ? 28 : 48).build(), n.rs(1));
            errorToServer(dp, error(n, unreachable, 1, n.client(1)).quoteBytes(n == Net.V4 ? 33 : 53).build(), n.rs(1));
            errorToServer(dp, tooBig(n, n.client(1)).ttl(2).build(), n.rs(1));
            assertThat(bindings(dp)).as("no association made or moved").isEqualTo(before);
            IpAddress rs0 = n.rs(0);
            IpAddress rs1 = n.rs(1);
            assertThat(dp.serverFrames()).as("counted with the owner's frames")
                    .isEqualTo(Map.of(new ServerRef(Service.DEFAULT_NAME, rs0), 3L, new ServerRef(Service.DEFAULT_NAME, rs1), 6L));
        }
    }

    /** The quoted IPv4 header's options are skipped by its IHL; a zero IPv4 UDP checksum in the quote stays zero. */
    @org.junit.jupiter.api.Test
    void aQuotedIpv4HeaderWithOptionsOrAZeroUdpChecksumIsHandled() {
        Net n = Net.V4;
        try (Dataplane dp = balancer(n, ROOMY, 2)) {
            toServer(dp, n.toVip(n.client(0)), n.rs(0), Reason.INGRESS_NEW_NAT);
            IcmpErrorFrame.Builder e = tooBig(n, n.client(0));
            UdpFrame q = e.build().quoted();
            errorToServer(dp, e.quoted(q.toBuilder().ipv4Options(new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}).build())
                    .quoteBytes(36).build(), n.rs(0));
            errorToServer(dp, e.quoted(q.toBuilder().checksum(UdpFrame.ChecksumMode.ZERO).build()).quoteBytes(-1).build(), n.rs(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void anIcmpErrorQuotingNoValidAssociationIsDroppedAndBindsNobody(Net n) {
        try (Dataplane dp = twoClients(n)) {
            Reason none = Reason.ICMP_ERROR_NO_ASSOCIATION;
            untouched(dp, tooBig(n, n.client(2)).build().toFrame(), Verdict.DROP, none);
            untouched(dp, tooBig(n, n.client(0, 40001)).build().toFrame(), Verdict.DROP, none);
            IcmpErrorFrame.Builder e = tooBig(n, n.client(0));
            UdpFrame q = e.build().quoted();
            untouched(dp, e.quoted(q.toBuilder().source(n.vip, Net.OTHER_PORT).build()).build().toFrame(), Verdict.DROP,
                    none); // not a balanced port
            untouched(dp, tooBig(n, n.client(0)).quoted(q.toBuilder().source(n.rs(0), Net.PORT).build()).to(n.vip).build()
                    .toFrame(), Verdict.DROP, none); // to the VIP, but not about a datagram the VIP sent
            untouched(dp, tooBig(n, n.client(0)).quoteBytes(n == Net.V4 ? 27 : 47).build().toFrame(), Verdict.DROP,
                    none); // cut inside the quoted UDP header
            untouched(dp, tooBig(n, n.client(0)).ttl(1).build().toFrame(), Verdict.DROP, Reason.LIFETIME_WOULD_EXPIRE);
            untouched(dp, tooBig(n, n.client(0)).ttl(0).build().toFrame(), Verdict.DROP, Reason.LIFETIME_EXPIRED);
            // the client's server is removed: its association is no longer valid, and is not re-pointed
            dp.configure(n.config(2).withRealServers(List.of(n.rs(1))));
            untouched(dp, tooBig(n, n.client(0)).build().toFrame(), Verdict.DROP, none);
            errorToServer(dp, tooBig(n, n.client(1)).build(), n.rs(1));
            assertThat(dp.associations()).hasSize(2);
            assertThat(bindings(dp)).contains(bound(n.client(1), n.rs(1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void fragmentsToAVipOrFromARealServerAreDroppedButTheHostGetsItsOwn(Net n) {
        IpAddress host = n.stranger();
        try (Dataplane dp = create(ROOMY)) {
            dp.configure(n.config(2).withHostAddresses(Set.of(host)));
            untouched(dp, Frame.of(FrameCases.fragment(n.toVip(n.client(0)))), Verdict.DROP, Reason.FRAGMENT_TO_VIP);
            untouched(dp, Frame.of(FrameCases.fragment(n.fromServer(n.rs(1), n.client(0)))), Verdict.DROP,
                    Reason.FRAGMENT_FROM_REAL_SERVER);
            untouched(dp, Frame.of(FrameCases.fragment(n.fromServer(n.rs(1), new Endpoint(host, 33000)))), Verdict.PASS,
                    Reason.FRAGMENTED_IP_PACKET);
            untouched(dp, Frame.of(FrameCases.fragment(n.toVip(n.client(0)).toBuilder().destination(host, 9).build())),
                    Verdict.PASS, Reason.FRAGMENTED_IP_PACKET);
            assertThat(dp.associations()).isEmpty();
        }
    }
}
