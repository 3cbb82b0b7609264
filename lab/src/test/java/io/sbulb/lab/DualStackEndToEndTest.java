package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.IpAddress;
import io.sbulb.api.testing.Privileges;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several services in one sbulb (issue 15), end to end: the real command with a services file
 * ({@code --config}), an IPv4 service with weights and an IPv6 service over the same three real
 * servers, real UDP from real sockets of both families. Each family's clients are answered from
 * their own family's VIP by their own server, spread by smooth weighted round robin, and a
 * weight set to 0 in the file, or {@code sbulb drain} asking the running daemon, drains a server
 * without moving its clients.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DualStackEndToEndTest {

    private static final int PORT = 5683;
    private static final int CLIENTS = 24;
    private static final int FIRST_PORT = 41000;
    private static final Duration REPLY = Duration.ofSeconds(2);
    private static final InetSocketAddress VIP4 = new InetSocketAddress(LabSession.address(Lab.VIP), PORT);
    private static final InetSocketAddress VIP6 = new InetSocketAddress(LabSession.address(Lab.VIP6), PORT);

    @TempDir
    static Path dir;

    static final LabSession session = new LabSession();
    static final Map<String, LabClient> clients = session.clients;
    static final Map<String, String> owner = new HashMap<>();
    static Lab lab;
    static SbulbProcess sbulb;
    static Path file;
    static final AtomicInteger sequence = new AtomicInteger();

    @BeforeAll
    static void startTheBalancerWithTwoServices() throws IOException {
        Privileges.requireNetAdmin();
        lab = session.lab = Lab.create(Lab.uniquePrefix(), 3, LabOptions.DEFAULT.withHostPins());
        for (int i = 1; i <= 3; i++) {
            session.servers.add(EchoServer.start("rs" + i, lab.realServerNetns(i), PORT));
        }
        file = dir.resolve("services.yaml");
        writeServices(1);
        NotifyListener notify = session.notify = new NotifyListener(dir.resolve("notify.sock"));
        List<String> args = new ArrayList<>(List.of(Lab.LB_INTERFACE, "--config", file.toString(), "-l", "debug"));
        args.addAll(lab.pinDirArgs());
        sbulb = session.sbulb = SbulbProcess.start(lab.lbNetns(), args, notify.address(), dir);
        Optional<String> ready = notify.await(m -> m.contains("READY=1"), Duration.ofSeconds(60));
        assertThat(ready).as("READY=1 from %s", sbulb).isPresent();
    }

    /** The services file: coap4 with weights 2:1:1, coap6 with rs2 of weight {@code rs2v6Weight}. */
    private static void writeServices(int rs2v6Weight) throws IOException {
        Path tmp = dir.resolve("services.yaml.tmp");
        Files.writeString(tmp, services(rs2v6Weight, true));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The services file's text; without {@code withRs3v4}, coap4 has no rs3. */
    private static String services(int rs2v6Weight, boolean withRs3v4) {
        return "limits: {max-associations: 65536}\nservices:\n"
                + "  - name: coap4\n    vip: " + Lab.VIP + "\n    ports: [" + PORT + "]\n    real-servers:\n"
                + "      - {address: " + lab.realServer(1) + ", weight: 2}\n"
                + "      - " + lab.realServer(2) + "\n" + (withRs3v4 ? "      - " + lab.realServer(3) + "\n" : "")
                + "  - name: coap6\n    vip: \"" + Lab.VIP6 + "\"\n    ports: [" + PORT + "]\n    real-servers:\n"
                + "      - \"" + lab.realServer6(1) + "\"\n"
                + "      - {address: \"" + lab.realServer6(2) + "\", weight: " + rs2v6Weight + "}\n"
                + "      - \"" + lab.realServer6(3) + "\"\n";
    }

    @AfterAll
    static void tearDown() {
        session.close();
    }

    @Test
    @Order(1)
    void eachFamilyIsBalancedByItsOwnServiceWithItsWeights() {
        for (int i = 0; i < CLIENTS; i++) {
            clients.put("v4:" + i, LabClient.open(lab.clientNetns(), FIRST_PORT + i));
            clients.put("v6:" + i, LabClient.open(lab.clientNetns(), FIRST_PORT + CLIENTS + i));
        }
        Map<String, Integer> v4 = new HashMap<>();
        Map<String, Integer> v6 = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < CLIENTS; i++) {
                String s4 = exchange("v4:" + i, VIP4);
                String s6 = exchange("v6:" + i, VIP6);
                if (round == 0) {
                    v4.merge(s4, 1, Integer::sum);
                    v6.merge(s6, 1, Integer::sum);
                }
            }
        }
        // coap4's cycle for weights 2:1:1 is rs1 rs2 rs3 rs1 (nginx's smooth weighted round robin)
        assertThat(v4).isEqualTo(Map.of("rs1", CLIENTS / 2, "rs2", CLIENTS / 4, "rs3", CLIENTS / 4));
        assertThat(v6).isEqualTo(Map.of("rs1", CLIENTS / 3, "rs2", CLIENTS / 3, "rs3", CLIENTS / 3));
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(owner.get("v4:" + i)).as("v4 client %d", i).isEqualTo(new String[] {"rs1", "rs2", "rs3", "rs1"}[i % 4]);
        }
        // the servers saw the clients' own addresses of both families
        for (EchoServer s : session.servers) {
            assertThat(s.heard().keySet()).extracting(a -> a.getAddress().getAddress().length).contains(4, 16);
        }
    }

    @Test
    @Order(2)
    void aWeightOfZeroInTheFileDrainsAServerAndItsClientsStay() throws IOException {
        writeServices(0);
        String drained = lab.realServer6(2) + "*0"; // how the change report writes the new weight
        assertThat(session.awaitOut(drained, 5000)).as("the change logged: %s", sbulb.out()).isTrue();
        for (int i = 0; i < CLIENTS; i++) {
            exchange("v6:" + i, VIP6); // every known client keeps its server, rs2's included
        }
        for (int i = 0; i < 6; i++) {
            LabClient c = LabClient.open(lab.clientNetns(), FIRST_PORT + 100 + i);
            clients.put("new6:" + i, c);
            assertThat(exchange("new6:" + i, VIP6)).as("a new client while rs2 drains").isNotEqualTo("rs2");
        }
    }

    @Test
    @Order(3)
    void previewReadsTheRunningStateAndSaysWhoWouldMove() throws IOException, InterruptedException {
        Path next = dir.resolve("without-rs3.yaml");
        Files.writeString(next, services(0, false));
        List<String> args = new ArrayList<>(List.of("preview", next.toString()));
        args.addAll(lab.pinDirArgs());
        SbulbProcess preview = SbulbProcess.start(lab.lbNetns(), args, null, Files.createTempDirectory(dir, "preview"));
        assertThat(preview.await(Duration.ofSeconds(30))).as("%s", preview).hasValue(0);
        // coap4's first 24 clients: rs1 12, rs2 6, rs3 6 (and nothing else moved rs3's)
        assertThat(preview.out()).contains("service coap4: 18 associations stay, 6 move",
                "  " + lab.realServer(3) + ": 0 stay, 6 move (leaves the service)",
                "service coap6: " + (CLIENTS + 6) + " associations stay, 0 move");
        // and nothing changed: the running data path still sends rs3 its clients
        assertThat(exchange("v4:2", VIP4)).isEqualTo("rs3");
    }


    @Test
    @Order(4)
    void drainWaitsUntilTheDrainingServerCarriesNoTraffic() throws IOException {
        SbulbProcess drain = sbulbCommand("drain", "coap6", lab.realServer6(2).toString(), "--wait", "--quiet", "1",
                "--deadline", "20");
        assertThat(drain.await(Duration.ofSeconds(40))).as("%s", drain).hasValue(0);
        // rs2's IPv6 clients of the first test (8) still name it: drained means no traffic, not no entry
        assertThat(drain.out()).contains(lab.realServer6(2) + " in service coap6 is drained",
                (CLIENTS / 3) + " associations still name it");
    }

    /**
     * {@code sbulb drain} without a file change: the running daemon, asked on its control socket,
     * sets the server to weight 0; its clients stay, new ones go elsewhere; {@code sbulb undrain}
     * gives it new clients again. A server the balancer does not have is refused, exit 2.
     */
    @Test
    @Order(5)
    void drainByCommandAsksTheRunningDaemonAndUndrainEndsIt() throws IOException {
        String rs2 = lab.realServer(2).toString();
        SbulbProcess drain = sbulbCommand("drain", "coap4", rs2);
        assertThat(drain.await(Duration.ofSeconds(30))).as("%s", drain).hasValue(0);
        assertThat(drain.out()).contains("service coap4 server " + rs2 + " drains: it keeps its clients and takes no "
                + "new one");
        assertThat(session.awaitOut(rs2 + "*0", 5000)).as("the daemon applied it: %s", sbulb.out()).isTrue();
        assertThat(sbulb.out()).contains("(by command)");
        List<String> stayed = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            if ("rs2".equals(owner.get("v4:" + i))) {
                assertThat(exchange("v4:" + i, VIP4)).isEqualTo("rs2"); // its clients stay
                stayed.add("v4:" + i);
            }
        }
        assertThat(stayed).hasSize(CLIENTS / 4);
        for (int i = 0; i < 6; i++) {
            clients.put("cmd4:" + i, LabClient.open(lab.clientNetns(), FIRST_PORT + 200 + i));
            assertThat(exchange("cmd4:" + i, VIP4)).as("a new client while rs2 drains by command").isNotEqualTo("rs2");
        }

        SbulbProcess undrain = sbulbCommand("undrain", "coap4", rs2);
        assertThat(undrain.await(Duration.ofSeconds(30))).as("%s", undrain).hasValue(0);
        assertThat(undrain.out()).contains("service coap4 server " + rs2 + " takes new clients again (weight 1)");
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // a whole cycle of coap4's round robin: rs2 is in it again
            clients.put("back4:" + i, LabClient.open(lab.clientNetns(), FIRST_PORT + 210 + i));
            after.add(exchange("back4:" + i, VIP4));
        }
        assertThat(after).contains("rs2");

        SbulbProcess unknown = sbulbCommand("drain", "coap4", "198.18.2.99");
        assertThat(unknown.await(Duration.ofSeconds(30))).as("%s", unknown).hasValue(2);
        assertThat(unknown.err()).contains("198.18.2.99 is not a real server of service coap4");
    }

    /** {@code sbulb ARGS --pin-dir (the lab's)} in the balancer's namespace. */
    private static SbulbProcess sbulbCommand(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(lab.pinDirArgs());
        return SbulbProcess.start(lab.lbNetns(), all, null, Files.createTempDirectory(dir, args[0]));
    }

    /** One datagram and its echo; the reply must come from {@code vip}, from the client's known server. */
    private static String exchange(String client, InetSocketAddress vip) {
        LabClient c = clients.get(client);
        Optional<LabClient.Reply> r = c.exchange(vip, "q" + sequence.incrementAndGet(), REPLY);
        assertThat(r).as("reply to %s, %s", client, sbulb).isPresent();
        assertThat(r.get().from()).as("reply source for %s", client).isEqualTo(vip);
        String before = owner.putIfAbsent(client, r.get().server());
        assertThat(r.get().server()).as("server of %s", client).isEqualTo(before == null ? r.get().server() : before);
        return r.get().server();
    }

}
