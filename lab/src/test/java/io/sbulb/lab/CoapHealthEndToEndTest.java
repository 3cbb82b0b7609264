package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.xdp.testing.Netns;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks against the servers users run (issue 16): Eclipse Californium CoAP servers in the
 * lab's real-server namespaces, CoAP clients (Californium too) in the client namespace talking to
 * the VIP, sbulb with a `coap` health check (CoAP ping). Stopping a server's CoAP endpoint marks
 * it DOWN after `fall` pings and its clients' next requests are answered by a live server through
 * the VIP; started again it is UP after `rise` pings.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class CoapHealthEndToEndTest {

    private static final int PORT = 5683;
    private static final int CLIENTS = 6;

    static {
        CoapConfig.register();
    }

    @TempDir
    static Path dir;

    static final LabSession session = new LabSession();
    static final CoapServer[] servers = new CoapServer[4];
    static final List<CoapClient> clients = new ArrayList<>();
    static final Map<Integer, String> owner = new HashMap<>();

    /** A CoAP server in real server {@code i}'s namespace whose resource /id answers its name. */
    private static CoapServer coapServer(int i) {
        return Netns.call(session.lab.realServerNetns(i), () -> {
            Configuration config = Configuration.createStandardWithoutFile();
            CoapServer server = new CoapServer(config);
            server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config)
                    .setInetSocketAddress(new InetSocketAddress(PORT)).build());
            server.add(new CoapResource("id") {
                @Override
                public void handleGET(CoapExchange exchange) {
                    exchange.respond("rs" + i);
                }
            });
            server.start(); // the socket is bound here, in the server's namespace
            return server;
        });
    }

    /** A CoAP client in the client namespace, on its own source port, talking to the VIP. */
    private static CoapClient coapClient(int port) {
        return Netns.call(session.lab.clientNetns(), () -> {
            Configuration config = Configuration.createStandardWithoutFile();
            config.set(CoapConfig.MAX_RETRANSMIT, 2);
            CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                    .setInetSocketAddress(new InetSocketAddress(port)).build();
            endpoint.start();
            CoapClient c = new CoapClient("coap://" + io.sbulb.lab.Lab.VIP + ":" + PORT + "/id");
            c.setEndpoint(endpoint);
            c.setTimeout(3000L);
            return c;
        });
    }

    @BeforeAll
    static void start() throws Exception {
        io.sbulb.api.testing.Privileges.requireNetAdmin();
        Lab lab = session.lab = Lab.create(Lab.uniquePrefix(), 3);
        for (int i = 1; i <= 3; i++) {
            servers[i] = coapServer(i);
        }
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, session.oneService("coap", PORT, "{probe: coap, interval: 200ms, timeout: 150ms, rise: 2, fall: 2}"));
        assertThat(session.startSbulb(dir, List.of(Lab.LB_INTERFACE, "--config", file.toString(), "-l", "info")))
                .as("READY=1 from %s", session.sbulb).isTrue();
    }

    @AfterAll
    static void stop() {
        clients.forEach(CoapClient::shutdown);
        for (CoapServer s : servers) {
            if (s != null) {
                s.destroy();
            }
        }
        session.close();
    }

    private static String get(int client) throws Exception {
        CoapResponse r = clients.get(client).get();
        assertThat(r).as("a response to client %d, %s", client, session.sbulb).isNotNull();
        return r.getResponseText();
    }

    @Test
    @Order(1)
    void coapClientsReachCoapServersThroughTheVipAndPingsKeepEveryServerUp() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(coapClient(44000 + i));
            owner.put(i, get(i));
        }
        assertThat(owner.values()).containsOnly("rs1", "rs2", "rs3");
        LabSession.sleep(1000);
        assertThat(session.sbulb.out()).as("CoAP pings answered: nobody DOWN").doesNotContain(" DOWN");
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(get(i)).as("client %d keeps its server", i).isEqualTo(owner.get(i));
        }
    }

    @Test
    @Order(2)
    void aStoppedCoapServerIsDownItsClientsMoveAndStartedAgainItIsUp() throws Exception {
        Lab lab = session.lab;
        servers[2].destroy();
        servers[2] = null;
        assertThat(session.awaitOut("server " + lab.realServer(2) + " DOWN", 5000)).as("%s", session.sbulb).isTrue();
        assertThat(session.awaitOut("over 2 real servers", 5000)).as("%s", session.sbulb).isTrue();
        for (int i = 0; i < CLIENTS; i++) {
            String now = get(i);
            if (owner.get(i).equals("rs2")) {
                assertThat(now).as("client %d of the stopped rs2", i).isNotEqualTo("rs2");
            } else {
                assertThat(now).as("client %d stays", i).isEqualTo(owner.get(i));
            }
        }
        servers[2] = coapServer(2);
        assertThat(session.awaitOut("server " + lab.realServer(2) + " UP", 5000)).as("%s", session.sbulb).isTrue();
    }
}
