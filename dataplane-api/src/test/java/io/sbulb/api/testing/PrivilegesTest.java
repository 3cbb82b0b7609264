package io.sbulb.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.host.HostFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Why BPF is not usable, on fake roots: each reason names what it read. */
class PrivilegesTest {

    @TempDir
    Path root;

    private void status(String capEff) throws IOException {
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nCapEff:\t" + capEff + "\n");
    }

    @Test
    void anEmptyRootHasNoCapabilitiesToRead() {
        assertThat(Privileges.missingBpf(new HostFacts(root))).contains("/proc/self/status");
    }

    @Test
    void withoutCapabilitiesTheReasonSaysWhich() throws IOException {
        status("0000000000000000");
        assertThat(Privileges.missingBpf(new HostFacts(root))).contains("CAP_SYS_ADMIN", "CAP_BPF");
    }

    @Test
    void rootWithoutBtfNamesTheBtfPath() throws IOException {
        status("000001ffffffffff");
        assertThat(Privileges.missingBpf(new HostFacts(root))).contains("/sys/kernel/btf/vmlinux");
        Files.createDirectories(root.resolve("sys/kernel/btf"));
        Files.writeString(root.resolve("sys/kernel/btf/vmlinux"), "");
        assertThat(Privileges.missingBpf(new HostFacts(root))).isNull();
    }
}
