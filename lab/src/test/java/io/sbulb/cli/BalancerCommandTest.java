package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.testing.Privileges;
import io.sbulb.lab.Bpftool;
import io.sbulb.lab.Commands;
import io.sbulb.lab.Lab;
import io.sbulb.lab.SbulbProcess;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.Netns;
import io.sbulb.xdp.testing.PassProgram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sbulb IFNET ...}: the original's options and help, validation (exit 2, nothing
 * attached), attach refusals and fallbacks (exit 3 or a warning), stopping and fatal errors, all
 * on interfaces of a namespace made for the test; bpftool and ip say what is attached. Runs that
 * stop before the balancer's loop run in this JVM; the others are a process of their own.
 */
@Timeout(120)
class BalancerCommandTest {

    private static final String NS = "sbc" + ProcessHandle.current().pid();
    /** A veth end: native XDP. */
    private static final String VETH = "va";
    /** A bridge: no native XDP, generic only. */
    private static final String BRIDGE = "br0";
    private static final List<String> CONFIG = List.of("-vs", "198.18.0.10", "-rs", "198.18.2.11", "198.18.2.12",
            "-p", "5683");

    @TempDir
    static Path dir;

    @BeforeAll
    static void namespace() {
        Privileges.requireNetAdmin();
        Commands.run("ip", "netns", "add", NS);
        Commands.run("ip", "-n", NS, "link", "add", VETH, "type", "veth", "peer", "name", "vb");
        Commands.run("ip", "-n", NS, "link", "add", BRIDGE, "type", "bridge");
        for (String dev : List.of(VETH, "vb", BRIDGE)) {
            Commands.run("ip", "-n", NS, "link", "set", dev, "up");
        }
    }

    @AfterAll
    static void removeNamespace() {
        Commands.run(List.of("ip", "netns", "del", NS), true);
    }

    @AfterEach
    void nothingIsLeftAttached() {
        for (String dev : List.of(VETH, BRIDGE)) {
            assertThat(Lab.xdpOn(NS, dev)).as("XDP on %s after the test", dev).isEmpty();
        }
    }

    private static CliRun inNamespace(Object... args) {
        return Netns.call(NS, () -> CliRun.of(args));
    }

