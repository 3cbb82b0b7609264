package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.pcap.testing.ExternalTools;
import io.sbulb.pcap.testing.Fixtures;
import io.sbulb.pcap.testing.Fixtures.Fixture;
import io.sbulb.pcap.testing.PcapBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sbulb replay} on the reference model: options, errors and exit statuses. Every error is
 * one line naming the value or the record, exit status 2 (bad input) or 1 (--expect not met),
 * and never a stack trace.
 */
class ReplayCommandTest {

    private static final List<String> CONFIG = List.of("-vs", "198.18.0.1", "-rs", "198.18.1.1", "198.18.1.2",
            "198.18.1.3", "-p", "5683");

    @TempDir
    Path dir;

    private static Fixture fixture(String name) {
        return Fixtures.all().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private static void assertBadInput(CliRun run, String... messageParts) {
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).as("%s", run).startsWith("sbulb replay: ").contains(messageParts)
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void theCaptureMayComeAfterTheListsOfAddressesAndPorts() {
        Fixture f = fixture("round-robin-v4");
        CliRun run = CliRun.of("replay", "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1", "198.18.1.2",
                "198.18.1.3", "-p", "5683", "5684", f.input(), "--expect", f.expected());
        assertThat(run.exitCode()).as("%s", run).isZero();
        CliRun commas = CliRun.of("replay", "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1",
                "-rs", "198.18.1.2", "-rs", "198.18.1.3", "-p", "5683,5684", f.input(), "--expect", f.expected());
        assertThat(commas.exitCode()).as("%s", commas).isZero();
    }

    @Test
    void theSummaryCountsVerdictsAndReasons() {
        CliRun run = CliRun.of("replay", fixture("round-robin-v4").input(), "--dataplane", "sim", CONFIG);
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.out()).startsWith("5 frames through sim: 5 TX, 0 PASS, 0 DROP")
                .containsPattern("INGRESS_NEW_NAT +4").containsPattern("INGRESS_REUSED_NAT +1");
    }

