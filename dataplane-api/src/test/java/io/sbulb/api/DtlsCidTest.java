package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of a service's DTLS Connection ID routing and its servers' node ids, in the API (issue 20). */
class DtlsCidTest {

    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");

    private static RealServer rs(int last, long node) {
        return new RealServer(IpAddress.parse("198.18.1." + last), 1, node);
    }

    private static Service dtls(DtlsCid cid, RealServer... servers) {
        return Service.of("d", VIP, Set.of(5684), List.of(servers), cid);
    }

    @Test
    void theLayoutIsWithinRfc9146sLengthAndTheNodeIdWithinTheConnectionId() {
        assertThat(DtlsCid.ofLength(6)).isEqualTo(new DtlsCid(6, 0, 1));
        assertThat(new DtlsCid(255, 251, 4).maxNodeId()).isEqualTo(0xffffffffL);
        assertThat(new DtlsCid(1, 0, 1).maxNodeId()).isEqualTo(255);
        assertThatThrownBy(() -> new DtlsCid(0, 0, 1)).isInstanceOf(ConfigException.class)
                .hasMessage("dtls-cid length 0 is outside 1..255");
        assertThatThrownBy(() -> new DtlsCid(256, 0, 1)).hasMessage("dtls-cid length 256 is outside 1..255");
        assertThatThrownBy(() -> new DtlsCid(6, 0, 0)).hasMessage("dtls-cid node-id-size 0 is outside 1..4");
        assertThatThrownBy(() -> new DtlsCid(6, 0, 5)).hasMessage("dtls-cid node-id-size 5 is outside 1..4");
        assertThatThrownBy(() -> new DtlsCid(6, 5, 2)).hasMessage("dtls-cid node-id-offset 5 is outside 0..4 (a node "
                + "id of 2 bytes in a connection id of 6)");
        assertThatThrownBy(() -> new DtlsCid(2, -1, 1)).hasMessageStartingWith("dtls-cid node-id-offset -1 is outside");
    }

    @Test
    void everyServerOfACidServiceHasAUniqueNodeIdThatFits() {
        DtlsCid six = DtlsCid.ofLength(6);
        assertThat(dtls(six, rs(1, 0), rs(2, 255)).realServers()).extracting(RealServer::nodeId).containsExactly(0L, 255L);
        assertThatThrownBy(() -> dtls(six, rs(1, 1), rs(2, RealServer.NO_NODE_ID)))
                .hasMessageStartingWith("service d: real server 198.18.1.2 has no node-id");
        assertThatThrownBy(() -> dtls(six, rs(1, 256))).hasMessage("service d: real server 198.18.1.1 has node-id 256, "
                + "more than node-id-size 1 holds (at most 255)");
        assertThatThrownBy(() -> dtls(six, rs(1, 7), rs(2, 7))).hasMessage("service d: real server 198.18.1.2 has "
                + "node-id 7, already real server 198.18.1.1's: node ids are unique in a service");
        assertThatThrownBy(() -> dtls(new DtlsCid(6, 0, 2), rs(1, 0x0107), rs(2, 0x0207)))
                .hasMessageContaining("whose last byte is real server 198.18.1.1's node id's");
        assertThatThrownBy(() -> dtls(null, rs(1, 7))).hasMessageStartingWith("service d: real server 198.18.1.1 has "
                + "node-id 7 but the service has no dtls-cid");
        assertThatThrownBy(() -> new RealServer(VIP, 1, RealServer.MAX_NODE_ID + 1))
                .hasMessage("real server 198.18.0.1 has node-id 4294967296, must be between 0 and 4294967295");
    }

    @Test
    void changesKeepTheLayoutAndTheNodeIds() {
        Service s = dtls(DtlsCid.ofLength(6), rs(1, 1), rs(2, 2));
        assertThat(s.withRealServers(List.of(rs(2, 2))).dtlsCid()).contains(DtlsCid.ofLength(6));
        assertThat(rs(1, 1).withWeight(0)).isEqualTo(new RealServer(IpAddress.parse("198.18.1.1"), 0, 1));
        assertThat(rs(1, 1).toString()).isEqualTo("198.18.1.1@1");
        DataplaneConfig c = DataplaneConfig.of(List.of(s));
        Health keep = Health.allUp().with("d", new Health.Policy(Health.OnDown.KEEP, Health.AllDown.DROP))
                .with(new ServerRef("d", IpAddress.parse("198.18.1.2")), Health.State.DOWN);
        assertThat(keep.effective(c).services().get(0).realServers()).as("a down server kept at weight 0 keeps its node id")
                .containsExactly(rs(1, 1), new RealServer(IpAddress.parse("198.18.1.2"), 0, 2));
        assertThat(c.withPorts(List.of(5685)).services().get(0).dtlsCid()).contains(DtlsCid.ofLength(6));
        assertThat(s).isNotEqualTo(Service.of("d", VIP, Set.of(5684), List.of(rs(1, 1), rs(2, 2)), new DtlsCid(6, 1, 1)));
    }

    @Test
    void thePlacementNamesLiveSlotsByNodeIdOnly() {
        Limits limits = new Limits(4, 4, 64, 4);
        DataplaneConfig c = DataplaneConfig.of(List.of(dtls(DtlsCid.ofLength(6), rs(1, 1), rs(2, 2)),
                Service.unweighted("plain", IpAddress.parse("198.18.0.2"), Set.of(5684),
                        List.of(IpAddress.parse("198.18.1.3")))));
        Placement p = Placement.empty(limits).next(c);
        int d = p.services().get(0).id();
        int plain = p.services().get(1).id();
        assertThat(p.cidSlot(d, 1)).isEqualTo(p.slotsOf(d, Placement.SlotState.LIVE).get(0).id());
        assertThat(p.cidSlot(d, 2)).isEqualTo(p.slotsOf(d, Placement.SlotState.LIVE).get(1).id());
        assertThat(p.cidSlot(d, 3)).isEqualTo(-1);
        assertThat(p.cidSlot(plain, 1)).as("another service's node ids").isEqualTo(-1);
        Placement after = p.next(c.withServices(List.of(dtls(DtlsCid.ofLength(6), rs(1, 1)), c.services().get(1))));
        assertThat(after.cidSlot(d, 2)).as("a removed server's node id").isEqualTo(-1);
        assertThat(after.slotsOf(d, Placement.SlotState.RETIRED)).extracting(Placement.Slot::nodeId)
                .containsExactly(RealServer.NO_NODE_ID);
        assertThat(Placement.restore(limits, after.heads(), after.slots(), after.nextEpoch(), after.nextRetiredSeq())
                .config()).as("restored with its layout and node ids").isEqualTo(after.config());
    }
}
