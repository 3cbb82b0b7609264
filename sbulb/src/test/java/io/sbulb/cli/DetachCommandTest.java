package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.host.HostFacts;
import io.sbulb.xdp.pin.PinOwner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sbulb detach says it needs root rather than answer wrongly about state it cannot see. */
class DetachCommandTest {

    @TempDir
    Path root;

    private HostFacts hostWithUids(String uids) throws IOException {
        Path status = root.resolve("proc/self/status");
        Files.createDirectories(status.getParent());
        Files.writeString(status, "Name:\tjava\nUid:\t" + uids + "\nGid:\t0\t0\t0\t0\n");
        return new HostFacts(root);
    }

    @Test
    void aUserWithoutRootIsToldWhatItNeeds() throws IOException {
        assertThatThrownBy(() -> DetachCommand.requireRoot(hostWithUids("1000\t1000\t1000\t1000")))
                .isInstanceOf(PinOwner.OwnedException.class)
                .hasMessage("sbulb detach needs root: the pinned state is root's only (this is user 1000)");
        assertThatThrownBy(() -> DetachCommand.requireRoot(hostWithUids("1000\t1000\t1000\t1000"), "drain"))
                .hasMessage("sbulb drain needs root: the pinned state is root's only (this is user 1000)");
    }

    @Test
    void theEffectiveUidDecides() throws IOException {
        assertThatCode(() -> DetachCommand.requireRoot(hostWithUids("1000\t0\t0\t0"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> DetachCommand.requireRoot(hostWithUids("0\t65534\t65534\t65534")))
                .hasMessageContaining("this is user 65534");
    }
}
