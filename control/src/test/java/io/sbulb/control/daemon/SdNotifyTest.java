package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(30)
class SdNotifyTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static String text(UnixDatagram receiver) throws UnixSocketException {
        return new String(receiver.receive(WAIT).orElseThrow(() -> new AssertionError("no datagram within " + WAIT)),
                StandardCharsets.UTF_8);
    }

    @Test
    void withoutNotifySocketNothingIsSentAndNothingFails() {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("NOTIFY_SOCKET", ""),
                Map.of("NOTIFY_SOCKET", "relative/notify"), Map.of("NOTIFY_SOCKET", "vsock:2:1234"),
                Map.of("NOTIFY_SOCKET", "/" + "p".repeat(200)))) {
            SdNotify n = SdNotify.fromEnvironment(env);
            assertThat(n.enabled()).as("%s", env).isFalse();
            assertThat(n.address()).isEmpty();
            n.ready("up");
            n.status("fine");
            n.stopping("bye");
        }
        assertThat(SdNotify.disabled().enabled()).isFalse();
    }

    @Test
    void eachCallIsOneDatagramOfNewlineSeparatedAssignments() throws Exception {
        String path = dir.resolve("notify").toString();
        try (UnixDatagram systemd = UnixDatagram.bind(path)) {
            SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path));
            assertThat(n.enabled()).isTrue();
            assertThat(n.address()).hasValue(path);
            n.ready("balancing 198.18.0.1:5683 over 3 real servers");
            n.status("2 real servers (198.18.1.3 removed)");
            n.stopping("stopping: SIGTERM");
            assertThat(text(systemd)).isEqualTo("READY=1\nSTATUS=balancing 198.18.0.1:5683 over 3 real servers");
            assertThat(text(systemd)).isEqualTo("STATUS=2 real servers (198.18.1.3 removed)");
            assertThat(text(systemd)).isEqualTo("STOPPING=1\nSTATUS=stopping: SIGTERM");
            assertThat(systemd.receive(Duration.ZERO)).isEmpty();
        }
    }

    @Test
    void anAbstractNotifySocketIsReached() throws Exception {
        String name = UnixDatagramTest.abstractName();
        try (UnixDatagram systemd = UnixDatagram.bind(name)) {
            SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", name)).ready("up");
            assertThat(text(systemd)).isEqualTo("READY=1\nSTATUS=up");
        }
    }

    @Test
    void aStatusIsOneLineOfUtf8() throws Exception {
        String name = UnixDatagramTest.abstractName();
        try (UnixDatagram systemd = UnixDatagram.bind(name)) {
            SdNotify n = SdNotify.to(name);
            n.status("file rs.cfg line 3: 'x' is bad\nkeeping\r\nthe running list\r(3 servers) — ok");
            assertThat(text(systemd)).isEqualTo("STATUS=file rs.cfg line 3: 'x' is bad keeping the running list "
                    + "(3 servers) — ok");
        }
    }

    @Test
    void aLongStatusIsCutToFitSystemdsBufferOnACharacterBoundary() throws Exception {
        String name = UnixDatagramTest.abstractName();
        try (UnixDatagram systemd = UnixDatagram.bind(name)) {
            SdNotify n = SdNotify.to(name);
            n.ready("é".repeat(3000)); // 2 bytes each: "READY=1\nSTATUS=" (15 bytes) leaves room for 2040
            byte[] got = systemd.receive(WAIT).orElseThrow();
            assertThat(got.length).isLessThanOrEqualTo(SdNotify.MAX_DATAGRAM_BYTES);
            assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("READY=1\nSTATUS=" + "é".repeat(2040));
            n.status("😀".repeat(2000)); // 4 bytes each, 2 UTF-16 chars: never half of one
            assertThat(new String(systemd.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8))
                    .isEqualTo("STATUS=" + "😀".repeat((4096 - 7) / 4));
        }
    }

    @Test
    void aNotifierWithNobodyListeningNeverThrowsAndWarnsOnce() {
        Logger log = (Logger) LoggerFactory.getLogger(SdNotify.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Level before = log.getLevel();
        log.setLevel(Level.DEBUG);
        log.addAppender(events);
        try {
            String nobody = dir.resolve("nobody").toString();
            SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", nobody));
            assertThat(n.enabled()).isTrue();
            n.ready("up");
            n.status("still up");
            n.stopping("down");
            SdNotify.to(UnixDatagramTest.abstractName()).ready("up"); // another notifier warns once too
            List<String> lines = new ArrayList<>();
            for (ILoggingEvent e : events.list) {
                lines.add(e.getLevel() + " " + e.getFormattedMessage());
            }
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).isEqualTo("WARN cannot notify systemd (READY=1, further failures are logged at "
                    + "DEBUG): sendto " + nobody + ": No such file or directory (errno 2)");
            assertThat(lines.get(1)).isEqualTo("DEBUG cannot notify systemd (STATUS=still up): sendto " + nobody
                    + ": No such file or directory (errno 2)");
            assertThat(lines.get(2)).startsWith("DEBUG cannot notify systemd (STOPPING=1): ");
            assertThat(lines.get(3)).startsWith("WARN cannot notify systemd (READY=1, ")
                    .endsWith("Connection refused (errno 111)");
        } finally {
            log.detachAppender(events);
            log.setLevel(before);
        }
    }

    /**
     * An independent receiver: Python's socket module binds the address (an abstract name the
     * way Python spells it, "\0name") and prints each datagram as a JSON string. A wrong address
     * length on our side would name another socket, and nothing would arrive.
     */
    @Test
    void pythonsSocketModuleReceivesExactlyTheDatagrams() throws Exception {
        String script = """
                import json, socket, sys
                address, count = sys.argv[1], int(sys.argv[2])
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind("\\0" + address[1:] if address.startswith("@") else address)
                print("bound", flush=True)
                s.settimeout(10)
                for _ in range(count):
                    print(json.dumps(s.recv(65536).decode("utf-8")), flush=True)
                """;
        ObjectMapper json = new ObjectMapper();
        for (String address : List.of(dir.resolve("py.sock").toString(), UnixDatagramTest.abstractName())) {
            Path stderr = dir.resolve("python.err");
            Process python = new ProcessBuilder("/usr/bin/python3", "-c", script, address, "3")
                    .redirectError(stderr.toFile()).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertThat(out.readLine()).as("python's first line (its errors in %s)", stderr).isEqualTo("bound");
                SdNotify n = SdNotify.fromEnvironment(new HashMap<>(Map.of("NOTIFY_SOCKET", address)));
                n.ready("balancing over 3 real servers");
                n.status("real servers: 198.18.1.1 198.18.1.2\n(one removed)");
                n.stopping("bye — SIGTERM");
                List<String> got = new ArrayList<>();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    got.add(json.readValue(line, String.class));
                }
                assertThat(python.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(python.exitValue()).as("python: %s", Files.readString(stderr)).isZero();
                assertThat(got).as("received at %s", address).containsExactly(
                        "READY=1\nSTATUS=balancing over 3 real servers",
                        "STATUS=real servers: 198.18.1.1 198.18.1.2 (one removed)",
                        "STOPPING=1\nSTATUS=bye — SIGTERM");
            } finally {
                python.destroyForcibly();
            }
        }
    }
}
