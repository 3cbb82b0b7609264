package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Counter;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import io.sbulb.api.testing.Privileges;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path MTU discovery through sbulb (issue 20), end to end, for each family: the client's link is
 * narrower (1280 bytes) than the rest of the lab (1500). A real server answers its client through
 * the VIP with a datagram too large for that link; the gateway drops it and sends its "sender", the
 * VIP, an ICMP "fragmentation needed" / ICMPv6 "packet too big"; sbulb forwards that error to the
 * real server that owns the client (ICMP_ERROR_TO_REAL_SERVER, the quoted source rewritten to the
 * server), whose kernel learns the path MTU towards the client as if it owned the VIP. The
 * gateway is the router of the narrow link and the balancer's next hop at once: its error leaves
 * for the VIP by its route to the VIP (IPv4 and IPv6 alike) and comes back from sbulb with the
 * gateway's own address as source (the lab has it accept that, LabOptions.withClientLinkMtu).
 *
 * <p>Don't fragment: the echo servers' sockets are plain {@link java.net.DatagramSocket}s, which
 * Java 17 leaves at Linux's default path MTU discovery (IP_PMTUDISC_WANT, IPV6_PMTUDISC_WANT): DF
 * is set while a datagram fits the path MTU the kernel knows, and IPv6 routers never fragment. The
 * test shows it rather than assuming it: the first large datagram never reaches the client (a
 * gateway may fragment a datagram without DF, and would then send no error at all) and the server
 * learns the MTU only after it.
 *
 * <p>What the server does next is up to its application. Once it knows 1280, its kernel fragments
 * a larger datagram sent again (WANT does not refuse it with EMSGSIZE, as IP_PMTUDISC_DO would), and
 * the balancer drops fragments from a real server (FRAGMENT_FROM_REAL_SERVER: it cannot tell whose
 * they are without reassembly): that datagram is lost. A server that sends within the path MTU it
 * learned (Java has no IP_MTU getter; this test reads the kernel's route as such an application
 * would read IP_MTU) reaches the client.
 */
@Timeout(120)
class PathMtuEndToEndTest {

    private static final int PORT = 5683;
    private static final int MTU = 1280;
    /** UDP payload of the large datagram: 1428 bytes of IPv4 or 1448 of IPv6, over 1280, under 1500. */
    private static final int LARGE = 1400;
    private static final Duration REPLY = Duration.ofSeconds(2);
    /** How long a server may take to learn the path MTU, and the balancer to count a frame. */
    private static final Duration LEARN = Duration.ofSeconds(5);
    /** How long the client listens for a datagram that must not come (it would arrive in a few ms). */
    private static final Duration NOT_COMING = Duration.ofMillis(500);

    @TempDir
    static Path dir;

    static final LabSession session = new LabSession();
    static Lab lab;

    /** One family's setting: its VIP, the client's address, the IP header length, its servers' addresses. */
    record Family(String name, IpAddress vip, IpAddress client, int ipHeader, int clientPort,
                  IntFunction<IpAddress> realServer) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Family> families() {
        return Stream.of(
                new Family("IPv4, fragmentation needed", Lab.VIP, Lab.CLIENT, 20, 42000, i -> lab.realServer(i)),
                new Family("IPv6, packet too big", Lab.VIP6, Lab.CLIENT6, 40, 42001, i -> lab.realServer6(i)));
    }

