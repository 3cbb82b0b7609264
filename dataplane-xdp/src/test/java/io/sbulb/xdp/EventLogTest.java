package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Frame;
import io.sbulb.api.Limits;
import io.sbulb.api.LogLevel;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The event log leaves the kernel filtered by the load-time level (the verifier prunes the
 * rest), and each record decodes to the frame's addresses as received and the NAT written:
 * this is what holds struct sbulb_event's layout, which BTF does not carry.
 */
class EventLogTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void eventsAtOrAboveTheLevelAreLoggedWithTheFrameAddresses(Net n) {
        Privileges.requireBpf();
        long mask = Reason.eventMask(Reason.admittedBy(LogLevel.DEBUG));
        try (XdpDataplane dp = XdpDataplane.create(new SbulbProgramSpec(new Limits(4, 8, 64), mask), XdpDataplane.DEFAULT_CPU)) {
            dp.configure(n.config(2));
            UdpFrame hello = n.toVip(n.client(0));
            dp.process(hello.toFrame());                                              // NEW_NAT (DEBUG): logged
            dp.process(hello.toFrame());                                              // REUSED_NAT (TRACE): not
            dp.process(hello.toBuilder().destination(n.vip, Net.OTHER_PORT).build().toFrame()); // TRACE: not
            UdpFrame intruder = n.fromServer(n.rs(1), n.client(0));
            dp.process(intruder.toFrame());                                           // NOT_AUTHORIZED (INFO)
            dp.process(hello.toBuilder().ttl(0).build().toFrame());                   // LIFETIME_EXPIRED (WARNING)
            dp.process(Frame.of(new byte[10]));                                       // INVALID_ETH_SIZE (WARNING)

            List<DataplaneEvent> events = dp.drainEvents();
            assertThat(events).extracting(DataplaneEvent::reason).containsExactly(Reason.INGRESS_NEW_NAT,
                    Reason.EGRESS_NOT_AUTHORIZED, Reason.LIFETIME_EXPIRED, Reason.INVALID_ETH_SIZE);
            DataplaneEvent nat = events.get(0);
            assertThat(nat.family()).isEqualTo(n == Net.V4 ? 4 : 6);
            assertThat(nat.source()).isEqualTo(hello.source());
            assertThat(nat.destination()).isEqualTo(hello.destination());
            assertThat(nat.nat()).isEqualTo(n.rs(0));
            assertThat(nat.srcMac()).isEqualTo(hello.srcMac());
            assertThat(nat.dstMac()).isEqualTo(hello.dstMac());
            assertThat(events.get(1).source()).isEqualTo(intruder.source());
            assertThat(events.get(1).destination()).isEqualTo(intruder.destination());
            assertThat(events.get(1).nat()).isNull();
            assertThat(events.get(3).family()).isZero();
            assertThat(events.get(3).source()).isNull();
            assertThat(dp.drainEvents()).as("drained").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void withoutAnEventMaskNothingIsLogged(Net n) {
        Privileges.requireBpf();
        try (XdpDataplane dp = XdpDataplane.create(new Limits(4, 8, 64))) {
            dp.configure(n.config(2));
            dp.process(n.toVip(n.client(0)).toFrame());
            dp.process(Frame.of(new byte[3]));
            assertThat(dp.drainEvents()).isEmpty();
        }
    }

    /** The ring buffer holds DataplaneEvent.CAPACITY records: the reference model's log is as large. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aFullLogLosesTheNewEventsNeverTheFrames(Net n) {
        Privileges.requireBpf();
        long mask = Reason.eventMask(java.util.EnumSet.of(Reason.INGRESS_UNHANDLED_PORT));
        try (XdpDataplane dp = XdpDataplane.create(new SbulbProgramSpec(new Limits(4, 8, 64), mask), XdpDataplane.DEFAULT_CPU)) {
            dp.configure(n.config(2));
            Frame other = n.toVip(n.client(0)).toBuilder().destination(n.vip, Net.OTHER_PORT).build().toFrame();
            dp.processAll(java.util.Collections.nCopies(DataplaneEvent.CAPACITY + 5, other));
            assertThat(dp.counters().get(Reason.INGRESS_UNHANDLED_PORT).packets()).isEqualTo(DataplaneEvent.CAPACITY + 5);
            assertThat(dp.drainEvents()).hasSize(DataplaneEvent.CAPACITY);
            dp.process(other);
            assertThat(dp.drainEvents()).as("room again").hasSize(1);
        }
    }
}
