package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class UnixDatagramTest {

    @TempDir
    Path dir;

    static String abstractName() {
        return "@sbulb-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    private static byte[] family() {
        return ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) 1).array(); // AF_UNIX
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Test
    void aPathAddressIsTheFamilyThePathAndItsNul() {
        assertThat(UnixDatagram.sockaddr("/run/systemd/notify")).isEqualTo(
                concat(family(), "/run/systemd/notify".getBytes(StandardCharsets.US_ASCII), new byte[] {0}));
    }

    @Test
    void anAbstractAddressIsTheFamilyANulAndTheNameWithoutTrailingNuls() {
        // length offsetof(sun_path) + 1 + len, not sizeof(struct sockaddr_un): the kernel takes
        // every byte of an abstract name up to the length, so padding would change the name
        byte[] a = UnixDatagram.sockaddr("@sbulb/notify");
        assertThat(a).isEqualTo(concat(family(), new byte[] {0}, "sbulb/notify".getBytes(StandardCharsets.US_ASCII)));
        assertThat(a).hasSize(2 + 1 + 12);
    }

    @Test
    void anAddressMustFitSunPath() {
        assertThat(UnixDatagram.sockaddr("/" + "p".repeat(106))).hasSize(2 + 108);
        assertThat(UnixDatagram.sockaddr("@" + "n".repeat(107))).hasSize(2 + 108);
        String path = "/" + "p".repeat(107);
        assertThatThrownBy(() -> UnixDatagram.sockaddr(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AF_UNIX socket path '" + path + "' is 108 bytes, longer than the 107 that fit sun_path "
                        + "(108 bytes with its NUL)");
        String name = "@" + "n".repeat(108);
        assertThatThrownBy(() -> UnixDatagram.sockaddr(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("abstract AF_UNIX name '" + name + "' is 108 bytes, longer than the 107 that fit sun_path "
                        + "(108 bytes with its NUL)");
        // bytes, not characters
        assertThatThrownBy(() -> UnixDatagram.sockaddr("/" + "é".repeat(60)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is 121 bytes");
        assertThatThrownBy(() -> UnixDatagram.sockaddr("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnixDatagram.sockaddr("@")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("abstract AF_UNIX name '@' is empty");
        assertThatThrownBy(() -> UnixDatagram.sockaddr("/tmp/a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AF_UNIX address '/tmp/a\\0b' holds a NUL byte");
    }

    @Test
    void aPathOfTheLongestLengthBinds() throws Exception {
        Path deep = dir;
        while (deep.toString().length() < 80) {
            deep = deep.resolve("d");
        }
        Files.createDirectories(deep);
        String path = deep + "/" + "s".repeat(107 - deep.toString().length() - 1);
        assertThat(path).hasSize(107);
        try (UnixDatagram receiver = UnixDatagram.bind(path); UnixDatagram sender = UnixDatagram.open()) {
            sender.send(path, new byte[] {42});
            assertThat(receiver.receive(Duration.ofSeconds(5))).hasValue(new byte[] {42});
        }
    }

    @Test
    void aDatagramArrivesWholeAtAPathAndAtAnAbstractName() throws Exception {
        for (String address : new String[] {dir.resolve("s.sock").toString(), abstractName()}) {
            try (UnixDatagram receiver = UnixDatagram.bind(address); UnixDatagram sender = UnixDatagram.open()) {
                assertThat(receiver.localAddress()).hasValue(address);
                byte[] big = new byte[5000];
                Arrays.fill(big, (byte) 7);
                sender.send(address, "READY=1".getBytes(StandardCharsets.UTF_8));
                sender.send(address, big);
                sender.send(address, new byte[0]);
                assertThat(receiver.receive(Duration.ofSeconds(5)))
                        .hasValue("READY=1".getBytes(StandardCharsets.UTF_8));
                assertThat(receiver.receive(Duration.ofSeconds(5))).hasValue(big);
                assertThat(receiver.receive(Duration.ofSeconds(5))).hasValue(new byte[0]);
            }
        }
    }

    @Test
    void receiveReturnsNothingWhenTheTimeoutPasses() throws Exception {
        try (UnixDatagram receiver = UnixDatagram.bind(abstractName())) {
            long start = System.nanoTime();
            assertThat(receiver.receive(Duration.ofMillis(50))).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            assertThat(receiver.receive(Duration.ZERO)).isEmpty();
        }
    }

    @Test
    void failuresCarryErrnoItsTextAndTheAddress() throws Exception {
        String nobody = dir.resolve("nobody.sock").toString();
        try (UnixDatagram sender = UnixDatagram.open()) {
            assertThatThrownBy(() -> sender.send(nobody, new byte[1])).isInstanceOf(UnixSocketException.class)
                    .hasMessage("sendto " + nobody + ": No such file or directory (errno 2)")
                    .satisfies(e -> assertThat(((UnixSocketException) e).errno()).isEqualTo(2));
            String gone = dir.resolve("gone.sock").toString();
            UnixDatagram.bind(gone).close(); // the file stays, nobody reads it any more
            assertThatThrownBy(() -> sender.send(gone, new byte[1])).isInstanceOf(UnixSocketException.class)
                    .hasMessage("sendto " + gone + ": Connection refused (errno 111)");
            String name = abstractName();
            assertThatThrownBy(() -> sender.send(name, new byte[1])).isInstanceOf(UnixSocketException.class)
                    .hasMessage("sendto " + name + ": Connection refused (errno 111)");
        }
        String taken = dir.resolve("taken.sock").toString();
        try (UnixDatagram first = UnixDatagram.bind(taken)) {
            assertThatThrownBy(() -> UnixDatagram.bind(taken)).isInstanceOf(UnixSocketException.class)
                    .hasMessage("bind " + taken + ": Address already in use (errno 98)");
        }
        String noDir = dir.resolve("missing/s.sock").toString();
        assertThatThrownBy(() -> UnixDatagram.bind(noDir)).isInstanceOf(UnixSocketException.class)
                .hasMessage("bind " + noDir + ": No such file or directory (errno 2)");
    }

    @Test
    void aClosedSocketRefusesUseAndClosesTwiceQuietly() throws Exception {
        UnixDatagram s = UnixDatagram.open();
        s.close();
        s.close();
        assertThatThrownBy(() -> s.send("@x", new byte[1])).isInstanceOf(IllegalStateException.class)
                .hasMessage("the AF_UNIX socket (unbound) is closed");
    }
}
