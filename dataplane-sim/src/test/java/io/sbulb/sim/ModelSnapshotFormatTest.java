package io.sbulb.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.sim.snapshot.Envelope;
import io.sbulb.sim.snapshot.SnapshotException;
import io.sbulb.sim.snapshot.SnapshotOutput;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /** A model with both kinds of table entry, a retired server, counters: a snapshot of a few hundred bytes. */
    private static ModelSnapshot snapshot() {
        Net n = Net.V6;
        ReferenceDataplane dp = new ReferenceDataplane(new Limits(4, 4, 8), LRU);
        dp.configure(n.config(3));
        for (int c = 0; c < 10; c++) {
            dp.process(n.toVip(n.client(c)).toFrame());
        }
        dp.process(n.fromServer(n.rs(2), n.client(20)).toFrame());
        dp.configure(n.config(2));
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
        byte[] later = Envelope.seal(ModelSnapshotFormat.MAGIC, 2, new SnapshotOutput());
        assertThat(refusal(() -> ModelSnapshot.fromBytes(later)))
                .hasMessage("snapshot format version 2, this build reads version 1");
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
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.put(20, (byte) 5), 0))))
                .hasMessage("snapshot inconsistent: configuration: VIP: family 5 is not 4 or 6 (or 0: none)");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> b.putInt(8, 9), 0))))
                .hasMessage("snapshot inconsistent: the association table is a map of 8 entries, the model's is a "
                        + "common LRU of 9 (-ma)");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> { }, -1))))
                .hasMessage("snapshot inconsistent: the body ends inside association table: CPU 1's local lists: "
                        + "next steal (3 of 4 bytes left)");
        assertThat(refusal(() -> ModelSnapshot.fromBytes(resealed(b -> { }, 2))))
                .hasMessage("snapshot inconsistent: 2 bytes left in the body after its last field");
    }

    @Test
    void aStateNoModelCanHoldIsRefusedNamingWhy() {
        ModelSnapshot s = snapshot();
        Net n = Net.V6;
        assertThatThrownBy(() -> new ModelSnapshot(s.limits(), 0, s.configuration(), List.of(n.rs(0)), 0,
                s.counters(), s.table())).hasMessage("retired real server fd00:1::1 is also configured");
        assertThatThrownBy(() -> new ModelSnapshot(s.limits(), 0, s.configuration(), List.of(n.rs(2), n.rs(2)), 0,
                s.counters(), s.table())).hasMessage("retired real server fd00:1::3 is listed twice");
        assertThatThrownBy(() -> new ModelSnapshot(s.limits(), 0, s.configuration(), s.retired(), 5, s.counters(),
                s.table())).hasMessage("round-robin cursor 5 is outside 0..4");
        assertThatThrownBy(() -> new ModelSnapshot(s.limits(), 0, s.configuration(), s.retired(), 0,
                Map.of(Reason.NOT_IP, new Counter(0, 0)), s.table()))
                .hasMessage("counter NOT_IP is Counter[packets=0, bytes=0]: a kept counter has counted packets");
        assertThatThrownBy(() -> new ModelSnapshot(s.limits(), 0, DataplaneConfig.of(n.vip, List.of(1, 2, 3, 4, 5),
                List.of()), s.retired(), 0, s.counters(), s.table())).hasMessageContaining("5 ports configured, at most 4");
        assertThatThrownBy(() -> new ModelSnapshot(s.limits().withMaxAssociations(16), 0, s.configuration(),
                s.retired(), 0, s.counters(), s.table())).hasMessageContaining("a map of 8 entries");
    }
}
