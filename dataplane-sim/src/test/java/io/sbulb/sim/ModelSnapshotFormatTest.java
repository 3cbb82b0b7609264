package io.sbulb.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Net;
import io.sbulb.api.Placement.ServiceHead;
import io.sbulb.api.Placement.Slot;
import io.sbulb.api.Reason;
import io.sbulb.api.Service;
import io.sbulb.sim.snapshot.Envelope;
import io.sbulb.sim.snapshot.SnapshotException;
import io.sbulb.sim.snapshot.SnapshotOutput;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A snapshot that was cut short, altered, is of another kind or version, or describes a model
 * that cannot exist is refused with a {@link SnapshotException} naming what is wrong; nothing is
 * restored from it. Every prefix and every single-byte change of a real snapshot is tried.
 */
class ModelSnapshotFormatTest {

    private static final LruParameters LRU = new LruParameters(2, BatchRule.SINCE_6_16);

    /**
     * A model of two services, one per family (the IPv6 one first: the body offsets below),
     * with both kinds of table entry, a retired server, cursors and counters: a snapshot of a
     * few hundred bytes.
     */
    private static ModelSnapshot snapshot() {
        Net n = Net.V6;
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 4, 8), LRU);
        // a service that routes DTLS CID records: its head and its live slots' node ids are kept too
        Service four = Service.of("four", Net.V4.vip, Set.of(Net.PORT), List.of(
                new io.sbulb.api.RealServer(Net.V4.rs(0), 1, 1), new io.sbulb.api.RealServer(Net.V4.rs(1), 1, 0xfffe)),
                new io.sbulb.api.DtlsCid(6, 1, 2));
        dp.configure(DataplaneConfig.of(List.of(n.config(3).services().get(0), four)));
        for (int c = 0; c < 10; c++) {
            dp.process(n.toVip(n.client(c)).toFrame());
        }
        dp.process(Net.V4.toVip(Net.V4.client(0)).toFrame());
        dp.process(n.fromServer(n.rs(2), n.client(20)).toFrame());
        dp.configure(DataplaneConfig.of(List.of(n.config(2).services().get(0), four)));
        return dp.save();
    }

    private static SnapshotException refusal(ThrowingCallable read) {
        try {
            read.call();
        } catch (SnapshotException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a SnapshotException, got " + t, t);
        }
        throw new AssertionError("the snapshot was accepted");
    }

    @Test
    void everyTruncationIsRefusedAsTruncated() {
        byte[] bytes = snapshot().toBytes();
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThat(refusal(() -> ModelSnapshot.fromBytes(cut))).as("first %d of %d bytes", len, bytes.length)
                    .hasMessageStartingWith("snapshot truncated: ");
            assertThat(refusal(() -> ModelSnapshot.readFrom(new ByteArrayInputStream(cut))))
                    .hasMessageStartingWith("snapshot truncated: ");
        }
        assertThat(refusal(() -> ModelSnapshot.fromBytes(Arrays.copyOf(bytes, 5))))
                .hasMessage("snapshot truncated: 5 bytes, shorter than its 14-byte header");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(Arrays.copyOf(bytes, bytes.length - 1))))
                .hasMessageContaining("only " + (bytes.length - 15) + " bytes follow the header");
    }

    @Test
    void everyAlteredByteIsRefusedAndNamedByWhereItIs() {
        byte[] bytes = snapshot().toBytes();
        for (int i = 0; i < bytes.length; i++) {
            for (int flip : new int[] {0x01, 0x80, 0xff}) {
                byte[] bad = bytes.clone();
                bad[i] ^= (byte) flip;
                String message = refusal(() -> ModelSnapshot.fromBytes(bad)).getMessage();
                // bytes 10..13 hold the body length: a longer one announces more than there is
                boolean longer = Integer.compareUnsigned(ByteBuffer.wrap(bad).getInt(10),
                        ByteBuffer.wrap(bytes).getInt(10)) > 0;
                String expected = i < 8 ? "not a snapshot of this kind: it starts with "
                        : i < 10 ? "snapshot format version "
                        : i < Envelope.HEADER ? (longer ? "snapshot truncated: " : "snapshot has ")
                        : "snapshot corrupt: its CRC-32 says ";
                assertThat(message).as("byte %d xor 0x%02x", i, flip).startsWith(expected);
            }
        }
    }

    @Test
    void aByteAfterTheEndIsRefused() {
        byte[] bytes = snapshot().toBytes();
        assertThat(refusal(() -> ModelSnapshot.fromBytes(Arrays.copyOf(bytes, bytes.length + 1))))
                .hasMessageStartingWith("snapshot has 1 bytes after its end");
    }

    @Test
    void anotherKindOrVersionIsRefusedAsSuch() {
        byte[] other = Envelope.seal("SBULBXDP", 1, new SnapshotOutput());
        assertThat(refusal(() -> ModelSnapshot.fromBytes(other))).hasMessage("not a snapshot of this kind: it starts "
                + "with 5342554c42584450, a snapshot with 'SBULBSIM' (5342554c4253494d)");
        byte[] later = Envelope.seal(ModelSnapshotFormat.MAGIC, 5, new SnapshotOutput());
        assertThat(refusal(() -> ModelSnapshot.fromBytes(later)))
                .hasMessage("snapshot format version 5, this build reads version 4");
        byte[] single = Envelope.seal(ModelSnapshotFormat.MAGIC, 1, new SnapshotOutput());
        assertThat(refusal(() -> ModelSnapshot.fromBytes(single))).as("the single-service format")
                .hasMessage("snapshot format version 1, this build reads version 4");
        byte[] noHosts = Envelope.seal(ModelSnapshotFormat.MAGIC, 2, new SnapshotOutput());
        assertThat(refusal(() -> ModelSnapshot.fromBytes(noHosts))).as("services without host addresses")
                .hasMessage("snapshot format version 2, this build reads version 4");
        byte[] noMoves = Envelope.seal(ModelSnapshotFormat.MAGIC, 3, new SnapshotOutput());
        assertThat(refusal(() -> ModelSnapshot.fromBytes(noMoves))).as("no clients moved per slot, no DTLS CID routing")
                .hasMessage("snapshot format version 3, this build reads version 4");
    }

    /** The snapshot with its body edited and sealed again (a correct checksum over a wrong body). */
    private static byte[] resealed(Consumer<ByteBuffer> edit, int lengthChange) {
        byte[] bytes = snapshot().toBytes();
        byte[] body = Arrays.copyOfRange(bytes, Envelope.HEADER, bytes.length - 4);
        body = Arrays.copyOf(body, body.length + lengthChange);
        edit.accept(ByteBuffer.wrap(body));
        return Envelope.seal(ModelSnapshotFormat.MAGIC, ModelSnapshotFormat.VERSION, new SnapshotOutput().bytes(body));
    }

    @Test
    void anIntactBodyThatDescribesNoPossibleModelIsRefusedNamingTheField() {
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.putInt(0, 0), 0))))
                .hasMessage("snapshot inconsistent: limits: max ports (-mp) is 0, must be between 1 and 65535");
        // body: limits 0..15, event mask 16..23, service count 24, service 1: id 28, order 30,
        // name length 32, "default" 33..39, VIP family 40
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.put(40, (byte) 5), 0))))
                .hasMessage("snapshot inconsistent: service 1 of 2: VIP: family 5 is not 4 or 6");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.putShort(28, (short) 1), 0))))
                .hasMessage("snapshot inconsistent: service id 1 is given twice");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.put(33, (byte) '!'), 0))))
                .hasMessageStartingWith("snapshot inconsistent: placement: service name '!efault' is not");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.putInt(8, 9), 0))))
                .hasMessage("snapshot inconsistent: the IPv4 association table is a map of 8 entries, the model's is a "
                        + "common LRU of 9 (-ma)");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> { }, -1))))
                .hasMessage("snapshot inconsistent: the body ends inside IPv6 association table: CPU 1's local lists: "
                        + "next steal (3 of 4 bytes left)");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> { }, 2))))
                .hasMessage("snapshot inconsistent: 2 bytes left in the body after its last field");
    }

    /**
     * Every single-byte change of the body, sealed again (so that the checksum holds): either
     * read as some possible model, which then restores and saves back to the same bytes, or
     * refused with a {@link SnapshotException}; never another exception.
     */
    @Test
    void everyResealedByteChangeIsReadOrRefusedNeverCrashes() {
        byte[] bytes = snapshot().toBytes();
        int body = bytes.length - Envelope.HEADER - 4;
        int read = 0;
        for (int i = 0; i < body; i++) {
            for (int flip : new int[] {0x01, 0x02, 0x10, 0x80, 0xff}) {
                int at = i;
                byte[] bad = resealed(b -> b.put(at, (byte) (b.get(at) ^ flip)), 0);
                ModelSnapshot s;
                try {
                    s = ModelSnapshot.fromBytes(bad);
                } catch (SnapshotException e) {
                    continue;
                } catch (RuntimeException e) {
                    throw new AssertionError("body byte " + i + " xor 0x" + Integer.toHexString(flip) + ": " + e, e);
                }
                read++;
                assertThat(ReferenceDataplane.restore(s).save().toBytes()).as("body byte %d xor 0x%x", i, flip)
                        .isEqualTo(bad);
            }
        }
        assertThat(read).as("some changes describe another possible model (an event mask, a counter)").isPositive();
    }

    /** The snapshot with one part replaced, through the constructor the reader uses. */
    private static ModelSnapshot with(ModelSnapshot s, Limits limits, List<ServiceHead> heads, List<Slot> slots,
                                      int nextEpoch, Map<Integer, Long> cursors, Map<Reason, Counter> counters) {
        return new ModelSnapshot(limits, 0, heads, slots, nextEpoch, s.nextRetiredSeq(), s.hostAddresses(), cursors,
                counters, s.slotFrames(), s.slotMoved(), s.table4(), s.table6());
    }

    @Test
    void aStateNoModelCanHoldIsRefusedNamingWhy() {
        ModelSnapshot s = snapshot();
        Limits l = s.limits();
        assertThat(with(s, l, s.heads(), s.slots(), s.nextEpoch(), s.cursors(), s.counters())).isEqualTo(s);
        assertThatThrownBy(() -> with(s, l, s.heads(), s.slots(), s.nextEpoch(), Map.of(64, 1L), s.counters()))
                .hasMessage("round-robin cursor of service id 64: ids are 0..63 (--max-services)");
        assertThatThrownBy(() -> with(s, l, s.heads(), s.slots(), s.nextEpoch(), Map.of(0, 257L), s.counters()))
                .hasMessageStartingWith("round-robin cursor of service id 0 is 257, outside 1..256");
        assertThatThrownBy(() -> with(s, l, s.heads(), s.slots(), s.nextEpoch(), s.cursors(),
                Map.of(Reason.NOT_IP, new Counter(0, 0))))
                .hasMessage("counter NOT_IP is Counter[packets=0, bytes=0]: a kept counter has counted packets");
        List<Slot> twice = new ArrayList<>(s.slots());
        twice.add(s.slots().get(0));
        assertThatThrownBy(() -> with(s, l, s.heads(), twice, s.nextEpoch(), s.cursors(), s.counters()))
                .hasMessage("slot 0 is given twice");
        assertThatThrownBy(() -> with(s, l, s.heads(), s.slots(), s.nextEpoch() - 1, s.cursors(), s.counters()))
                .hasMessageContaining("has epoch " + (s.nextEpoch() - 1) + ", epochs given out are 1..");
        Slot first = s.slots().get(0);
        List<Slot> gap = new ArrayList<>(s.slots());
        gap.set(0, new Slot(first.id(), first.serviceId(), first.address(), first.epoch(), first.state(), 0,
                first.weight(), 3));
        assertThatThrownBy(() -> with(s, l, s.heads(), gap, s.nextEpoch(), s.cursors(), s.counters()))
                .hasMessageContaining("live slots but none at position 0");
        List<ServiceHead> wide = new ArrayList<>(s.heads());
        ServiceHead h = wide.get(0);
        wide.set(0, new ServiceHead(h.id(), h.order(), h.name(), h.vip(), new TreeSet<>(Set.of(1, 2, 3, 4, 5))));
        assertThatThrownBy(() -> with(s, l, wide, s.slots(), s.nextEpoch(), s.cursors(), s.counters()))
                .hasMessageContaining("5 ports configured, at most 4");
        assertThatThrownBy(() -> with(s, l.withMaxAssociations(16), s.heads(), s.slots(), s.nextEpoch(), s.cursors(),
                s.counters())).hasMessageContaining("a map of 8 entries");
    }
}
