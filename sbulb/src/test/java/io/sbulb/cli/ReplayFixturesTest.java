package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sbulb.api.testing.Privileges;
import io.sbulb.pcap.CapturedFrame;
import io.sbulb.pcap.testing.Captures;
import io.sbulb.pcap.testing.ExternalTools;
import io.sbulb.pcap.testing.Fixtures;
import io.sbulb.pcap.testing.Fixtures.Fixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Scapy-made fixture of {@code pcaps/fixtures}, replayed with {@code sbulb replay} through
 * both dataplanes, transmits exactly Scapy's expected frames (byte for byte, with the input's
 * timestamps) and logs exactly the expected verdict and reason for every input frame.
 */
class ReplayFixturesTest {

    @TempDir
    Path dir;

    static Stream<Arguments> fixturesOnBothDataplanes() {
        return Fixtures.all().stream().flatMap(f -> Stream.of(Arguments.of(f, "xdp"), Arguments.of(f, "sim")));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("fixturesOnBothDataplanes")
    @Timeout(60)
    void replayedFixtureEqualsScapysExpectedOutput(Fixture f, String dataplane) {
        if (dataplane.equals("xdp")) {
            Privileges.requireBpf();
        }
        Path out = dir.resolve("out.pcap");
        Path log = dir.resolve("log.jsonl");
        CliRun run = CliRun.of("replay", f.input(), "--dataplane", dataplane, f.balancerArgs(),
                "--out", out, "--log", log, "--expect", f.expected());
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.out()).contains("the transmitted frames equal " + f.expected());

        // independently of --expect: the written pcap holds Scapy's frames, with the input's timestamps
        List<CapturedFrame> written = Captures.read(out);
        List<CapturedFrame> expected = Captures.read(f.expected());
        assertThat(written).hasSameSizeAs(expected);
        assertThat(Captures.hex(written)).isEqualTo(Captures.hex(expected));
        for (int i = 0; i < expected.size(); i++) {
            assertThat(written.get(i).timestamp()).as("frame %d", i + 1).isEqualTo(expected.get(i).timestamp());
        }
        List<JsonNode> logged = Fixtures.readJsonLines(log);
        List<JsonNode> wanted = Fixtures.readJsonLines(f.expectedLog());
        assertThat(logged).as("the log of %s, against %s", f.name(), f.expectedLog()).isEqualTo(wanted);
        assertThat(logged).hasSize(Captures.read(f.input()).size());
    }

    @Test
    @Timeout(120)
    void pcapsTheReplayWritesOpenInTcpdumpAndScapy() {
        List<Path> outs = new ArrayList<>();
        List<List<CapturedFrame>> contents = new ArrayList<>();
        for (Fixture f : Fixtures.all()) {
            Path out = dir.resolve(f.name() + ".out.pcap");
            CliRun run = CliRun.of("replay", f.input(), "--dataplane", "sim", f.balancerArgs(), "--out", out);
            assertThat(run.exitCode()).as("%s", run).isZero();
            outs.add(out);
            contents.add(Captures.read(out));
        }
        assertThat(contents.stream().mapToInt(List::size).sum()).as("frames transmitted over all fixtures").isPositive();

        for (int i = 0; i < outs.size(); i++) {
            ExternalTools.Run tcpdump = ExternalTools.tcpdump(outs.get(i));
            assertThat(tcpdump.exitCode()).as("tcpdump -r %s: %s", outs.get(i), tcpdump.stderr()).isZero();
            assertThat(tcpdump.stderr()).contains("link-type EN10MB");
            assertThat(ExternalTools.tcpdumpFrames(outs.get(i))).as("the frames tcpdump reads in %s", outs.get(i))
                    .isEqualTo(Captures.hex(contents.get(i)));
        }

        // one Python run for all files: "<file> <hex>" per record, as Scapy's rdpcap reads them
        StringBuilder script = new StringBuilder("import sys, logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
                + "from scapy.all import rdpcap\nfor name in sys.argv[1:]:\n"
                + "    for p in rdpcap(name):\n        print(name, bytes(p).hex())\n");
        ExternalTools.Run scapy = ExternalTools.python(script.toString(), outs.stream().map(Path::toString).toArray(String[]::new));
        assertThat(scapy.exitCode()).as("Scapy: %s", scapy.stderr()).isZero();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < outs.size(); i++) {
            for (String hex : Captures.hex(contents.get(i))) {
                want.add(outs.get(i) + " " + hex);
            }
        }
        assertThat(scapy.lines()).isEqualTo(want);
    }

    @Test
    @Timeout(60)
    void aPcapngCaptureReplaysLikeThePcapItWasMadeFrom() {
        Fixture f = Fixtures.all().stream().filter(x -> x.name().equals("reply-v6")).findFirst().orElseThrow();
        Path ng = dir.resolve("reply.pcapng");
        ExternalTools.Run convert = ExternalTools.python("import sys, logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
                + "from scapy.all import rdpcap, wrpcapng\nwrpcapng(sys.argv[2], rdpcap(sys.argv[1]))\n", f.input().toString(), ng.toString());
        assertThat(convert.exitCode()).as("Scapy: %s", convert.stderr()).isZero();
        Path out = dir.resolve("out.pcap");
        CliRun run = CliRun.of("replay", ng, "--dataplane", "sim", f.balancerArgs(), "--out", out, "--expect", f.expected());
        assertThat(run.exitCode()).as("%s", run).isZero();
        List<CapturedFrame> written = Captures.read(out);
        List<CapturedFrame> expected = Captures.read(f.expected());
        assertThat(written).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(written.get(i).timestamp()).isEqualTo(expected.get(i).timestamp());
        }
    }
}
