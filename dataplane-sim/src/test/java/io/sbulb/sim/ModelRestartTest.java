package io.sbulb.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Net;
import io.sbulb.api.Placement.Slot;
import io.sbulb.api.Placement.SlotState;
import io.sbulb.api.RealServer;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Service;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.sim.RestartTraffic.Action;
import io.sbulb.sim.RestartTraffic.Configure;
import io.sbulb.sim.RestartTraffic.Send;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model restarted over its saved state ({@link ReferenceDataplane#restart()}: save to bytes,
 * close, restore) goes on exactly as the same model not restarted: same results, output bytes,
 * events, association tables, counters, and the same whole state, LRU internals included.
 */
class ModelRestartTest {

    private static final long ALL_EVENTS = Reason.eventMask(EnumSet.allOf(Reason.class));
    private static final LruParameters LRU = new LruParameters(2, BatchRule.SINCE_6_16);

    @Provide
    Arbitrary<RestartTraffic.Run> runs() {
        return RestartTraffic.runs();
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void aRestartedModelGoesOnExactlyAsOneNotRestarted(@ForAll("runs") RestartTraffic.Run run) {
        ReferenceDataplane kept = new ReferenceDataplane(run.limits(), run.lru(), ALL_EVENTS);
        ReferenceDataplane restarted = new ReferenceDataplane(run.limits(), run.lru(), ALL_EVENTS);
        kept.configure(run.initial());
        restarted.configure(run.initial());
        List<Action> actions = run.actions();
        for (int i = 0; i < actions.size(); i++) {
            String at = "action " + (i + 1) + " " + actions.get(i);
            Action action = actions.get(i);
            if (action instanceof Send s) {
                Result a = kept.process(s.frame());
                Result b = restarted.process(s.frame());
                assertThat(b).as(at).isEqualTo(a);
                assertThat(restarted.drainEvents()).as(at).isEqualTo(kept.drainEvents());
            } else if (action instanceof Configure c) {
                kept.configure(c.config());
                restarted.configure(c.config());
            } else {
                restarted = restarted.restart();
                assertThat(restarted.save()).as(at).isEqualTo(kept.save());
            }
            assertThat(restarted.associations()).as(at).isEqualTo(kept.associations());
        }
        assertThat(restarted.counters()).isEqualTo(kept.counters());
        assertThat(restarted.save().cursors()).isEqualTo(kept.save().cursors());
        assertThat(restarted.save()).isEqualTo(kept.save());
    }

    /**
     * A model of 16 associations (batch 4, 2 CPUs): 17 clients over 3 servers (the 17th evicts clients
     * 0..3, and the cursor stops at 2), clients 5, 9 and 16 back, client 30 claimed by server 1,
     * which is then removed: 14 associations, server 1 retired, its late reply to client 31 dropped.
     */
    private static ReferenceDataplane busy(Net n) {
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 4, 16), LRU, ALL_EVENTS);
        dp.configure(n.config(3));
        for (int c = 0; c < 17; c++) {
            dp.process(n.toVip(n.client(c)).toFrame());
        }
        for (int c : new int[] {5, 9, 16}) {
            dp.process(n.toVip(n.client(c)).toFrame());
        }
        dp.process(n.fromServer(n.rs(1), n.client(30)).toFrame());
        dp.configure(n.config(3).withRealServers(List.of(n.rs(0), n.rs(2))));
        dp.process(n.fromServer(n.rs(1), n.client(31)).toFrame());
        return dp;
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aRestartKeepsTheTableTheCursorTheCountersTheConfigurationAndTheRetiredServers(Net n) {
        ReferenceDataplane before = busy(n);
        ModelSnapshot saved = before.save();
        ReferenceDataplane after = before.restart();
        assertThat(after.associations()).isEqualTo(saved.associations()).isEqualTo(before.associations()).hasSize(14);
        assertThat(after.cursor(0)).isEqualTo(saved.cursors().get(0)).isEqualTo(2);
        assertThat(after.counters()).isEqualTo(saved.counters()).containsEntry(Reason.EGRESS_REMOVED_REAL_SERVER,
                new Counter(1, n.fromServer(n.rs(1), n.client(31)).toFrame().length()));
        assertThat(after.configuration()).isEqualTo(saved.configuration());
        assertThat(after.placement().slotsOf(0, SlotState.RETIRED)).extracting(Slot::address).containsExactly(n.rs(1));
        assertThat(after.limits()).isEqualTo(before.limits());
        assertThat(after.save().lruParameters()).isEqualTo(LRU);
        assertThat(after.save().eventMask()).isEqualTo(ALL_EVENTS);
        assertThat(after.process(n.fromServer(n.rs(1), n.client(0)).toFrame()).reason())
                .as("the removed server's late reply, after the restart").isEqualTo(Reason.EGRESS_REMOVED_REAL_SERVER);
    }

    private static final IpAddress VIP2 = IpAddress.parse("198.18.0.2");

    private static DataplaneConfig services(boolean full) {
        Service a = Service.of("a", Net.V4.vip, Set.of(Net.PORT), full
                ? List.of(new RealServer(Net.V4.rs(0), 3), new RealServer(Net.V4.rs(1), 1))
                : List.of(new RealServer(Net.V4.rs(0), 3)));
        Service b = Service.unweighted("b", Net.V6.vip, Set.of(Net.PORT), Net.V6.servers(0, 2));
        Service c = Service.unweighted("c", VIP2, Set.of(Net.OTHER_PORT), List.of(Net.V4.rs(2)));
        return DataplaneConfig.of(full ? List.of(a, b, c) : List.of(b, a));
    }

    /**
     * Three services (IPv4 weighted 3:1, IPv6, IPv4 on another port); then a's second server
     * retired and c removed: cursors of two ids, live, retired and stale entries in both tables.
     */
    private static ReferenceDataplane busyServices() {
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 4, 16, 4), LRU, ALL_EVENTS);
        dp.configure(services(true));
        for (int c = 0; c < 10; c++) {
            dp.process(Net.V4.toVip(Net.V4.client(c)).toFrame());
        }
        for (int c = 0; c < 3; c++) {
            dp.process(Net.V6.toVip(Net.V6.client(c)).toFrame());
        }
        dp.process(UdpFrame.builder().source(Net.V4.rs(2), Net.OTHER_PORT).destination(Net.V4.client(20)).build().toFrame());
        dp.configure(services(false));
        return dp;
    }

    @Test
    void aRestartWithServicesKeepsSlotsCursorsBothTablesAndGoesOnAsBefore() {
        ReferenceDataplane kept = busyServices();
        ReferenceDataplane restarted = busyServices().restart();
        assertThat(restarted.save()).isEqualTo(kept.save());
        assertThat(restarted.associations()).isEqualTo(kept.associations()).hasSize(14)
                .anySatisfy(a -> assertThat(a.service()).isEqualTo("#2"))
                .anySatisfy(a -> assertThat(a.realServer()).isEqualTo(Net.V4.rs(1)));
        assertThat(restarted.save().cursors()).isEqualTo(Map.of(0, 2L, 1, 1L)); // a: 10 picks of a cycle of 4; b: 3 of 2
        assertThat(restarted.placement().slots()).isEqualTo(kept.placement().slots());
        assertThat(restarted.configuration()).isEqualTo(services(false));
        List<Frame> after = new ArrayList<>();
        after.add(Net.V4.fromServer(Net.V4.rs(1), Net.V4.client(2)).toFrame()); // a late reply: dropped
        for (int c = 0; c < 12; c++) {
            after.add(Net.V4.toVip(Net.V4.client(c)).toFrame());
            after.add(Net.V6.toVip(Net.V6.client(c)).toFrame());
        }
        for (Frame f : after) {
            assertThat(restarted.process(f)).isEqualTo(kept.process(f));
        }
        kept.configure(services(true));
        restarted.configure(services(true));
        // the retired server comes back: its slot survived the restart, and so its clients
        Result revived = restarted.process(Net.V4.toVip(Net.V4.client(2)).toFrame());
        assertThat(revived).isEqualTo(kept.process(Net.V4.toVip(Net.V4.client(2)).toFrame()));
        assertThat(revived.reason()).isEqualTo(Reason.INGRESS_REUSED_NAT);
        assertThat(restarted.save()).isEqualTo(kept.save());
    }

    @Test
    void restartClosesTheOldInstanceWhoseStateCanStillBeRead() {
        ReferenceDataplane old = busy(Net.V4);
        Map<Reason, Counter> counters = old.counters();
        ReferenceDataplane fresh = old.restart();
        assertThat(fresh).isNotSameAs(old);
        Frame hello = Net.V4.toVip(Net.V4.client(5)).toFrame();
        assertThatThrownBy(() -> old.process(hello)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> old.configure(Net.V4.config(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(old::restart).isInstanceOf(IllegalStateException.class);
        assertThat(old.counters()).isEqualTo(counters);
        assertThat(fresh.process(hello).reason()).isEqualTo(Reason.INGRESS_REUSED_NAT);
    }

    @Test
    void aRestartKeepsTheHostAddressesAndTheirFramesStayUntranslated() {
        ReferenceDataplane dp = busy(Net.V4);
        DataplaneConfig withHosts = dp.configuration().withHostAddresses(Set.of(Net.V4.stranger(), Net.V6.stranger()));
        dp.configure(withHosts);
        ReferenceDataplane after = ReferenceDataplane.restore(ModelSnapshot.fromBytes(dp.save().toBytes()));
        try (after) {
            assertThat(after.configuration()).isEqualTo(withHosts);
            Frame reply = Net.V4.fromServer(Net.V4.rs(0), new io.sbulb.api.Endpoint(Net.V4.stranger(), 33000)).toFrame();
            assertThat(after.process(reply).reason()).isEqualTo(Reason.TO_BALANCER_HOST);
        } finally {
            dp.close();
        }
    }

    @Test
    void eventsNotDrainedAreLostOnARestart() {
        ReferenceDataplane dp = busy(Net.V6);
        assertThat(dp.save().eventMask()).isEqualTo(ALL_EVENTS);
        Dataplane after = dp.restart();
        assertThat(after.drainEvents()).isEmpty();
        after.process(Net.V6.toVip(Net.V6.client(40)).toFrame());
        assertThat(after.drainEvents()).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.INGRESS_NEW_NAT));
    }

    /** Moving server 2 to position 0 makes its clients' next frames rewrite their remembered position in place. */
    private static void moveServerTwoFirst(ReferenceDataplane dp, Net n) {
        dp.configure(DataplaneConfig.of(n.vip, java.util.Set.of(Net.PORT), List.of(n.rs(2), n.rs(0))));
        for (int c = 0; c < 17; c++) {
            dp.process(n.toVip(n.client(c)).toFrame());
        }
    }

    @Test
    void modelsRestoredFromOneSnapshotShareNothingWithItOrEachOther() {
        Net n = Net.V4;
        ModelSnapshot s = busy(n).save();
        byte[] saved = s.toBytes();
        ReferenceDataplane a = ReferenceDataplane.restore(s);
        ReferenceDataplane b = ReferenceDataplane.restore(s);
        assertThat(a.save()).isEqualTo(s).isEqualTo(b.save());
        moveServerTwoFirst(a, n);
        assertThat(a.save().toBytes()).isNotEqualTo(saved);
        assertThat(b.save().toBytes()).as("the other model is untouched").isEqualTo(saved);
        assertThat(s.toBytes()).as("the snapshot is untouched").isEqualTo(saved);
    }

    @Test
    void aSnapshotDoesNotChangeWithTheModelItWasTakenFrom() {
        Net n = Net.V6;
        ReferenceDataplane dp = busy(n);
        ModelSnapshot s = dp.save();
        byte[] saved = s.toBytes();
        moveServerTwoFirst(dp, n);
        assertThat(s.toBytes()).isEqualTo(saved);
    }

    @Test
    void aSnapshotIsTheSameBytesEachTimeAndReadsBackFromAStreamThatGoesOn() throws Exception {
        ModelSnapshot s = busy(Net.V6).save();
        byte[] bytes = s.toBytes();
        assertThat(s.toBytes()).isEqualTo(bytes);
        assertThat(ReferenceDataplane.restore(ModelSnapshot.fromBytes(bytes)).save().toBytes()).isEqualTo(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.writeTo(out);
        out.write(new byte[] {1, 2, 3});
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(ModelSnapshot.readFrom(in)).isEqualTo(s);
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
    }

    @Test
    void anEmptyModelRestartsEmpty() {
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(16, 32, 1 << 20), LRU);
        ModelSnapshot s = dp.restart().save();
        assertThat(s.configuration()).isEqualTo(DataplaneConfig.empty());
        assertThat(s.associations()).isEmpty();
        assertThat(s.counters()).isEmpty();
        assertThat(s.toBytes()).as("a million free entries are a count, not a list").hasSizeLessThan(200);
    }

    @Test
    void aSnapshotReadsAsWhatItHolds() {
        Net n = Net.V4;
        ModelSnapshot s = busy(n).save();
        assertThat(s.associations()).extracting(a -> a.client()).contains(n.client(16), n.client(30))
                .doesNotContain(n.client(31), n.client(0));
        assertThat(s.toString()).contains("3 slots").contains("cursors {0=2}").contains("14 IPv4 and 0 IPv6 associations");
        assertThat(s.configuration().realServers()).containsExactly(n.rs(0), n.rs(2));
        assertThat(s.placement().slotsOf(0, SlotState.RETIRED)).extracting(Slot::address)
                .containsExactly(IpAddress.parse("198.18.1.2"));
        assertThat(s.associations()).filteredOn(a -> a.client().equals(n.client(30))).singleElement()
                .satisfies(a -> assertThat(a.realServer()).as("a retired slot's server is still named").isEqualTo(n.rs(1)));
    }
}
