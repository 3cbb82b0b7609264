package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.host.HostFacts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's sysctl writes go to files named through the host door, and only to sysctl keys. */
class LabSysctlTest {

    @TempDir
    Path root;

    @Test
    void aSysctlKeyIsAFileUnderProcSysOfTheRoot() {
        assertThat(Lab.sysctlPath(new HostFacts(root), "net/ipv4/conf/lb0/rp_filter"))
                .isEqualTo(root.resolve("proc/sys/net/ipv4/conf/lb0/rp_filter"));
        assertThat(Lab.sysctlPath(HostFacts.SYSTEM, "net/ipv4/ip_forward")).isEqualTo(Path.of("/proc/sys/net/ipv4/ip_forward"));
    }

    @Test
    void whatIsNotASysctlKeyIsRefused() {
        for (String bad : new String[] {"../../etc/passwd", "net/ipv4/ip_forward; rm x", "", "/net/ipv4"}) {
            assertThatThrownBy(() -> Lab.sysctlPath(HostFacts.SYSTEM, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sysctl key");
        }
    }
}
