package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import io.sbulb.api.DataplaneEvent;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Event lines: both endpoints, the direction, and the decision, for every reason. */
class EventLogTest {

    private static final byte[] MAC_A = {2, 0, 0, 0, 0, 1};
    private static final byte[] MAC_B = {2, 0, 0, 0, 0, 2};
    private static final Endpoint CLIENT = Endpoint.of("203.0.113.7", 40000);
    private static final Endpoint VIP = Endpoint.of("198.18.0.10", 5683);
    private static final Endpoint RS = Endpoint.of("198.18.2.11", 5683);

    private static DataplaneEvent event(Reason r, Endpoint src, Endpoint dst, String nat) {
        return new DataplaneEvent(r, src == null ? 0 : src.address().family(), src, dst,
                nat == null ? null : IpAddress.parse(nat), MAC_A, MAC_B);
    }

    @Test
    void ingressShowsTheClientTheVipAndTheRealServerChosen() {
        assertThat(EventLog.format(event(Reason.INGRESS_NEW_NAT, CLIENT, VIP, "198.18.2.11")))
                .isEqualTo("203.0.113.7:40000 ──> 198.18.0.10:5683 new association → 198.18.2.11");
        assertThat(EventLog.format(event(Reason.INGRESS_REUSED_NAT, CLIENT, VIP, "198.18.2.11")))
                .isEqualTo("203.0.113.7:40000 ──> 198.18.0.10:5683 → 198.18.2.11");
        assertThat(EventLog.format(event(Reason.INGRESS_NO_REAL_SERVER, CLIENT, VIP, null)))
                .isEqualTo("203.0.113.7:40000 ──> 198.18.0.10:5683 dropped: " + Reason.INGRESS_NO_REAL_SERVER.description());
    }

    @Test
    void egressShowsTheClientFirstThenTheRealServerAndTheVipItSpeaksFrom() {
        assertThat(EventLog.format(event(Reason.EGRESS_NEW_NAT, RS, CLIENT, "198.18.0.10"))).isEqualTo(
                "203.0.113.7:40000 <── 198.18.2.11:5683 new association started by the real server, sent from 198.18.0.10");
        assertThat(EventLog.format(event(Reason.EGRESS_NOT_AUTHORIZED, RS, CLIENT, null)))
                .isEqualTo("203.0.113.7:40000 <── 198.18.2.11:5683 dropped: " + Reason.EGRESS_NOT_AUTHORIZED.description());
    }

    @Test
    void framesWithoutIpShowTheirMacsAndIpv6AddressesTheirBrackets() {
        assertThat(EventLog.format(event(Reason.INVALID_ETH_SIZE, null, null, null)))
                .isEqualTo("02:00:00:00:00:01 <─> 02:00:00:00:00:02 dropped: " + Reason.INVALID_ETH_SIZE.description());
        assertThat(EventLog.format(event(Reason.INGRESS_NEW_NAT, Endpoint.of("fd00::7", 40000),
                Endpoint.of("fd00::10", 5683), "fd00::2:11")))
                .isEqualTo("[fd00::7]:40000 ──> [fd00::10]:5683 new association → fd00::2:11");
        // no UDP header: the addresses alone
        assertThat(EventLog.format(event(Reason.NOT_UDP, new Endpoint(IpAddress.parse("198.18.1.2"), 0),
                new Endpoint(IpAddress.parse("198.18.0.10"), 0), null)))
                .isEqualTo("198.18.1.2 <─> 198.18.0.10 passed: " + Reason.NOT_UDP.description());
    }

    @Test
    void everyReasonGivesOneLineWithBothEndpointsAndItsVerdictOrNat() {
        Set<Reason> nat = EnumSet.of(Reason.INGRESS_NEW_NAT, Reason.INGRESS_REUSED_NAT, Reason.EGRESS_NEW_NAT,
                Reason.EGRESS_REUSED_NAT, Reason.ICMP_ERROR_TO_REAL_SERVER, Reason.INGRESS_CID_ROUTED,
                Reason.INGRESS_CID_UNKNOWN_NODE);
        for (Reason r : Reason.values()) {
            String line = EventLog.format(event(r, CLIENT, VIP, nat.contains(r) ? "198.18.2.11" : null));
            assertThat(line).as("%s", r).doesNotContain("\n").contains("203.0.113.7:40000", "198.18.0.10:5683");
            if (nat.contains(r)) {
                assertThat(line).as("%s", r).contains("198.18.2.11");
            } else {
                assertThat(line).as("%s", r).contains(r.description()).containsAnyOf("dropped: ", "passed: ", "sent: ");
            }
        }
    }
}
