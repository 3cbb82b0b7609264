package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.host.HostFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default --pin-dir is the host's only when this network namespace is provably PID 1's:
 * otherwise two sbulbs on interfaces of the same name in two namespaces would share a data path.
 */
class PinDirDefaultTest {

    @TempDir
    Path root;

    private HostFacts host(String self, String init) throws IOException {
        link("proc/self/ns/net", self);
        if (init != null) {
            link("proc/1/ns/net", init);
        }
        return new HostFacts(root);
    }

    private void link(String at, String target) throws IOException {
        Path p = root.resolve(at);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
    }

    @Test
    void theHostsNamespaceGetsTheHostsDirectory() throws IOException {
        assertThat(Sbulb.pinDirOf(null, "eth0", host("net:[4026531840]", "net:[4026531840]")).dir())
                .isEqualTo(Path.of("/sys/fs/bpf/sbulb/eth0"));
    }

    @Test
    void anotherNamespaceGetsItsOwn() throws IOException {
        assertThat(Sbulb.pinDirOf(null, "eth0.100", host("net:[4026532242]", "net:[4026531840]")).dir())
                .isEqualTo(Path.of("/sys/fs/bpf/sbulb/netns-4026532242/eth0:100"));
    }

    @Test
    void anUnreadableInitNamespaceIsNotTakenForOurs() throws IOException {
        assertThat(Sbulb.pinDirOf(null, "veth0", host("net:[4026531833]", null)).dir())
                .isEqualTo(Path.of("/sys/fs/bpf/sbulb/netns-4026531833/veth0"));
    }

    @Test
    void aGivenDirectoryIsUsedAsItIs() throws IOException {
        assertThat(Sbulb.pinDirOf(Path.of("/run/lb/state"), "eth0", host("net:[1]", "net:[2]")).dir())
                .isEqualTo(Path.of("/run/lb/state"));
    }
}
