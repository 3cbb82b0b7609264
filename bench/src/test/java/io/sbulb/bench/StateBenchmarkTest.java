package io.sbulb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.IpAddress;
import io.sbulb.lab.Lab;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The state benchmark's arithmetic, without root: who should have got the frames, and the fill's clients. */
class StateBenchmarkTest {

    private static final IpAddress RS1 = IpAddress.parse("198.18.2.11");
    private static final IpAddress RS2 = IpAddress.parse("198.18.2.12");

    /** Five clients from port 20000: 0, 2, 4 to rs1; 1, 3 to rs2. */
    private static Map<Integer, byte[]> owners() {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        for (int c = 0; c < 5; c++) {
            m.put(20000 + c, io.sbulb.xdp.SbulbAbi.assocValue(c % 2, 7 + c % 2));
        }
        return m;
    }

    /** Slot 0 (epoch 7) holds rs1, slot 1 (epoch 8) rs2. */
    private static IpAddress serverOf(byte[] value) {
        return io.sbulb.xdp.SbulbAbi.u32(java.util.Arrays.copyOf(value, 4)) == 0 ? RS1 : RS2;
    }

    private static LoadRig.Step step(long sent, long atRs1, long atRs2) {
        return new LoadRig.Step(0, sent, 0, atRs1 + atRs2, 0, 1, 1, 0,
                Map.of(11, new Sink.Count(atRs1, 0), 12, new Sink.Count(atRs2, 0)), 0, 0, 0);
    }

    @Test
    void framesWhereTheTableSaysTheyGoAreNeverAtAnotherServer() {
        // 12 frames over 5 clients in turn: clients 0 and 1 send 3, the others 2; rs1 gets 3+2+2
        assertThat(StateBenchmark.atOtherServer(step(12, 7, 5), owners(), 5, StateBenchmarkTest::serverOf)).isZero();
    }

    @Test
    void aClientThatMovedShowsAsItsFramesAtAnotherServer() {
        // client 4 (2 frames) went to rs2 instead of rs1
        assertThat(StateBenchmark.atOtherServer(step(12, 5, 7), owners(), 5, StateBenchmarkTest::serverOf)).isEqualTo(2);
    }

    @Test
    void theFillsClientsAreDistinctAndNeverTheLabsOwn() {
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 1 << 20; i += 4099) {
            assertThat(seen.add(PinnedTable.filler(i))).isTrue();
            assertThat(PinnedTable.filler(i).address()).isNotEqualTo(Lab.CLIENT);
        }
        assertThat(PinnedTable.filler((1 << 20) - 1).toString()).contains("198.19.255.255");
    }
}
