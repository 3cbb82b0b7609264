package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.LruParameters;
import io.sbulb.api.RealServer;
import io.sbulb.control.config.ServicesFile;
import io.sbulb.sim.ReferenceDataplane;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining by command (issue 16): a tool's line on the daemon's control socket (a real Unix
 * socket) sets a real server to weight 0 over the file's, the data path (the reference model)
 * runs it at once, the drain is kept in its file across a restart of the daemon, and a server
 * that leaves the file leaves the drain. Refusals change nothing. The daemon's time is driven
 * through its scheduler while a thread asks.
 */
@Timeout(30)
class ControlDaemonTest {

    private static final String SERVICES = """
            services:
              - name: coap
                vip: 198.18.0.1
                ports: [5683]
                real-servers: [198.18.1.1, {address: 198.18.1.2, weight: 2}, {address: 198.18.1.3, weight: 0}]
            """;
    private static final IpAddress RS1 = IpAddress.parse("198.18.1.1");

    @TempDir
    Path dir;

    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);
    private ReferenceDataplane model;
    private Daemon daemon;
    private long now;

    private Path socket() {
        return dir.resolve("run/sbulb.sock");
    }

    private Path store() {
        return dir.resolve("run/sbulb.drains");
    }

    private Daemon start(Path file) {
        ServicesFile.Contents parsed = ServicesFile.parse(readUnchecked(file), file.toString());
        model = new ReferenceDataplane(parsed.limits(), LruParameters.detect(), 0);
        DataplaneConfig config = parsed.config();
        daemon = Daemon.start(new Daemon.Settings("eth0", config, file, Daemon.FileFormat.SERVICES)
                        .withControl(socket(), store()), model, out, SdNotify.disabled(), () -> { }, e -> { });
        daemon.scheduler(now);
        return daemon;
    }

    private static String readUnchecked(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void close() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Sends {@code line} as {@code sbulb drain} does, running the daemon's tasks until it answers. */
    private String ask(String line) throws InterruptedException {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                return ControlSocket.ask(socket(), line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        while (!f.isDone()) {
            Thread.sleep(2);
            now = DaemonTest.pass(daemon, now, Daemon.POLL_MILLIS);
        }
        return f.join();
    }

    private int weight(String address) {
        return model.configuration().service("coap").orElseThrow().realServers().stream()
                .filter(r -> r.address().equals(IpAddress.parse(address))).mapToInt(RealServer::weight).findFirst()
                .orElse(-1);
    }

    private Path file(String content) throws IOException {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void aDrainByCommandRunsAtOnceAndIsKeptAcrossARestart() throws Exception {
        Path f = file(SERVICES);
        start(f);
        assertThat(Files.getPosixFilePermissions(socket())).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(ask("drain coap 198.18.1.1"))
                .isEqualTo("ok: service coap server 198.18.1.1 drains: it keeps its clients and takes no new one");
        assertThat(weight("198.18.1.1")).isZero();
        assertThat(weight("198.18.1.2")).isEqualTo(2);
        assertThat(text.toString()).contains("sbulb: service coap server 198.18.1.1 drains: it keeps its clients and "
                + "takes no new one (by command)\n", "sbulb:   service coap [0] 198.18.1.1 -> 198.18.1.1*0\n");
        assertThat(ask("status")).isEqualTo("ok: balancing 1 service on eth0 over 3 real servers; 1 draining by command");
        assertThat(ask("drain coap 198.18.1.1")).isEqualTo("ok: service coap server 198.18.1.1 already drains (by command)");
        assertThat(Files.readString(store())).isEqualTo("coap 198.18.1.1\n");

        daemon.close();
        assertThat(socket()).as("the socket goes with the daemon").doesNotExist();
        text.getBuffer().setLength(0);
        start(f);
        assertThat(weight("198.18.1.1")).as("kept across the restart").isZero();
        assertThat(text.toString()).contains("sbulb: service coap server 198.18.1.1 drains (by command, kept in "
                + store() + ")");
        assertThat(ask("undrain coap 198.18.1.1")).isEqualTo("ok: service coap server 198.18.1.1 takes new clients "
                + "again (weight 1)");
        assertThat(weight("198.18.1.1")).isEqualTo(1);
        assertThat(Files.readString(store())).isEmpty();
    }

    @Test
    void refusalsNameWhatIsWrongAndChangeNothing() throws Exception {
        start(file(SERVICES));
        DataplaneConfig before = model.configuration();
        assertThat(ask("drain web 198.18.1.1")).isEqualTo("error: no service web in the running configuration");
        assertThat(ask("drain coap 198.18.1.9")).isEqualTo("error: service coap has no real server 198.18.1.9");
        assertThat(ask("drain coap 198.18.1")).startsWith("error: ").contains("198.18.1");
        assertThat(ask("drain coap")).isEqualTo("error: usage: drain SERVICE SERVER");
        assertThat(ask("undrain coap 198.18.1.3")).isEqualTo("error: service coap server 198.18.1.3 has weight 0 in the "
                + "configuration: give it a weight there to end its drain");
        assertThat(ask("drain coap 198.18.1.3")).isEqualTo("ok: service coap server 198.18.1.3 already drains: weight 0 "
                + "in the configuration");
        assertThat(ask("halt")).isEqualTo("error: unknown command 'halt': the commands are drain SERVICE SERVER, "
                + "undrain SERVICE SERVER, status");
        assertThat(model.configuration()).isEqualTo(before);
        assertThat(store()).doesNotExist();
    }

    @Test
    void aServerThatLeavesTheFileLeavesItsDrain() throws Exception {
        Path f = file(SERVICES);
        start(f);
        assertThat(ask("drain coap 198.18.1.1")).startsWith("ok: ");
        Files.writeString(f, SERVICES.replace("[198.18.1.1, ", "["));
        now = DaemonTest.pass(daemon, now, 300);
        assertThat(text.toString()).contains("sbulb: service coap server 198.18.1.1 left the configuration: its drain "
                + "by command is forgotten");
        Files.writeString(f, SERVICES);
        now = DaemonTest.pass(daemon, now, 300);
        assertThat(weight("198.18.1.1")).as("back in the file, with the file's weight").isEqualTo(1);
        assertThat(Files.readString(store())).isEmpty();
    }

    @Test
    void aDamagedDrainFileIsSkippedLineByLineAndTheDaemonRuns() throws Exception {
        Files.createDirectories(store().getParent());
        Files.writeString(store(), "coap 198.18.1.2\nnonsense\ncoap 198.18.1.1 extra\n");
        start(file(SERVICES));
        assertThat(weight("198.18.1.2")).isZero();
        assertThat(text.toString()).contains("sbulb: warning: " + store() + ": line 'nonsense' skipped",
                "sbulb: warning: " + store() + ": line 'coap 198.18.1.1 extra' skipped");
        assertThat(weight("198.18.1.1")).isEqualTo(1);
    }

    @Test
    void aLineTooLongOrNeverEndedIsAnsweredWithAnErrorAndTheChannelServesTheNext() throws Exception {
        start(file(SERVICES));
        assertThat(ask("x".repeat(ControlSocket.MAX_LINE + 10)))
                .isEqualTo("error: a command is longer than " + ControlSocket.MAX_LINE + " bytes");
        try (SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.connect(UnixDomainSocketAddress.of(socket()));
            silent.write(ByteBuffer.wrap("drain coap".getBytes(StandardCharsets.UTF_8))); // no end of line
            ByteBuffer in = ByteBuffer.allocate(200);
            int n = silent.read(in); // blocks until the channel gives up on it
            assertThat(new String(in.array(), 0, Math.max(0, n), StandardCharsets.UTF_8))
                    .isEqualTo("error: a command did not come within " + ControlSocket.READ_MILLIS + " ms\n");
        }
        assertThat(ask("status")).startsWith("ok: balancing 1 service");
    }

    @Test
    void aSocketSomeoneListensOnIsNotTakenAStaleOneIs() throws Exception {
        start(file(SERVICES));
        assertThatThrownBy(() -> ControlSocket.open(socket(), r -> { }))
                .hasMessage("cannot listen on " + socket() + ": another process listens on it (is another sbulb running "
                        + "on this data path?)");
        assertThat(ask("status")).as("still the first daemon's").startsWith("ok: ");
        daemon.close();
        daemon = null;
        // a socket file whose process is gone (killed: no close removed it)
        try (java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel.open(
                StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertThat(socket()).exists();
        try (ControlSocket s = ControlSocket.open(socket(), r -> r.answer().complete("ok: here"))) {
            assertThat(ControlSocket.ask(socket(), "status")).isEqualTo("ok: here");
        }
        assertThat(socket()).as("removed by its close").doesNotExist();
    }
}