    static Stream<Arguments> badInput() throws IOException {
        Path empty = Files.writeString(Files.createTempFile("sbulb-empty", ".cfg"), "[Real Servers]\n# none yet\n");
        Path malformed = Files.writeString(Files.createTempFile("sbulb-bad", ".cfg"), "[Real Servers]\n198.18.2.1x\n");
        Path noSection = Files.writeString(Files.createTempFile("sbulb-nosection", ".cfg"), "198.18.2.11\n");
        empty.toFile().deleteOnExit();
        malformed.toFile().deleteOnExit();
        noSection.toFile().deleteOnExit();
        return Stream.of(
                Arguments.of("invalid VIP", List.of(VETH, "-vs", "198.18.0.256", "-rs", "198.18.2.11", "-p", "5683"),
                        "-vs: '198.18.0.256'"),
                Arguments.of("invalid real server", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11", "rs2",
                        "-p", "5683"), "rs2"),
                Arguments.of("real server of the other family", List.of(VETH, "-vs", "198.18.0.10", "-rs", "fd00::11",
                        "-p", "5683"), "real server fd00::11 is IPv6 but the virtual server 198.18.0.10 is IPv4"),
                Arguments.of("more ports than -mp", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11", "-p",
                        "1", "2", "3", "-mp", "2"), "3 ports configured, at most 2 allowed (-mp)"),
                Arguments.of("more real servers than -mrs", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11",
                        "198.18.2.12", "-p", "5683", "-mrs", "1"), "2 real servers configured, at most 1 allowed (-mrs)"),
                Arguments.of("port 0", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11", "-p", "0"),
                        "port 0 is outside 1..65535"),
                Arguments.of("port 65536", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11", "-p", "65536"),
                        "port 65536 is outside 1..65535"),
                Arguments.of("empty -rs", List.of(VETH, "-vs", "198.18.0.10", "-rs", "-p", "5683"),
                        "-rs needs at least one address"),
                Arguments.of("empty config file", List.of(VETH, "-vs", "198.18.0.10", "-cfg", empty, "-p", "5683"),
                        "no real server in [Real Servers]"),
                Arguments.of("malformed config file", List.of(VETH, "-vs", "198.18.0.10", "-cfg", malformed, "-p",
                        "5683"), "line 2: '198.18.2.1x'"),
                Arguments.of("config file without its section", List.of(VETH, "-vs", "198.18.0.10", "-cfg", noSection,
                        "-p", "5683"), "[Real Servers]"),
                Arguments.of("unreadable config file", List.of(VETH, "-vs", "198.18.0.10", "-cfg", "/nonexistent/rs.cfg",
                        "-p", "5683"), "cannot read real-server file /nonexistent/rs.cfg"),
                Arguments.of("-rs and -cfg", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11", "-cfg", empty,
                        "-p", "5683"), "give real servers with -rs or with -cfg, not both"),
                Arguments.of("unknown interface", List.of("nosuch0", CONFIG), "no network interface 'nosuch0' here"),
                Arguments.of("interface name too long", List.of("abcdefghijklmnop", CONFIG), "at most 15 allowed"),
                Arguments.of("no interface", CONFIG, "missing ifnet"),
                Arguments.of("-ma 0", List.of(VETH, CONFIG, "-ma", "0"), "max associations (-ma) is 0, must be between 1 and"),
                Arguments.of("-mp too large", List.of(VETH, CONFIG, "-mp", "70000"), "max ports (-mp) is 70000"),
                Arguments.of("-mrs not a number", List.of(VETH, CONFIG, "-mrs", "many"), "'many'"),
                Arguments.of("-d 5", List.of(VETH, CONFIG, "-d", "5"), "-d: 5 is not one of 0, 1, 2, 3, 4"),
                Arguments.of("-l unknown", List.of(VETH, CONFIG, "-l", "loud"), "loud"),
                Arguments.of("no -vs", List.of(VETH, "-rs", "198.18.2.11", "-p", "5683"), "missing -vs"),
                Arguments.of("no -p", List.of(VETH, "-vs", "198.18.0.10", "-rs", "198.18.2.11"), "missing -p"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputIsExitStatus2WithTheValueNamedAndNothingAttached(String what, List<Object> args, String message) {
        CliRun run = inNamespace(args.toArray());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).as("%s", run).startsWith("sbulb: ").contains(message).doesNotContain("\tat ");
    }

    @Test
    void anAttachedProgramIsNotReplacedWithoutReplaceAndItIsNamed() {
        try (PassProgram pass = PassProgram.load();
             XdpAttachment other = Netns.call(NS, () -> pass.attach(NetInterface.byName(VETH), AttachOptions.DEFAULT))) {
            CliRun run = inNamespace(VETH, CONFIG);
            assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.FAILURE);
            assertThat(run.err()).as("%s", run).contains("va already has XDP program " + pass.id()
                    + " 'xdp_pass' attached (native mode); give --replace to replace it").doesNotContain("\tat ");
            assertThat(Bpftool.xdp(NS, VETH)).get().extracting(Bpftool.Xdp::id).isEqualTo(pass.id());
        }
    }

    @Test
    void nativeModeOnADriverWithoutItFailsAndLeavesTheInterfaceAsItWas() {
        CliRun run = inNamespace(BRIDGE, CONFIG, "--xdp-mode", "native");
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.err()).as("%s", run).contains("br0 cannot run XDP in native mode").doesNotContain("\tat ");
    }

    @Test
    void withoutNativeXdpItFallsBackToGenericWithAWarningAndSigintDetaches() throws Exception {
        try (SbulbProcess sbulb = SbulbProcess.start(NS, withArgs(BRIDGE, CONFIG), null, runDir())) {
            Bpftool.Xdp xdp = awaitAttached(sbulb, BRIDGE);
            assertThat(xdp.mode()).isEqualTo("generic");
            assertThat(Lab.xdpOn(NS, BRIDGE)).get().extracting(Lab.AttachedXdp::mode).isEqualTo("generic");
            assertThat(sbulb.out()).contains("warning: the driver of br0 cannot run XDP in native mode");
            Commands.run("kill", "-INT", String.valueOf(sbulb.pid()));
            assertThat(sbulb.await(Duration.ofSeconds(20))).as("%s", sbulb).hasValue(0);
            assertThat(sbulb.out()).contains("stopping: SIGINT", "detached from br0");
        }
    }

    @Test
    void replaceTakesOverAProgramAttachedByIpLinkAndDebug3PrintsTheVerifierLog() throws Exception {
        Path obj = dir.resolve("xdp_pass.bpf.o");
        Files.write(obj, PassProgram.objectImage());
        Commands.run("ip", "-n", NS, "link", "set", "dev", VETH, "xdp", "obj", obj.toString(), "sec", "xdp");
        int old = Bpftool.xdp(NS, VETH).orElseThrow().id();
        try (SbulbProcess sbulb = SbulbProcess.start(NS, withArgs(VETH, CONFIG, "--replace", "-d", "3"), null,
                runDir())) {
            Bpftool.Xdp xdp = awaitAttached(sbulb, VETH);
            assertThat(xdp.id()).isNotEqualTo(old);
            assertThat(Bpftool.programName(xdp.id())).isEqualTo("sbulb_xdp");
            assertThat(sbulb.out()).contains("replacing program " + old + " 'xdp_pass'");
            assertThat(sbulb.err()).contains("BEGIN PROG LOAD LOG", "processed");
            assertThat(sbulb.terminate(Duration.ofSeconds(20))).as("%s", sbulb).hasValue(0);
        }
    }

    /** A script's background job inherits SIGINT ignored: sbulb says so, and SIGTERM still stops it. */
    @Test
    void aSigintIgnoredByTheParentIsReportedAndSigtermStillStops() throws Exception {
        try (SbulbProcess sbulb = SbulbProcess.start(NS, withArgs(VETH, CONFIG), null, runDir(),
                "--ignore-signal=INT")) {
            awaitAttached(sbulb, VETH);
            assertThat(sbulb.out()).contains("warning: SIGINT is ignored (inherited from the parent process");
            Commands.run("kill", "-TERM", String.valueOf(sbulb.pid()));
            assertThat(sbulb.await(Duration.ofSeconds(20))).as("%s", sbulb).hasValue(0);
            assertThat(sbulb.out()).contains("stopping: SIGTERM", "detached from va");
        }
    }

    @Test
    void aProgramDetachedBehindItsBackIsFatalExitStatus3() throws Exception {
        try (SbulbProcess sbulb = SbulbProcess.start(NS, withArgs(VETH, CONFIG), null, runDir())) {
            awaitAttached(sbulb, VETH);
            String link = sbulb.out().replaceAll("(?s).*BPF link (\\d+).*", "$1");
            Commands.run("bpftool", "link", "detach", "id", link);
            assertThat(sbulb.await(Duration.ofSeconds(20))).as("%s", sbulb).hasValue(ExitCodes.FAILURE);
            assertThat(sbulb.err()).as("%s", sbulb).contains("is no longer attached to va", "stopped");
        }
    }

    @Test
    void itsInterfaceDeletedWhileRunningIsFatalExitStatus3() throws Exception {
        Commands.run("ip", "-n", NS, "link", "add", "vc", "type", "veth", "peer", "name", "vd");
        Commands.run("ip", "-n", NS, "link", "set", "vc", "up");
        try (SbulbProcess sbulb = SbulbProcess.start(NS, withArgs("vc", CONFIG), null, runDir())) {
            awaitAttached(sbulb, "vc");
            Commands.run("ip", "-n", NS, "link", "del", "vc");
            assertThat(sbulb.await(Duration.ofSeconds(20))).as("%s", sbulb).hasValue(ExitCodes.FAILURE);
            assertThat(sbulb.err()).as("%s", sbulb).contains("vc is gone", "stopped").doesNotContain("\tat ");
        }
    }

    @Test
    void withoutPrivilegesItSaysWhatItNeedsInOneLine() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", java,
                "-cp", System.getProperty("java.class.path"), Sbulb.class.getName(), "lo"));
        cmd.addAll(CONFIG);
        Commands.Output run = Commands.run(cmd, true);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.out().strip()).as("%s", run).startsWith("sbulb: loading and attaching the XDP program needs root")
                .contains("Operation not permitted").doesNotContain("\tat ").doesNotContain("\n");
    }

    private static Path runDir() throws IOException {
        return Files.createTempDirectory(dir, "run");
    }

    private static List<String> withArgs(Object... args) {
        List<String> list = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof List<?> l) {
                l.forEach(x -> list.add(String.valueOf(x)));
            } else {
                list.add(String.valueOf(a));
            }
        }
        return list;
    }

    /** Waits (bounded) until sbulb says it is attached; returns what bpftool sees. */
    private static Bpftool.Xdp awaitAttached(SbulbProcess sbulb, String dev) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!sbulb.out().contains("running;")) {
            assertThat(sbulb.isAlive()).as("%s", sbulb).isTrue();
            assertThat(System.nanoTime()).as("sbulb attached within 60 s: %s", sbulb).isLessThan(deadline);
            Thread.sleep(50);
        }
        Optional<Bpftool.Xdp> xdp = Bpftool.xdp(NS, dev);
        assertThat(xdp).as("bpftool on %s: %s", dev, sbulb).isPresent();
        return xdp.get();
    }
}