    @Test
    void theLogCanGoToStandardOutputAlone() {
        CliRun run = CliRun.of("replay", fixture("round-robin-v4").input(), "--dataplane", "sim", CONFIG, "--log", "-");
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.out().lines()).hasSize(5).allSatisfy(l -> assertThat(l).startsWith("{\"index\":"));
        assertThat(run.err()).startsWith("5 frames through sim");
    }

    @Test
    void aDifferenceFromTheExpectedPcapNamesTheFrameAndTheField() {
        // round-robin's frames, but expected from a balancer whose servers are listed in another order
        Fixture f = fixture("round-robin-v4");
        CliRun run = CliRun.of("replay", f.input(), "--dataplane", "sim", "-vs", "198.18.0.1",
                "-rs", "198.18.1.2", "198.18.1.1", "198.18.1.3", "-p", "5683", "--expect", f.expected());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.MISMATCH);
        assertThat(run.err()).contains("sbulb replay: transmitted frames differ from " + f.expected()
                + ": transmitted frame 1 (from input record 1, log index 0) differs from expected record 1 in IP.dst: expected 198.18.1.1, got 198.18.1.2 (also differ: IP.chksum, UDP.chksum)");
    }

    @Test
    void aTruncatedCaptureIsAnErrorNamingTheRecord() throws IOException {
        byte[] whole = Files.readAllBytes(fixture("reply-v4").input());
        Path damaged = dir.resolve("damaged.pcap");
        Files.write(damaged, Arrays.copyOf(whole, whole.length - 10));
        Path out = dir.resolve("out.pcap");
        CliRun run = CliRun.of("replay", damaged, "--dataplane", "sim", CONFIG, "--out", out);
        assertBadInput(run, damaged + ": record 7 cannot be read (after 6 good records): truncated dump file");
        assertThat(out).doesNotExist();
    }

    @Test
    void malformedCapturesAreErrorsNotStackTraces() throws IOException {
        Path text = dir.resolve("notes.pcap");
        Files.writeString(text, "hello, not a capture\n");
        assertBadInput(CliRun.of("replay", text, "--dataplane", "sim", CONFIG), "unknown file format");

        Path sll = dir.resolve("sll.pcap");
        Files.write(sll, PcapBytes.linkType(PcapBytes.LINKTYPE_LINUX_SLL).record(1, 0, new byte[40]).bytes());
        assertBadInput(CliRun.of("replay", sll, "--dataplane", "sim", CONFIG), "only Ethernet captures");

        Path empty = dir.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        assertBadInput(CliRun.of("replay", empty, "--dataplane", "sim", CONFIG), "is empty (0 bytes)");

        assertBadInput(CliRun.of("replay", dir.resolve("missing.pcap"), "--dataplane", "sim", CONFIG),
                "does not exist");

        Path badRecord = dir.resolve("huge-record.pcap");
        Files.write(badRecord, PcapBytes.ethernet().record(1, 0, new byte[60]).record(2, 0, 1 << 30, 1 << 30, new byte[8]).bytes());
        assertBadInput(CliRun.of("replay", badRecord, "--dataplane", "sim", CONFIG), "record 2 cannot be read");
    }

    @Test
    void aDamagedExpectedPcapIsNamedToo() throws IOException {
        Path bad = dir.resolve("expected.pcap");
        Files.writeString(bad, "garbage");
        assertBadInput(CliRun.of("replay", fixture("reply-v4").input(), "--dataplane", "sim", CONFIG, "--expect", bad),
                "cannot read expected pcap " + bad);
        assertBadInput(CliRun.of("replay", fixture("reply-v4").input(), "--dataplane", "sim", CONFIG, "--expect",
                dir.resolve("none.pcap")), "expected pcap " + dir.resolve("none.pcap") + " does not exist");
    }

    @Test
    void badOptionsNameTheValueAndTheLimit() throws IOException {
        Path in = fixture("reply-v4").input();
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0", "-rs", "198.18.1.1", "-p", "5683"),
                "-vs: '198.18.0' is not an IPv4 or IPv6 address literal");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.x", "-p", "5683"),
                "-rs: '198.18.1.x' is not an IPv4 or IPv6 address literal");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1", "-p", "70000"),
                "-p: port 70000 is outside 1..65535");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1", "-p", "https"),
                "-p: 'https' is not a UDP port number (1..65535)");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1",
                "-p", "1", "2", "3", "-mp", "2"), "3 ports configured, at most 2 allowed (-mp)");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", CONFIG, "-mrs", "2"),
                "3 real servers configured, at most 2 allowed (-mrs)");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", CONFIG, "-ma", "0"),
                "max associations (-ma) is 0, must be between 1 and");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "fd00:1::1", "-p", "5683"),
                "real server fd00:1::1 is IPv6 but the virtual server 198.18.0.1 is IPv4");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-rs", "198.18.1.1", "-p", "5683"), "missing -vs");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-p", "5683"), "missing -rs or -cfg");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1"), "missing -p");
        Path cfg = dir.resolve("rs.cfg");
        Files.writeString(cfg, "[Real Servers]\n198.18.1.1\n");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1",
                "-cfg", cfg, "-p", "5683"), "give real servers with -rs or with -cfg, not both");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "vpp", CONFIG), "--dataplane", "vpp", "xdp, sim");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "-p", "5683"),
                "-rs needs at least one address, not the option -p");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", CONFIG, "-p"), "-p needs at least one port");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", "-vs", "198.18.0.1", "-rs", "198.18.1.1", "-p", "5683,,5684"),
                "-p: '' in '5683,,5684' is not a UDP port number");
        assertBadInput(CliRun.of("replay", in, "--dataplane", "sim", CONFIG, "--frobnicate"), "Unknown option: '--frobnicate'");
    }

    @Test
    void aRealServerFileIsReadAndItsBadLineNamed() throws IOException {
        Fixture f = fixture("round-robin-v4");
        Path cfg = dir.resolve("rs.cfg");
        Files.writeString(cfg, "# the fleet\n[Real Servers]\n198.18.1.1\n\n  198.18.1.2\n; rack 3\n198.18.1.3\n");
        CliRun ok = CliRun.of("replay", f.input(), "--dataplane", "sim", "-vs", "198.18.0.1", "-cfg", cfg, "-p", "5683",
                "--expect", f.expected());
        assertThat(ok.exitCode()).as("%s", ok).isZero();

        Files.writeString(cfg, "[Real Servers]\n198.18.1.1\n198.18.1.256\n");
        assertBadInput(CliRun.of("replay", f.input(), "--dataplane", "sim", "-vs", "198.18.0.1", "-cfg", cfg, "-p", "5683"),
                cfg + " line 3: '198.18.1.256' is not an IPv4 or IPv6 address literal");
        Files.writeString(cfg, "198.18.1.1\n");
        assertBadInput(CliRun.of("replay", f.input(), "--dataplane", "sim", "-vs", "198.18.0.1", "-cfg", cfg, "-p", "5683"),
                cfg + " line 1: '198.18.1.1' comes before any section header");
        Files.writeString(cfg, "[Real Servers]\n");
        assertBadInput(CliRun.of("replay", f.input(), "--dataplane", "sim", "-vs", "198.18.0.1", "-cfg", cfg, "-p", "5683"),
                cfg + " line 1: no real server in [Real Servers]");
        assertBadInput(CliRun.of("replay", f.input(), "--dataplane", "sim", "-vs", "198.18.0.1", "-cfg",
                dir.resolve("none.cfg"), "-p", "5683"), "cannot read real-server file", "no such file");
    }

    @Test
    void aScenarioFileConfiguresTheReplay() throws IOException {
        Fixture f = fixture("round-robin-v4");
        Path scenario = dir.resolve("fleet.yaml");
        Files.writeString(scenario, "name: fleet\nlimits: {maxPorts: 2, maxRealServers: 4, maxAssociations: 16}\n"
                + "config:\n  vip: 198.18.0.1\n  ports: [5683]\n  realServers: [198.18.1.1, 198.18.1.2, 198.18.1.3]\n"
                + "steps:\n  - expectAssociationCount: 0\n");
        CliRun run = CliRun.of("replay", f.input(), "--dataplane", "sim", "--scenario", scenario, "--expect", f.expected());
        assertThat(run.exitCode()).as("%s", run).isZero();

        // its limits hold, and -mrs overrides them
        assertBadInput(CliRun.of("replay", f.input(), "--dataplane", "sim", "--scenario", scenario, "-mrs", "2"),
                "3 real servers configured, at most 2 allowed (-mrs)");
        assertBadInput(CliRun.of("replay", f.input(), "--dataplane", "sim", "--scenario", scenario, "-vs", "198.18.0.1"),
                "--scenario takes the configuration from " + scenario);
        Files.writeString(scenario, "name: [broken\n");
        CliRun broken = CliRun.of("replay", f.input(), "--dataplane", "sim", "--scenario", scenario);
        assertBadInput(broken, scenario.toString());
    }

    @Test
    void aFrameTooLongForTheXdpTestRunIsBadInputNamingItsRecord() throws IOException {
        Privileges.requireBpf();
        byte[] jumbo = UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 5683)
                .payload(new byte[4000]).build().toFrame().bytes();
        byte[] small = UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 5683)
                .payload(new byte[10]).build().toFrame().bytes();
        Path in = dir.resolve("jumbo.pcap");
        Files.write(in, PcapBytes.ethernet().record(1, 0, small).record(2, 0, jumbo).bytes());
        CliRun run = CliRun.of("replay", in, "--dataplane", "xdp", CONFIG);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).startsWith("sbulb replay: " + in + ": record 2 (log index 1, " + jumbo.length
                + " bytes): the xdp dataplane cannot run it: frame of " + jumbo.length + " bytes exceeds the 3520 bytes")
                .doesNotContain("\tat ");
        // the model has no such limit
        assertThat(CliRun.of("replay", in, "--dataplane", "sim", CONFIG).exitCode()).isZero();
    }

    @Test
    @Timeout(60)
    void withoutPrivilegesXdpSaysWhatItNeedsAndOffersSim() {
        Privileges.requireBpf(); // the point is the difference: this process may load BPF, its child may not
        String java = ProcessHandle.current().info().command().orElseThrow();
        Fixture f = fixture("reply-v4");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--", java,
                "-cp", System.getProperty("java.class.path"), Sbulb.class.getName(),
                "replay", f.input().toString(), "--dataplane", "xdp"));
        cmd.addAll(f.balancerArgs());
        ExternalTools.Run run = ExternalTools.run(cmd);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.stderr()).as("%s", run).startsWith("sbulb replay: the xdp dataplane needs root (CAP_BPF and "
                + "CAP_PERFMON, or CAP_SYS_ADMIN) to load its XDP program (").contains("Operation not permitted")
                .endsWith("--dataplane sim replays through the reference model instead").doesNotContain("\tat ");
    }

    @Test
    void helpListsTheOptionsAndExitStatuses() {
        CliRun run = CliRun.of("replay", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: sbulb replay", "CAPTURE", "--dataplane", "-vs, --virtual_server",
                "-rs, --real_server", "-cfg, --config_file", "-p, --port", "-mp, --max_ports", "-mrs, --max_realservers",
                "-ma, --max_associations", "[Real Servers]", "--scenario", "--out", "--log", "--expect", "-l, --loglevel", "Exit status:");
    }

    @Test
    void helpListsTheDataplanesFoundAndAnUnknownOneIsNamedWithThem() {
        CliRun run = CliRun.of("replay", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("The dataplane to replay through: xdp, sim", "Dataplanes (--dataplane):")
                .containsPattern("(?m)^  xdp +the XDP program in the running kernel")
                .containsPattern("(?m)^  sim +the pure-Java reference model");
        assertThat(run.out().indexOf("Dataplanes (--dataplane):")).isLessThan(run.out().indexOf("Exit status:"));
        CliRun unknown = CliRun.of("replay", "nothing.pcap", "--dataplane", "dpdk", CONFIG);
        assertBadInput(unknown, "--dataplane: no dataplane named 'dpdk'; the dataplanes found are xdp, sim");
    }
}