    @BeforeAll
    static void startTheBalancerWithAServicePerFamily() throws IOException {
        Privileges.requireNetAdmin();
        lab = session.lab = Lab.create(Lab.uniquePrefix(), 2, LabOptions.DEFAULT.withClientLinkMtu(MTU));
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        for (int i = 1; i <= lab.realServerCount(); i++) {
            session.servers.add(EchoServer.start("rs" + i, lab.realServerNetns(i), PORT));
            v4.add("\"" + lab.realServer(i) + "\"");
            v6.add("\"" + lab.realServer6(i) + "\"");
        }
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, LabSession.servicesFile(LabSession.service("udp4", Lab.VIP, PORT, v4),
                LabSession.service("udp6", Lab.VIP6, PORT, v6)));
        // trace: the event log names every frame, the ICMP error it forwarded included
        assertThat(session.startSbulb(dir, List.of(Lab.LB_INTERFACE, "--config", file.toString(), "-l", "trace")))
                .as("READY=1 from %s", session.sbulb).isTrue();
    }

    @AfterAll
    static void tearDown() {
        session.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void aRealServerLearnsThePathMtuToItsClientFromTheErrorSentToTheVip(Family f) {
        InetSocketAddress vip = new InetSocketAddress(LabSession.address(f.vip()), PORT);
        InetSocketAddress clientAddress = new InetSocketAddress(LabSession.address(f.client()), f.clientPort());
        int program = Bpftool.xdp(lab.lbNetns(), Lab.LB_INTERFACE).orElseThrow().id();
        LabClient client = LabClient.open(lab.clientNetns(), f.clientPort());
        session.clients.put(f.name(), client);
        for (int i = 1; i <= lab.realServerCount(); i++) {
            assertThat(Lab.pathMtu(lab.realServerNetns(i), f.client())).as("rs%d learned nothing yet", i).isEmpty();
        }
        Counter errors0 = Bpftool.counter(program, Reason.ICMP_ERROR_TO_REAL_SERVER);
        Counter fragments0 = Bpftool.counter(program, Reason.FRAGMENT_FROM_REAL_SERVER);

        // the association: a small request through the VIP, echoed by the server that owns the client
        Optional<LabClient.Reply> hello = client.exchange(vip, "hello", REPLY);
        assertThat(hello).as("echo of the request, %s", session.sbulb).isPresent();
        assertThat(hello.get().from()).isEqualTo(vip);
        int owner = Integer.parseInt(hello.get().server().substring(2));
        int other = owner % lab.realServerCount() + 1;
        EchoServer server = session.servers.get(owner - 1);
        String ownerNs = lab.realServerNetns(owner);

        // a datagram too large for the client's link, from the server's service port through the VIP
        long sent = System.nanoTime();
        server.send(clientAddress, filler(server, LARGE));
        OptionalInt learned = LabSession.poll(() -> Lab.pathMtu(ownerNs, f.client()), OptionalInt::isPresent, LEARN);
        long learnedMs = (System.nanoTime() - sent) / 1_000_000;
        Counter errors1 = Bpftool.counter(program, Reason.ICMP_ERROR_TO_REAL_SERVER);
        System.out.printf("%s: rs%d learned path MTU %s towards %s %d ms after its %d-byte datagram;"
                        + " ICMP errors forwarded to a real server %d -> %d%n", f, owner,
                learned.isPresent() ? learned.getAsInt() : "none", f.client(),
                learnedMs, LARGE, errors0.packets(), errors1.packets());
        assertThat(learned).as("path MTU rs%d learned towards the client, %s", owner, session.sbulb).hasValue(MTU);
        assertThat(client.receive(NOT_COMING)).as("the large datagram (DF: dropped by the gateway)").isEmpty();
        assertThat(errors1.packets() - errors0.packets()).as("errors forwarded to a real server (bpftool)").isEqualTo(1);
        assertThat(Lab.pathMtu(lab.realServerNetns(other), f.client())).as("rs%d, not the owner", other).isEmpty();
        assertThat(session.awaitErr("ICMP error about a client → " + f.realServer().apply(owner), LEARN.toMillis()))
                .as("the event log names the error and its server: %s", session.sbulb.err()).isTrue();

        // the same datagram again: the server's kernel now fragments it, and the balancer drops
        // fragments from a real server
        server.send(clientAddress, filler(server, LARGE));
        Counter fragments1 = LabSession.poll(() -> Bpftool.counter(program, Reason.FRAGMENT_FROM_REAL_SERVER),
                c -> c.packets() >= fragments0.packets() + 2, LEARN);
        System.out.printf("%s: the %d-byte datagram sent again left rs%d in %d fragments, dropped by the balancer%n",
                f, LARGE, owner, fragments1.packets() - fragments0.packets());
        assertThat(fragments1.packets() - fragments0.packets()).as("its fragments dropped (bpftool)").isEqualTo(2);
        assertThat(client.receive(NOT_COMING)).as("the large datagram sent again, fragmented").isEmpty();

        // within the path MTU it learned, the server reaches its client, from the VIP
        int fits = learned.getAsInt() - f.ipHeader() - 8;
        String text = filler(server, fits);
        server.send(clientAddress, text);
        Optional<LabClient.Reply> r = client.receive(REPLY);
        assertThat(r).as("a %d-byte datagram (the path MTU's), %s", fits, session.sbulb).isPresent();
        assertThat(r.get().from()).isEqualTo(vip);
        assertThat(r.get().text()).hasSize(fits).isEqualTo(server.name() + "|" + text);
        assertThat(Bpftool.counter(program, Reason.ICMP_ERROR_TO_REAL_SERVER).packets() - errors0.packets())
                .as("no error since").isEqualTo(1);
        System.out.printf("%s: a %d-byte datagram (IP packet of %d bytes) reached the client from %s%n", f, fits,
                learned.getAsInt(), r.get().from());
    }

    /** The text that makes {@code server}'s datagram ({@code NAME|text}) {@code bytes} bytes of payload. */
    private static String filler(EchoServer server, int bytes) {
        return "x".repeat(bytes - server.name().length() - 1);
    }
}
