package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Placement.EndpointKind;
import io.sbulb.api.Placement.Slot;
import io.sbulb.api.Placement.SlotState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static final Limits LIMITS = new Limits(4, 3, 100, 3);
    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");
    private static final IpAddress VIP6 = IpAddress.parse("fd00::1");

    private static IpAddress rs(int i) {
        return IpAddress.parse("198.18.1." + i);
    }

    private static DataplaneConfig one(int... servers) {
        List<IpAddress> list = new ArrayList<>();
        for (int s : servers) {
            list.add(rs(s));
        }
        return DataplaneConfig.of(VIP, Set.of(5683), list);
    }

    private static Slot slotOf(Placement p, int serviceId, IpAddress a) {
        for (Slot s : p.slots()) {
            if (s.serviceId() == serviceId && s.address().equals(a)) {
                return s;
            }
        }
        return null;
    }

    @Test
    void aServerKeepsItsSlotWhereverItMovesAndWhateverItsWeight() {
        Placement p1 = Placement.empty(LIMITS).next(one(1, 2, 3));
        Slot s2 = slotOf(p1, 0, rs(2));
        DataplaneConfig moved = DataplaneConfig.of(List.of(Service.of(Service.DEFAULT_NAME, VIP, Set.of(5683),
                List.of(RealServer.of("198.18.1.2", 7), RealServer.of("198.18.1.1", 1)))));
        Placement p2 = p1.next(moved);
        Slot after = slotOf(p2, 0, rs(2));
        assertThat(after.id()).isEqualTo(s2.id());
        assertThat(after.epoch()).isEqualTo(s2.epoch());
        assertThat(after.position()).isZero();
        assertThat(after.weight()).isEqualTo(7);
        assertThat(p2.valid(s2.id(), s2.epoch())).isTrue();
        // rs3 left: retired, its slot kept, not valid for traffic, still reported
        Slot s3 = slotOf(p2, 0, rs(3));
        assertThat(s3.state()).isEqualTo(SlotState.RETIRED);
        assertThat(p2.valid(s3.id(), s3.epoch())).isFalse();
        assertThat(p2.serverOf(s3.id(), s3.epoch())).isEqualTo(rs(3));
        assertThat(p2.serverEndpoint(new Endpoint(rs(3), 5683)).kind()).isEqualTo(EndpointKind.RETIRED);
        assertThat(p2.addressFlags(rs(3))).isZero();
        assertThat(p2.addressFlags(rs(2))).isEqualTo(Placement.ADDRESS_SERVER);
        assertThat(p2.addressFlags(VIP)).isEqualTo(Placement.ADDRESS_VIP);
        // back: the same slot and epoch, valid again
        Placement p3 = p2.next(one(1, 2, 3));
        assertThat(slotOf(p3, 0, rs(3))).isEqualTo(new Slot(s3.id(), 0, rs(3), s3.epoch(), SlotState.LIVE, 0, 1, 2));
        // the cycle of weights 7:1 over slots
        assertThat(p2.service(0).schedule()).hasSize(8);
    }

    @Test
    void hostAddressesAreFlaggedAndComeBackFromTheTables() {
        IpAddress host = IpAddress.parse("198.18.0.254");
        Placement p = Placement.empty(LIMITS).next(one(1, 2).withHostAddresses(Set.of(host)));
        assertThat(p.addressFlags(host)).isEqualTo(Placement.ADDRESS_HOST);
        assertThat(p.addressFlags(rs(1))).isEqualTo(Placement.ADDRESS_SERVER);
        Placement back = Placement.restore(LIMITS, p.heads(), p.slots(), p.nextEpoch(), p.nextRetiredSeq(), Set.of(host));
        assertThat(back.config()).isEqualTo(p.config());
        assertThat(p.next(one(1, 2)).addressFlags(host)).isZero();
    }

    @Test
    void retiredServersAreCappedPerServiceAndFreedSlotsWaitOneChangeBeforeReuse() {
        Placement p = Placement.empty(LIMITS).next(one(1, 2, 3));
        p = p.next(one(4, 5, 6)); // 1, 2, 3 retired
        p = p.next(one(7)); // 4, 5, 6 retired; 1, 2, 3 forgotten (cap 3)
        assertThat(p.slotsOf(0, SlotState.RETIRED)).extracting(Slot::address).containsExactly(rs(4), rs(5), rs(6));
        Set<Integer> freedNow = new HashSet<>(List.of(0, 1, 2)); // the slots of 1, 2, 3
        Placement q = p.next(one(7, 8));
        // 8 takes a slot free before this change: one of 1, 2, 3's, freed by the change before
        assertThat(freedNow).contains(slotOf(q, 0, rs(8)).id());
        assertThat(slotOf(q, 0, rs(8)).epoch()).isGreaterThan(7);
        // a slot freed by one change (the service removed) is given out by the next, with a new epoch
        Placement r = Placement.empty(LIMITS).next(one(1));
        Placement r2 = r.next(DataplaneConfig.empty()).next(one(2));
        assertThat(slotOf(r2, 0, rs(2)).id()).isEqualTo(slotOf(r, 0, rs(1)).id());
        assertThat(slotOf(r2, 0, rs(2)).epoch()).isGreaterThan(slotOf(r, 0, rs(1)).epoch());
        assertThat(r2.valid(slotOf(r, 0, rs(1)).id(), slotOf(r, 0, rs(1)).epoch())).as("the old epoch").isFalse();
    }

    @Test
    void aServiceKeepsItsIdByNameAndANewOneTakesAFreeId() {
        Service a = Service.unweighted("a", VIP, Set.of(1), List.of(rs(1)));
        Service b = Service.unweighted("b", VIP6, Set.of(1), List.of(IpAddress.parse("fd00:2::1")));
        Service c = Service.unweighted("c", IpAddress.parse("198.18.0.3"), Set.of(1), List.of(rs(3)));
        Placement p = Placement.empty(LIMITS).next(DataplaneConfig.of(List.of(a, b)));
        assertThat(p.services()).extracting(Placement.PlacedService::id).containsExactly(0, 1);
        Placement q = p.next(DataplaneConfig.of(List.of(c, b)));
        assertThat(q.services()).extracting(x -> x.service().name() + "=" + x.id()).containsExactly("c=2", "b=1");
        assertThat(q.serviceName(0)).isEqualTo("#0");
        assertThat(q.vipService(new Endpoint(VIP6, 1))).isEqualTo(1);
        assertThat(q.vipService(new Endpoint(VIP, 1))).isEqualTo(-1);
        // a's server was forgotten with it
        assertThat(q.slots()).extracting(Slot::address).doesNotContain(rs(1));
    }

    /** Any sequence of configurations: never runs out of slots, and restores to itself. */
    @Property(tries = 300)
    void sequencesFitAndRestore(@ForAll @Size(min = 1, max = 12) List<@Size(max = 3) List<@IntRange(min = 1, max = 9) Integer>> steps,
                                @ForAll @Size(min = 12, max = 12) List<@IntRange(min = 0, max = 3) Integer> weights) {
        Placement p = Placement.empty(LIMITS);
        int k = 0;
        for (List<Integer> step : steps) {
            List<RealServer> list = new ArrayList<>();
            for (int s : new java.util.LinkedHashSet<>(step)) {
                list.add(new RealServer(rs(s), weights.get(k++ % weights.size())));
            }
            List<Service> services = new ArrayList<>();
            services.add(Service.of(k % 2 == 0 ? "x" : "y", VIP, Set.of(1), list));
            services.add(Service.unweighted("z", VIP6, Set.of(2), List.of(IpAddress.parse("fd00:2::" + (k % 3 + 1)))));
            p = p.next(DataplaneConfig.of(services));
            Set<String> live = new HashSet<>();
            for (Slot s : p.slots()) {
                if (s.state() == SlotState.LIVE) {
                    assertThat(live.add(s.serviceId() + "/" + s.address())).isTrue();
                    assertThat(p.valid(s.id(), s.epoch())).isTrue();
                }
            }
            Placement back = Placement.restore(LIMITS, p.heads(), p.slots(), p.nextEpoch(), p.nextRetiredSeq());
            assertThat(back.config()).isEqualTo(p.config());
            assertThat(back.slots()).isEqualTo(p.slots());
            assertThat(back.serverEndpoints()).isEqualTo(p.serverEndpoints());
            assertThat(back.vipEndpoints()).isEqualTo(p.vipEndpoints());
            for (Placement.PlacedService s : p.services()) {
                assertThat(back.service(s.id()).schedule()).containsExactly(s.schedule());
            }
        }
    }

    /** What pinned maps or a snapshot hold may be damaged: restore refuses it with the reason. */
    @Test
    void restoreRefusesInconsistentState() {
        Placement p = Placement.empty(LIMITS).next(one(1, 2)).next(one(2));
        List<Placement.ServiceHead> heads = p.heads();
        List<Slot> slots = p.slots();
        Slot live = slotOf(p, 0, rs(2));
        Slot retired = slotOf(p, 0, rs(1));
        assertThat(Placement.restore(LIMITS, heads, slots, p.nextEpoch(), p.nextRetiredSeq()).config()).isEqualTo(p.config());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Placement.restore(LIMITS, heads, slots, live.epoch(),
                p.nextRetiredSeq())).isInstanceOf(ConfigException.class).hasMessageContaining("not below the next epoch");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Placement.restore(LIMITS, heads,
                List.of(live, new Slot(live.id(), 0, rs(3), 99, SlotState.LIVE, 0, 1, 1)), 100, 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("given twice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Placement.restore(LIMITS, heads,
                List.of(new Slot(live.id(), 0, rs(2), live.epoch(), SlotState.LIVE, 0, 1, 3)), 100, 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("positions are not 0..0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Placement.restore(LIMITS, heads,
                List.of(live, new Slot(retired.id(), 5, rs(1), retired.epoch(), SlotState.RETIRED, 1, 0, -1)), 100, 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("names service id 5, which has no service");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Placement.restore(LIMITS, heads,
                List.of(live, new Slot(9999, 0, rs(1), 50, SlotState.LIVE, 0, 1, 1)), 100, 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("slot 9999 is outside");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Placement.restore(LIMITS, heads,
                List.of(live, new Slot(7, 0, IpAddress.parse("fd00:1::1"), 50, SlotState.LIVE, 0, 1, 1)), 100, 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not of the family");
    }
}
