package io.sbulb.control.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.control.config.ConfigFileWatcher.Changed;
import io.sbulb.control.config.ConfigFileWatcher.Invalid;
import io.sbulb.control.config.ConfigFileWatcher.Meta;
import io.sbulb.control.config.ConfigFileWatcher.Missing;
import io.sbulb.control.config.ConfigFileWatcher.Poll;
import io.sbulb.control.config.ConfigFileWatcher.Restored;
import io.sbulb.control.config.ConfigFileWatcher.Unchanged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher is driven by calling {@code poll()} right after changing the file: no thread, no
 * sleep. A new content is acted on by the second poll that sees it ({@link #settle}).
 */
@Timeout(10)
class ConfigFileWatcherTest {

    private static final List<IpAddress> FLEET = servers("198.18.1.1", "198.18.1.2", "198.18.1.3");
    private static final Unchanged UNCHANGED = new Unchanged();

    @TempDir
    Path dir;
    Path file;

    private static final Limits LIMITS = new Limits(4, 3, 64);

    private static DataplaneConfig cfg(List<IpAddress> servers) {
        return DataplaneConfig.of(IpAddress.parse("198.18.0.1"), List.of(5683), servers);
    }

    private static List<IpAddress> servers(String... texts) {
        return Stream.of(texts).map(IpAddress::parse).toList();
    }

    private static String ini(String... addresses) {
        return "[Real Servers]\n" + String.join("\n", addresses) + "\n";
    }

    @BeforeEach
    void writeTheRunningFile() throws IOException {
        file = dir.resolve("rs.cfg");
        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
    }

    /** A watcher of the running file, its first content settled. */
    private ConfigFileWatcher started() {
        ConfigFileWatcher w = ConfigFileWatcher.realServers(file, cfg(FLEET), LIMITS);
        assertThat(settle(w)).isEqualTo(UNCHANGED);
        return w;
    }

    /** The first poll after a change only notes the new content; the second acts on it. */
    private static Poll settle(ConfigFileWatcher w) {
        assertThat(w.poll()).as("the first poll that sees a new content").isEqualTo(UNCHANGED);
        return w.poll();
    }

    /** A FIFO in the file's place would block the daemon's loop in open(): it is reported, and the list kept. */
    @Test
    @Timeout(10)
    void aFifoInTheFilesPlaceIsReportedWithoutBlocking() throws Exception {
        ConfigFileWatcher w = started();
        Files.delete(file);
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        Poll p = settle(w);
        assertThat(p).isInstanceOf(Invalid.class);
        assertThat(((Invalid) p).error()).hasMessageContaining("not a regular file");
        assertThat(w.current()).isEqualTo(cfg(FLEET));
        Files.delete(file);
        Files.writeString(file, ini("198.18.1.7"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.7"))));
    }

    @Test
    void aChangedListIsReportedOnceAndBecomesTheRunningOne() throws IOException {
        ConfigFileWatcher w = started();
        Files.writeString(file, ini("198.18.1.1", "198.18.1.3"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.1", "198.18.1.3"))));
        assertThat(w.current()).isEqualTo(cfg(servers("198.18.1.1", "198.18.1.3")));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.poll()).isEqualTo(UNCHANGED);
    }

    @Test
    void aFileChangedBeforeTheFirstPollIsReportedAgainstTheRunningList() throws IOException {
        ConfigFileWatcher w = ConfigFileWatcher.realServers(file, cfg(FLEET), LIMITS);
        Files.writeString(file, ini("198.18.1.9"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.9"))));
    }

    @Test
    void aSameSizeRewriteWithinOneTimestampTickIsSeen() throws IOException {
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(file, old);
        // metadata frozen as a coarse timestamp tick leaves it (size, mtime, ctime, inode): only the bytes change
        Meta frozen = Meta.of(file);
        ConfigFileWatcher w = ConfigFileWatcher.realServers(file, cfg(FLEET), LIMITS, f -> frozen);
        assertThat(settle(w)).isEqualTo(UNCHANGED);
        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.4"));
        Files.setLastModifiedTime(file, old);
        assertThat(Files.size(file)).isEqualTo(frozen.size());
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.1", "198.18.1.2", "198.18.1.4"))));
    }

    @Test
    void aListEqualToTheRunningOneIsUnchangedWhateverElseChanged() throws IOException {
        ConfigFileWatcher w = started();
        Files.writeString(file, "# the CoAP fleet, rack 1\n[Real Servers]\r\n  198.18.1.1\n; spare\n198.18.1.2\n"
                + "198.18.1.3\n[Other]\nx = 1\n");
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.current()).isEqualTo(cfg(FLEET));
    }

    @Test
    void aFileTruncatedThenWrittenIsNeverReportedInvalidNorHalfApplied() throws IOException {
        ConfigFileWatcher w = started();
        Files.write(file, new byte[0]); // echo ... > rs.cfg: truncated first
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        Files.writeString(file, "[Real Servers]\n198.18.1.1\n"); // then written, in two steps
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        Files.writeString(file, ini("198.18.1.1", "198.18.1.4"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.poll()).isEqualTo(new Changed(cfg(servers("198.18.1.1", "198.18.1.4"))));
    }

    @Test
    void anInvalidFileIsReportedOnceAndTheRunningListKept() throws IOException {
        ConfigFileWatcher w = started();
        Files.writeString(file, ini("198.18.1.1", "198.18.1.x"));
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error())
                .hasMessage(file + " line 3: '198.18.1.x' is not an IPv4 or IPv6 address literal"));
        for (int i = 0; i < 3; i++) {
            assertThat(w.poll()).isEqualTo(UNCHANGED);
        }
        assertThat(w.current()).isEqualTo(cfg(FLEET));

        Files.writeString(file, "[Real Servers]\n");
        assertThat(settle(w)).as("another bad content").isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error())
                .hasMessage(file + " line 1: no real server in [Real Servers]; give at least one address"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);

        Files.writeString(file, ini("198.18.1.4"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.4"))));
    }

    @Test
    void aFileFixedBackToTheRunningListIsRestored() throws IOException {
        ConfigFileWatcher w = started();
        Files.writeString(file, "198.18.1.1\n");
        assertThat(settle(w)).isInstanceOf(Invalid.class);
        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        assertThat(settle(w)).isEqualTo(new Restored(cfg(FLEET)));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
    }

    @Test
    void anUnreadableFileIsInvalidOnce() throws IOException {
        ConfigFileWatcher w = started();
        Files.delete(file);
        Files.createDirectory(file);
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error())
                .hasMessage("cannot read real-server file " + file + ": it is a directory"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        Files.delete(file);
        Files.write(file, new byte[] {(byte) 0xff, '\n'});
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error())
                .hasMessage("cannot read real-server file " + file + ": it is not UTF-8 text"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
    }

    @Test
    void aDeletedFileIsMissingOnceAndJudgedAfreshWhenItComesBack() throws IOException {
        ConfigFileWatcher w = started();
        Files.delete(file);
        assertThat(settle(w)).isEqualTo(new Missing());
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.current()).isEqualTo(cfg(FLEET));

        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        assertThat(settle(w)).as("back with the running list").isEqualTo(new Restored(cfg(FLEET)));

        Files.delete(file);
        assertThat(settle(w)).isEqualTo(new Missing());
        Files.writeString(file, ini("198.18.1.2"));
        assertThat(settle(w)).as("back with another list").isEqualTo(new Changed(cfg(servers("198.18.1.2"))));
    }

    @Test
    void aFileMissingForOnePollOnlyIsNotReported() throws IOException {
        ConfigFileWatcher w = started();
        Files.delete(file);
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.poll()).isEqualTo(UNCHANGED);
    }

    @Test
    void aFileReplacedByRenameIsPickedUp() throws IOException {
        ConfigFileWatcher w = started();
        Path tmp = dir.resolve(".rs.cfg.swp");
        Files.writeString(tmp, ini("198.18.1.3", "198.18.1.2", "198.18.1.1")); // same size, new inode
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.3", "198.18.1.2", "198.18.1.1"))));
    }

    @Test
    void aRetargetedSymlinkIsFollowedAsKubernetesSwapsConfigMaps() throws IOException {
        // rs.cfg -> ..data/rs.cfg, ..data -> ..v1: a ConfigMap volume; an update swaps ..data
        Path v1 = Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(v1.resolve("rs.cfg"), ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Files.delete(file);
        Files.createSymbolicLink(file, Path.of("..data/rs.cfg"));
        ConfigFileWatcher w = started();

        Path v2 = Files.createDirectory(dir.resolve("..v2"));
        Files.writeString(v2.resolve("rs.cfg"), ini("198.18.1.1", "198.18.1.2", "198.18.1.4"));
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.1", "198.18.1.2", "198.18.1.4"))));

        Files.delete(v2.resolve("rs.cfg")); // the link now dangles
        assertThat(settle(w)).isEqualTo(new Missing());
    }

    @Test
    void aListTheCheckRefusesIsInvalidOnceAndNeverCurrent() throws IOException {
        ConfigFileWatcher w = ConfigFileWatcher.realServers(file, cfg(FLEET), LIMITS);
        assertThat(settle(w)).isEqualTo(UNCHANGED);

        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.1.4"));
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error())
                .hasMessage(file + ": service default: 4 real servers configured, at most 3 allowed (-mrs)"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        Files.writeString(file, ini("fd00:1::1"));
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error())
                .hasMessage(file + ": service default: real server fd00:1::1 is IPv6 but the virtual server 198.18.0.1 is IPv4"));
        assertThat(w.current()).isEqualTo(cfg(FLEET));
        Files.writeString(file, ini("198.18.1.4"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.4"))));
    }

    @Test
    void aRejectedListIsReportedOnceAndTheRunningOneKept() throws IOException {
        ConfigFileWatcher w = started();
        assertThatThrownBy(() -> w.reject(new ConfigException("x"))).isInstanceOf(IllegalStateException.class)
                .hasMessage("reject() follows a Changed returned by the last poll()");

        Files.writeString(file, ini("198.18.1.4"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.4"))));
        assertThat(w.reject(new ConfigException("the dataplane refused it")).error())
                .hasMessage(file + ": the dataplane refused it");
        assertThat(w.current()).isEqualTo(cfg(FLEET));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThatThrownBy(() -> w.reject(new ConfigException("x"))).isInstanceOf(IllegalStateException.class);

        Files.writeString(file, ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        assertThat(settle(w)).as("the file back to the running list").isEqualTo(new Restored(cfg(FLEET)));
    }

    @Test
    void aLargeFileRewrittenWithinOneTimestampTickIsSeenWhileItsMtimeIsRecent() throws IOException {
        String padding = "#".repeat((int) ConfigFileWatcher.ALWAYS_READ_BYTES) + "\n";
        Files.writeString(file, padding + ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        // metadata frozen as a coarse timestamp tick would leave it: only the bytes change
        Meta frozen = Meta.of(file);
        ConfigFileWatcher w = ConfigFileWatcher.realServers(file, cfg(FLEET), LIMITS, f -> frozen);
        assertThat(settle(w)).isEqualTo(UNCHANGED);
        Files.writeString(file, padding + ini("198.18.1.1", "198.18.1.2", "198.18.1.4"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.1", "198.18.1.2", "198.18.1.4"))));
    }

    @Test
    void aLargeOldFileIsReadOnlyWhenItsMetadataChanges() throws IOException {
        String padding = "#".repeat((int) ConfigFileWatcher.ALWAYS_READ_BYTES) + "\n";
        Files.writeString(file, padding + ini("198.18.1.1", "198.18.1.2", "198.18.1.3"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        ConfigFileWatcher w = ConfigFileWatcher.realServers(file, cfg(FLEET), LIMITS);
        assertThat(settle(w)).isEqualTo(UNCHANGED);
        int reads = w.reads();
        for (int i = 0; i < 5; i++) {
            assertThat(w.poll()).isEqualTo(UNCHANGED);
        }
        assertThat(w.reads()).as("reads of an unchanged old large file").isEqualTo(reads);

        Files.writeString(file, padding + ini("198.18.1.1", "198.18.1.2", "198.18.1.4"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.1", "198.18.1.2", "198.18.1.4"))));

        // a small file is read at every poll, whatever its metadata says
        Files.writeString(file, ini("198.18.1.1"));
        assertThat(settle(w)).isEqualTo(new Changed(cfg(servers("198.18.1.1"))));
        int before = w.reads();
        w.poll();
        w.poll();
        assertThat(w.reads()).isEqualTo(before + 2);
    }

    @Test
    void aNewContentIsSettlingUntilTheNextPollConfirmsIt() throws IOException {
        ConfigFileWatcher w = started();
        assertThat(w.settling()).isFalse();
        Files.writeString(file, ini("198.18.1.2"));
        assertThat(w.poll()).isEqualTo(UNCHANGED);
        assertThat(w.settling()).as("seen once: the loop polls again soon").isTrue();
        assertThat(w.poll()).isEqualTo(new Changed(cfg(servers("198.18.1.2"))));
        assertThat(w.settling()).isFalse();
    }

    @Test
    void aServicesFileGivesTheWholeConfigurationAndItsErrorsTheirLine() throws IOException {
        Path yaml = dir.resolve("services.yaml");
        Files.writeString(yaml, ServicesFileTest.EXAMPLE);
        Limits limits = new Limits(4, 6, 4096, 8);
        DataplaneConfig running = ServicesFile.parse(ServicesFileTest.EXAMPLE, "x").config();
        ConfigFileWatcher w = ConfigFileWatcher.services(yaml, running, limits);
        assertThat(settle(w)).isEqualTo(UNCHANGED);

        Files.writeString(yaml, ServicesFileTest.EXAMPLE.replace("weight: 3}", "weight: 2}"));
        Poll p = settle(w);
        assertThat(p).isInstanceOf(Changed.class);
        assertThat(((Changed) p).config().service("coap-v4").orElseThrow().realServers().get(1).weight()).isEqualTo(2);

        Files.writeString(yaml, ServicesFileTest.EXAMPLE.replace("max-ports: 4", "max-ports: 5"));
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error()).hasMessage(yaml
                + " line 4, column 3: max-ports is 5 but the data path runs with 4: the limits are fixed at start; "
                + "restart sbulb to change them"));
        Files.writeString(yaml, ServicesFileTest.EXAMPLE.replace("[5683, 5684]", "[5683, 5684, 1, 2, 3]"));
        assertThat(settle(w)).isInstanceOfSatisfying(Invalid.class, i -> assertThat(i.error()).hasMessage(yaml
                + " line 8, column 5: service coap-v4: 5 ports configured, at most 4 allowed (limits: max-ports)"));
        assertThat(w.poll()).as("reported once").isEqualTo(UNCHANGED);
        assertThat(w.current().service("coap-v4").orElseThrow().realServers().get(1).weight()).isEqualTo(2);
    }
}
