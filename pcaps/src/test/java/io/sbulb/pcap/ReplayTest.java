package io.sbulb.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.pcap.testing.Captures;
import io.sbulb.pcap.testing.PcapBytes;
import io.sbulb.sim.ReferenceDataplane;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay engine, on the reference model (the fixture tests run both dataplanes through the command line). */
class ReplayTest {

    @TempDir
    Path dir;

    private Dataplane dp;

    @BeforeEach
    void configure() {
        dp = new ReferenceDataplane(new Limits(4, 4, 64), new LruParameters(2, LruParameters.BatchRule.SINCE_6_16));
        dp.configure(DataplaneConfig.of(IpAddress.parse("198.18.0.1"), List.of(5683),
                List.of(IpAddress.parse("198.18.1.1"), IpAddress.parse("198.18.1.2"))));
    }

    @AfterEach
    void close() {
        dp.close();
    }

    private static byte[] toVip(int clientPort) {
        return UdpFrame.builder().source("198.18.2.1", clientPort).destination("198.18.0.1", 5683)
                .payload("hi".getBytes()).build().toFrame().bytes();
    }

    private static byte[] unbalanced() {
        return UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 9999)
                .payload("hi".getBytes()).build().toFrame().bytes();
    }

    private Path capture(String name, byte[]... frames) throws IOException {
        PcapBytes b = PcapBytes.ethernet();
        for (int i = 0; i < frames.length; i++) {
            b.record(1764000000 + i, 500, frames[i]);
        }
        Path p = dir.resolve(name);
        Files.write(p, b.bytes());
        return p;
    }

    @Test
    void transmittedFramesAreWrittenInOrderWithTheirInputTimestamps() throws IOException {
        Path in = capture("in.pcap", toVip(40000), unbalanced(), toVip(40001));
        Path out = dir.resolve("out.pcap");
        Path log = dir.resolve("log.jsonl");
        ReplayReport r = Replay.through(dp).transmittedTo(out).logTo(log).run(in);

        assertThat(r.frames()).isEqualTo(3);
        assertThat(r.count(Verdict.TX)).isEqualTo(2);
        assertThat(r.count(Verdict.PASS)).isEqualTo(1);
        assertThat(r.reasons()).containsEntry(Reason.INGRESS_NEW_NAT, 2L).containsEntry(Reason.INGRESS_UNHANDLED_PORT, 1L);
        assertThat(r.mismatch()).isEmpty();

        List<CapturedFrame> tx = Captures.read(out);
        assertThat(tx).hasSize(2);
        assertThat(tx.get(0).timestamp()).isEqualTo(Instant.ofEpochSecond(1764000000, 500_000));
        assertThat(tx.get(1).timestamp()).isEqualTo(Instant.ofEpochSecond(1764000002, 500_000));
        assertThat(UdpFrame.parse(io.sbulb.api.Frame.of(tx.get(0).bytes())).destination().toString()).isEqualTo("198.18.1.1:5683");
        assertThat(UdpFrame.parse(io.sbulb.api.Frame.of(tx.get(1).bytes())).destination().toString()).isEqualTo("198.18.1.2:5683");

        assertThat(Files.readAllLines(log)).containsExactly(
                "{\"index\":0,\"verdict\":\"TX\",\"reason\":\"INGRESS_NEW_NAT\",\"length\":" + toVip(40000).length + "}",
                "{\"index\":1,\"verdict\":\"PASS\",\"reason\":\"INGRESS_UNHANDLED_PORT\",\"length\":" + unbalanced().length + "}",
                "{\"index\":2,\"verdict\":\"TX\",\"reason\":\"INGRESS_NEW_NAT\",\"length\":" + toVip(40001).length + "}");
        assertThat(r.summary()).startsWith("3 frames through sim: 2 TX, 1 PASS, 0 DROP");
    }

    @Test
    void capturesLongerThanABatchKeepTheirOrder() throws IOException {
        int n = 2 * Replay.BATCH + 37;
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++) {
            frames[i] = i % 5 == 4 ? unbalanced() : toVip(30000 + i % 70); // 70 clients in a table of 64
        }
        Path in = capture("long.pcap", frames);
        StringWriter log = new StringWriter();
        ReplayReport r = Replay.through(dp).logTo(log).run(in);

        List<String> expected = new ArrayList<>();
        try (Dataplane oneByOne = new ReferenceDataplane(dp.limits(), new LruParameters(2, LruParameters.BatchRule.SINCE_6_16))) {
            oneByOne.configure(dp.configuration());
            for (int i = 0; i < n; i++) {
                io.sbulb.api.Result res = oneByOne.process(io.sbulb.api.Frame.of(frames[i]));
                expected.add("{\"index\":" + i + ",\"verdict\":\"" + res.verdict() + "\",\"reason\":\"" + res.reason()
                        + "\",\"length\":" + frames[i].length + "}");
            }
            assertThat(dp.associations()).isEqualTo(oneByOne.associations());
        }
        assertThat(log.toString().lines()).containsExactlyElementsOf(expected);
        assertThat(r.frames()).isEqualTo(n);
    }

    @Test
    void theLogCanGoToAStream() throws IOException {
        StringWriter w = new StringWriter();
        Replay.through(dp).logTo(w).run(capture("in.pcap", unbalanced()));
        assertThat(w.toString()).isEqualTo("{\"index\":0,\"verdict\":\"PASS\",\"reason\":\"INGRESS_UNHANDLED_PORT\",\"length\":"
                + unbalanced().length + "}\n");
    }

    @Test
    void aDamagedCaptureLeavesEarlierOutputsUntouchedAndNoTemporaryFiles() throws IOException {
        Path out = dir.resolve("out.pcap");
        Path log = dir.resolve("log.jsonl");
        Files.writeString(out, "earlier");
        Files.writeString(log, "earlier");
        Path good = capture("good.pcap", toVip(40000), toVip(40001), toVip(40002));
        byte[] bytes = Files.readAllBytes(good);
        Path damaged = dir.resolve("damaged.pcap");
        Files.write(damaged, Arrays.copyOf(bytes, bytes.length - 3));

        assertThatThrownBy(() -> Replay.through(dp).transmittedTo(out).logTo(log).run(damaged))
                .isInstanceOf(PcapException.class).hasMessageContaining("record 3");
        assertThat(Files.readString(out)).isEqualTo("earlier");
        assertThat(Files.readString(log)).isEqualTo("earlier");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "out.pcap", "log.jsonl", "good.pcap", "damaged.pcap");
        }
    }

    @Test
    void theExpectedPcapIsComparedFrameByFrame() throws IOException {
        Path in = capture("in.pcap", toVip(40000), unbalanced(), toVip(40001));
        Path out = dir.resolve("out.pcap");
        Replay.through(dp).transmittedTo(out).run(in);

        configure();
        assertThat(Replay.through(dp).expecting(out).run(in).mismatch()).isEmpty();

        // the same two frames, the second with its destination changed: named by field and frame
        List<CapturedFrame> tx = Captures.read(out);
        byte[] wrong = tx.get(1).bytes();
        wrong[33] ^= 0x01; // destination 198.18.1.2 -> .3 (checksums left as they were)
        Path expected = capture("expected.pcap", tx.get(0).bytes(), wrong);
        configure();
        assertThat(Replay.through(dp).expecting(expected).run(in).mismatch()).contains(
                "transmitted frame 2 (from input record 3, log index 2) differs from expected record 2 in "
                        + "IP.dst: expected 198.18.1.3, got 198.18.1.2");
    }

    @Test
    void missingAndExtraFramesAreReported() throws IOException {
        Path in = capture("in.pcap", toVip(40000), toVip(40001));
        Path out = dir.resolve("out.pcap");
        Replay.through(dp).transmittedTo(out).run(in);
        List<CapturedFrame> tx = Captures.read(out);

        Path fewer = capture("fewer.pcap", tx.get(0).bytes());
        configure();
        assertThat(Replay.through(dp).expecting(fewer).run(in).mismatch()).contains(
                "transmitted frame 2 (from input record 2, log index 1) is not expected: " + fewer + " holds only 1 frames");

        Path more = capture("more.pcap", tx.get(0).bytes(), tx.get(1).bytes(), tx.get(1).bytes());
        configure();
        assertThat(Replay.through(dp).expecting(more).run(in).mismatch()).contains(
                "expected record 3 was not transmitted: 2 frames were transmitted, " + more + " holds 3");
    }

    @Test
    void aFrameTheDataplaneCannotRunIsNamed() throws IOException {
        Path in = capture("in.pcap", toVip(40000));
        class Broken extends io.sbulb.api.testing.ForwardingControl implements Dataplane {
            @Override
            protected Dataplane delegate() {
                return dp;
            }

            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void close() {
                // dp is closed by the test's teardown
            }

            @Override
            public io.sbulb.api.Result process(io.sbulb.api.Frame frame) {
                throw new IllegalArgumentException("frame of " + frame.length() + " bytes is too long here");
            }
        }
        Dataplane broken = new Broken();
        assertThatThrownBy(() -> Replay.through(broken).run(in)).isInstanceOf(ReplayException.class)
                .hasMessage(in + ": record 1 (log index 0, " + toVip(40000).length + " bytes): the broken dataplane "
                        + "cannot run it: frame of " + toVip(40000).length + " bytes is too long here");
    }
}
