package io.sbulb.api.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the host door does on a fake root: fallbacks that say where they came from, messages that name the path. */
class HostFactsTest {

    @TempDir
    Path root;

    static void write(Path root, String absolute, String text) throws IOException {
        Path p = root.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void anEmptyRootFallsBackToTheJvmAndSaysSo() {
        HostFacts h = new HostFacts(root);
        assertThat(h.possibleCpus().value()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(h.possibleCpus().source()).contains("JVM", "no /sys/devices/system/cpu/possible",
                "no /sys/devices/system/cpu/present", "no /sys/devices/system/cpu/online");
        assertThat(h.onlineCpus().source()).contains("JVM", "no /sys/devices/system/cpu/online");
        assertThat(h.kernelRelease().value()).isEqualTo(System.getProperty("os.version"));
        assertThat(h.kernelRelease().source()).contains("os.version", "no /proc/sys/kernel/osrelease");
        assertThat(h.read("/proc/stat")).isEmpty();
        assertThat(h.lines("/proc/stat")).isEmpty();
        assertThat(h.list("/proc")).isEmpty();
        assertThat(h.status("self", "CapEff")).isEmpty();
    }

    @Test
    void aFactWithoutFallbackNamesTheMissingPath() {
        HostFacts h = new HostFacts(root);
        assertThatThrownBy(() -> h.require("/proc/sys/net/core/rmem_max", "the socket buffer limit"))
                .isInstanceOf(HostFacts.MissingFact.class)
                .hasMessageContaining("the socket buffer limit").hasMessageContaining("/proc/sys/net/core/rmem_max");
        assertThatThrownBy(() -> h.readLink("/proc/thread-self/ns/net")).isInstanceOf(HostFacts.MissingFact.class)
                .hasMessageContaining("/proc/thread-self/ns/net");
    }

    @Test
    void possibleCpusFallBackToPresentThenOnline() throws IOException {
        write(root, "/sys/devices/system/cpu/online", "0-1\n");
        HostFacts h = new HostFacts(root);
        assertThat(h.possibleCpus()).isEqualTo(new HostFacts.Fact<>(2,
                "/sys/devices/system/cpu/online (no /sys/devices/system/cpu/possible; no /sys/devices/system/cpu/present)"));
        write(root, "/sys/devices/system/cpu/present", "0-3\n");
        assertThat(h.possibleCpus()).isEqualTo(new HostFacts.Fact<>(4,
                "/sys/devices/system/cpu/present (no /sys/devices/system/cpu/possible)"));
        write(root, "/sys/devices/system/cpu/possible", "0-7\n");
        assertThat(h.possibleCpus()).isEqualTo(new HostFacts.Fact<>(8, "/sys/devices/system/cpu/possible"));
        assertThat(h.onlineCpus()).isEqualTo(new HostFacts.Fact<>(2, "/sys/devices/system/cpu/online"));
    }

    @Test
    void anUnreadableCpuListIsPassedOverAndNamed() throws IOException {
        write(root, "/sys/devices/system/cpu/possible", "garbage");
        write(root, "/sys/devices/system/cpu/present", "0-2");
        assertThat(new HostFacts(root).possibleCpus()).isEqualTo(new HostFacts.Fact<>(3,
                "/sys/devices/system/cpu/present (/sys/devices/system/cpu/possible unreadable: garbage)"));
    }

    @Test
    void statusFieldsAndLinksAreReadUnderTheRoot() throws IOException {
        write(root, "/proc/self/status", "Name:\tjava\nCapEff:\t000001ffffffffff\nVmRSS:\t  1234 kB\n");
        Files.createDirectories(root.resolve("proc/thread-self/ns"));
        Files.createSymbolicLink(root.resolve("proc/thread-self/ns/net"), Path.of("net:[4026531840]"));
        HostFacts h = new HostFacts(root);
        assertThat(h.status("self", "CapEff")).contains("000001ffffffffff");
        assertThat(h.status("self", "VmRSS")).contains("1234 kB");
        assertThat(h.readLink("/proc/thread-self/ns/net")).isEqualTo("net:[4026531840]");
    }

    @Test
    void lruParametersAreDetectedFromTheFakeRoot() throws IOException {
        write(root, "/sys/devices/system/cpu/possible", "0-7\n");
        write(root, "/proc/sys/kernel/osrelease", "6.15.2-test\n");
        HostFacts h = new HostFacts(root);
        assertThat(LruParameters.detect(h)).isEqualTo(new LruParameters(8, BatchRule.BEFORE_6_16));
        assertThat(LruParameters.sources(h)).isEqualTo("possible CPUs: /sys/devices/system/cpu/possible; "
                + "kernel release: /proc/sys/kernel/osrelease");
    }

    @Test
    void theSystemRootIsTheRealOne() {
        assertThat(HostFacts.SYSTEM.path("/proc/stat")).isEqualTo(Path.of("/proc/stat"));
        assertThat(new HostFacts(root).path("/proc/stat")).isEqualTo(root.resolve("proc/stat"));
    }
}
