package io.sbulb.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.pcap.testing.Captures;
import io.sbulb.pcap.testing.ExternalTools;
import io.sbulb.pcap.testing.PcapBytes;
import io.sbulb.sim.ReferenceDataplane;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the replay's outputs go, and what happens to them when something goes wrong. */
class ReplayOutputsTest {

    @TempDir
    Path dir;

    private Dataplane dp;
    private Path capture;

    @BeforeEach
    void setUp() throws IOException {
        dp = new ReferenceDataplane(new Limits(4, 4, 64), new LruParameters(2, LruParameters.BatchRule.SINCE_6_16));
        dp.configure(DataplaneConfig.of(IpAddress.parse("198.18.0.1"), List.of(5683), List.of(IpAddress.parse("198.18.1.1"))));
        capture = dir.resolve("in.pcap");
        Files.write(capture, PcapBytes.ethernet().record(1, 0, toVip(40000)).record(2, 0, toVip(40001)).bytes());
    }

    @AfterEach
    void tearDown() {
        dp.close();
    }

    private static byte[] toVip(int port) {
        return UdpFrame.builder().source("198.18.2.1", port).destination("198.18.0.1", 5683).payload("hi".getBytes())
                .build().toFrame().bytes();
    }

    @Test
    void aNewOutputIsReadableByAllAndAReplacedOneKeepsItsMode() throws IOException {
        Path out = dir.resolve("out.pcap");
        Replay.through(dp).transmittedTo(out).run(capture);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-r--r--");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-rw----"));
        Replay.through(dp).transmittedTo(out).run(capture);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-rw----");
        assertThat(Captures.read(out)).hasSize(2);
    }

    @Test
    void aSymbolicLinkIsFollowedAndStaysALink() throws IOException {
        Path real = Files.createDirectories(dir.resolve("sub")).resolve("real.pcap");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), real);
        Replay.through(dp).transmittedTo(link).run(capture);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Captures.read(real)).hasSize(2);
    }

    @Test
    void aDeviceIsWrittenThroughNotReplaced() {
        Path devNull = Path.of("/dev/null");
        Replay.through(dp).transmittedTo(devNull).logTo(devNull).run(capture);
        assertThat(Files.isRegularFile(devNull)).as("/dev/null is still a device").isFalse();
        assertThat(Files.exists(devNull)).isTrue();
    }

    @Test
    void pathsThatCannotBeWrittenAreRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> Replay.through(dp).transmittedTo(dir).run(capture)).isInstanceOf(OutputException.class)
                .hasMessage("output pcap " + dir + " is a directory");
        Path nowhere = dir.resolve("no/such/out.pcap");
        assertThatThrownBy(() -> Replay.through(dp).logTo(nowhere).run(capture)).isInstanceOf(OutputException.class)
                .hasMessage("log " + nowhere + ": directory " + nowhere.getParent() + " does not exist");
        assertThatThrownBy(() -> Replay.through(dp).logTo(Path.of("")).run(capture)).isInstanceOf(OutputException.class)
                .hasMessage("log: the path is empty");
        assertThat(dp.counters()).as("nothing was run").isEmpty();
    }

    @Test
    void noFileServesTwice() throws IOException {
        Path out = dir.resolve("out.pcap");
        Replay.through(dp).transmittedTo(out).run(capture);
        byte[] before = Files.readAllBytes(out);
        assertThatThrownBy(() -> Replay.through(dp).transmittedTo(out).expecting(out).run(capture))
                .isInstanceOf(OutputException.class)
                .hasMessage("output pcap " + out + " is the same file as the expected pcap: give each its own file");
        assertThatThrownBy(() -> Replay.through(dp).logTo(capture).run(capture)).isInstanceOf(OutputException.class)
                .hasMessageContaining("is the same file as the capture");
        assertThatThrownBy(() -> Replay.through(dp).transmittedTo(out).logTo(dir.resolve("./out.pcap")).run(capture))
                .isInstanceOf(OutputException.class).hasMessageContaining("is the same file as the output pcap");
        assertThat(Files.readAllBytes(out)).isEqualTo(before);
        assertThat(Files.readAllBytes(capture)).hasSize(24 + 2 * (16 + toVip(40000).length));
    }

    @Test
    void framesBeforeADamagedRecordAreStillLoggedThenTheErrorNamesIt() throws IOException {
        byte[] whole = Files.readAllBytes(capture);
        Path damaged = dir.resolve("damaged.pcap");
        Files.write(damaged, Arrays.copyOf(whole, whole.length - 3));
        StringWriter log = new StringWriter();
        assertThatThrownBy(() -> Replay.through(dp).logTo(log).run(damaged)).isInstanceOf(PcapException.class)
                .hasMessageContaining("record 2 cannot be read (after 1 good records)");
        assertThat(log.toString().lines()).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("{\"index\":0,"));
    }

    @Test
    void aFullDiskIsAnErrorNotATruncatedPcap() throws IOException {
        Privileges.requireNetAdmin(); // mounting a small tmpfs needs CAP_SYS_ADMIN
        Path small = Files.createDirectory(dir.resolve("small"));
        ExternalTools.Run mount = ExternalTools.run(List.of("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", small.toString()));
        assertThat(mount.exitCode()).as("mount: %s", mount.stderr()).isZero();
        try {
            PcapBytes big = PcapBytes.ethernet();
            for (int i = 0; i < 400; i++) {
                big.record(1, i, toVip(40000 + i % 4));
            }
            Path in = dir.resolve("big.pcap");
            Files.write(in, big.bytes());
            Path out = small.resolve("out.pcap");
            assertThatThrownBy(() -> Replay.through(dp).transmittedTo(out).run(in)).isInstanceOf(PcapException.class)
                    .hasMessageContaining("cannot write pcap " + out + ": only ").hasMessageContaining("(is the disk full?)")
                    .satisfies(e -> assertThat(((PcapException) e).writing()).isTrue());
            try (var files = Files.list(small)) {
                assertThat(files).as("no output, no temporary file").isEmpty();
            }
        } finally {
            ExternalTools.run(List.of("umount", small.toString()));
        }
    }
}
