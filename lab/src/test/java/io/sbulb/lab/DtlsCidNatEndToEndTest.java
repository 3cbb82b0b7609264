package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.testing.Privileges;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DTLS Connection IDs (RFC 9146) through a NAT (issue 20): Scandium DTLS clients with CID support
 * in the client namespace, behind the lab's gateway made a NAT ({@link LabOptions#withNat()}),
 * reach three Scandium DTLS servers through sbulb; the servers give CIDs of
 * {@value #CID_LENGTH} bytes that carry their node ids 1, 2, 3. Each client handshakes and
 * exchanges data; then the NAT forgets its mappings ({@link Lab#renat()}) and every client's next
 * records come from a new port.
 *
 * <p>Routed by (address, port) alone, sbulb takes a client's new port for a new client and gives
 * it the next server in turn: clients land on servers that have no session for their CID, get no
 * answer, and handshake again there (counted on the servers). With the service's
 * {@code dtls-cid} section, sbulb routes a record by the node id its CID carries: every client
 * keeps its server and its session, and no server completes a handshake more.
 *
 * <p>Scandium's MultiNodeConnectionIdGenerator (3.13.0, what DTLS_CONNECTION_ID_NODE_ID makes a
 * server use) writes {@code (byte) nodeId} as the CID's first byte, the rest random: the node id
 * is the whole byte at offset 0, one byte long, hence {@code node-id-offset: 0, node-id-size: 1}
 * and each server's {@code node-id} its DTLS_CONNECTION_ID_NODE_ID (Scandium requires at least 5
 * bytes of CID with a node id).
 */
@Timeout(600) // 6 clients take some 30 s; the 100-client measurement (sbulb.lab.cidClients) some 5 min
class DtlsCidNatEndToEndTest {

    private static final int PORT = 5684;
    /**
     * Clients per run: 6, or the system property {@code sbulb.lab.cidClients} for a measurement
     * (issue 20: handshakes per 100 rebinding clients, {@code -Dsbulb.lab.cidClients=100}).
     */
    private static final int CLIENTS = Integer.getInteger("sbulb.lab.cidClients", 6);
    /** The order the clients come back in after the NAT forgot them: shuffled with this seed. */
    private static final long ORDER_SEED = 20_261_207L;
    private static final int FIRST_PORT = 46000;
    private static final int CID_LENGTH = 6;
    /** How long a client waits for an answer before it takes its server for changed (see DtlsHealthEndToEndTest). */
    private static final Duration REPLY = Duration.ofSeconds(3);
    private static final InetSocketAddress VIP = new InetSocketAddress(LabSession.address(Lab.VIP), PORT);

    /** How sbulb routes the service's datagrams. */
    enum Routing {
        /** By the client's (address, port): what sbulb does without the service's dtls-cid section. */
        ADDRESS_PORT,
        /** By the node id in the DTLS record's CID: the service's dtls-cid section. */
        DTLS_CID
    }

    @TempDir
    Path dir;

    private final AtomicInteger sequence = new AtomicInteger();

    @ParameterizedTest(name = "{0}")
    @EnumSource(Routing.class)
    void clientsWhoseNatMappingChangesKeepTheirServerOnlyWhenRoutedByTheirCid(Routing routing) throws Exception {
        Privileges.requireNetAdmin();
        try (LabSession session = new LabSession()) {
            session.lab = Lab.create(Lab.uniquePrefix(), 3, LabOptions.DEFAULT.withNat());
            Path file = dir.resolve("services.yaml");
            Files.writeString(file, services(session, routing));
            DtlsPeers.Server[] servers = new DtlsPeers.Server[3];
            for (int i = 0; i < 3; i++) {
                servers[i] = DtlsPeers.Server.start("rs" + (i + 1), session.lab.realServerNetns(i + 1), PORT,
                        DtlsPeers.Cid.ofNode(CID_LENGTH, i + 1));
                session.peers.add(servers[i]);
            }
            assertThat(session.startSbulb(dir, List.of(Lab.LB_INTERFACE, "--config", file.toString(), "-l", "info")))
                    .as("READY=1 from %s", session.sbulb).isTrue();

            List<DtlsPeers.Client> clients = new ArrayList<>();
            String[] owner = new String[CLIENTS];
            int[] port = new int[CLIENTS];
            int[] natPorts = session.lab.natPorts();
            for (int i = 0; i < CLIENTS; i++) {
                DtlsPeers.Client c = DtlsPeers.Client.open(session.lab.clientNetns(), FIRST_PORT + i,
                        DtlsPeers.Cid.of(0)); // it uses the servers' CIDs and asks none for itself
                session.peers.add(c);
                clients.add(c);
                LabClient.Reply r = exchange(session, c);
                owner[i] = r.server();
                port[i] = DtlsPeers.seenPort(r);
                assertThat(DtlsPeers.seenFrom(r)).as("client %d reaches its server from the NAT's address", i)
                        .startsWith(Lab.GATEWAY_TO_LB + ":");
                assertThat(port[i]).as("client %d's port, chosen by the NAT", i).isBetween(natPorts[0], natPorts[1]);
            }
            assertThat(owner).as("round robin over 3 servers").containsOnly("rs1", "rs2", "rs3");
            assertThat(handshakes(servers)).as("one handshake per client, round robin")
                    .containsExactly(java.util.stream.IntStream.range(0, 3).map(s -> CLIENTS / 3 + (s < CLIENTS % 3 ? 1 : 0))
                            .toArray());

            int[] renat = session.lab.renat();
            int[] before = handshakes(servers);
            String[] was = owner.clone();
            List<Integer> moved = new ArrayList<>();
            // the clients come back in another order, as rebinding devices do (a fixed seed: the
            // same order every run); by (address, port), each new port is given the server in turn
            List<Integer> order = new ArrayList<>(java.util.stream.IntStream.range(0, CLIENTS).boxed().toList());
            java.util.Collections.shuffle(order, new java.util.Random(ORDER_SEED));
            for (int i : order) {
                LabClient.Reply r = exchange(session, clients.get(i));
                int now = DtlsPeers.seenPort(r);
                System.out.println(routing + ": client " + i + " NAT port " + port[i] + " -> " + now + ", server "
                        + was[i] + " -> " + r.server() + ", handshakes " + clients.get(i).handshakes());
                assertThat(now).as("client %d's new NAT port", i).isNotEqualTo(port[i]).isBetween(renat[0], renat[1]);
                port[i] = now;
                owner[i] = r.server();
                if (!owner[i].equals(was[i])) {
                    moved.add(i);
                }
            }
            int[] after = handshakes(servers);
            System.out.println(routing + ": NAT mappings flushed, ports now " + renat[0] + "-" + renat[1] + "; "
                    + moved.size() + " of " + CLIENTS + " clients on another server; handshakes per server "
                    + Arrays.toString(before) + " -> " + Arrays.toString(after));
            for (int i = 0; i < CLIENTS; i++) {
                assertThat(clients.get(i).handshakes()).as("client %d's handshakes", i)
                        .isEqualTo(moved.contains(i) ? 2 : 1);
            }
            if (routing == Routing.ADDRESS_PORT) {
                assertThat(moved).as("clients taken for new ones, on another server").isNotEmpty();
                int[] expected = before.clone();
                for (int i : moved) {
                    expected[Integer.parseInt(owner[i].substring(2)) - 1]++;
                }
                assertThat(after).as("one full handshake on its new server per moved client").containsExactly(expected);
            } else {
                assertThat(moved).as("clients on another server").isEmpty();
                assertThat(after).as("no handshake: every client keeps its session").containsExactly(before);
            }

            int[] settled = handshakes(servers);
            for (int i = 0; i < CLIENTS; i++) {
                assertThat(exchange(session, clients.get(i)).server()).as("client %d stays", i).isEqualTo(owner[i]);
            }
            assertThat(handshakes(servers)).as("no handshake more").containsExactly(settled);
        }
    }

    /**
     * The services file: one service over the three servers, with {@code routing} DTLS_CID its
     * dtls-cid section and each server's node id.
     */
    private static String services(LabSession session, Routing routing) {
        List<String> servers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            servers.add(routing == Routing.DTLS_CID
                    ? "{address: " + session.lab.realServer(i) + ", node-id: " + i + "}"
                    : session.lab.realServer(i).toString());
        }
        return routing == Routing.DTLS_CID
                ? session.oneService("dtls", PORT, servers,
                        "dtls-cid: {length: " + CID_LENGTH + ", node-id-offset: 0, node-id-size: 1}")
                : session.oneService("dtls", PORT, servers);
    }

    /**
     * Skips, also under CI, while {@code sbulb check} refuses the dtls-cid keys of {@code file}
     * and accepts the same service without them ({@code without}): the feature is not in this
     * build yet.
     */
    private static int[] handshakes(DtlsPeers.Server[] servers) {
        return Arrays.stream(servers).mapToInt(DtlsPeers.Server::handshakes).toArray();
    }

    /** Application data to the VIP and its answer, which names the server and the client's address as seen. */
    private LabClient.Reply exchange(LabSession session, DtlsPeers.Client client) {
        Optional<LabClient.Reply> r = client.exchange(VIP, "q" + sequence.incrementAndGet(), REPLY);
        assertThat(r).as("answer to %s, %s", client, session.sbulb).isPresent();
        assertThat(r.get().from()).as("answer source").isEqualTo(VIP);
        return r.get();
    }
}
