package io.sbulb.control.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;

/** Real protocol servers on loopback for the probes' tests: each is started on a port and stopped by close. */
public final class Peers {

    static {
        CoapConfig.register();
        DtlsConfig.register();
    }

    private Peers() {
    }

    /** A Californium CoAP server (it answers a CoAP ping with a Reset) on this address; port 0: ephemeral. */
    static CoapServer coap(InetSocketAddress at) {
        Configuration config = Configuration.createStandardWithoutFile();
        CoapServer server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(at).build());
        server.start();
        return server;
    }

    static int port(CoapServer server) {
        return server.getEndpoints().get(0).getAddress().getPort();
    }

    /**
     * A Scandium DTLS server with a pre-shared key; {@code helloVerify} false makes it answer a
     * ClientHello with a ServerHello at once (no cookie exchange).
     */
    static DTLSConnector dtls(InetSocketAddress at, boolean helloVerify) {
        Configuration config = Configuration.createStandardWithoutFile();
        AdvancedMultiPskStore psk = new AdvancedMultiPskStore();
        psk.setKey("probe-test", "secret-secret-16".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        DtlsConnectorConfig c = DtlsConnectorConfig.builder(config)
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
                .set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, helloVerify)
                .set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST_FOR_PSK, helloVerify)
                .setAddress(at)
                .setAdvancedPskStore(psk)
                .build();
        DTLSConnector connector = new DTLSConnector(c);
        connector.setRawDataReceiver(data -> { });
        try {
            connector.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return connector;
    }

    /** The connections a DTLS server holds, and of them those with a handshake under way. */
    static int[] dtlsConnections(DTLSConnector connector) throws Exception {
        AtomicInteger all = new AtomicInteger();
        AtomicInteger handshaking = new AtomicInteger();
        connector.startForEach((org.eclipse.californium.elements.util.Filter<Connection>) c -> {
            all.incrementAndGet();
            if (c.hasOngoingHandshake()) {
                handshaking.incrementAndGet();
            }
            return false; // go on
        }).get(5, TimeUnit.SECONDS);
        return new int[] {all.get(), handshaking.get()};
    }

    /** A plain UDP echo on its own thread; it records the senders' addresses. */
    public static final class Echo implements AutoCloseable {
        final DatagramSocket socket;
        final List<InetSocketAddress> senders = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private final boolean answer;

        /** {@code answer} false: a bound socket that reads and never replies (a hung server). */
        public Echo(InetSocketAddress at, boolean answer) throws SocketException {
            this.socket = new DatagramSocket(at);
            this.answer = answer;
            this.socket.setSoTimeout(200);
            this.thread = new Thread(this::run, "udp-echo");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        public int port() {
            return socket.getLocalPort();
        }

        InetAddress address() {
            return socket.getLocalAddress();
        }

        private void run() {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    senders.add((InetSocketAddress) p.getSocketAddress());
                    if (answer) {
                        socket.send(p);
                    }
                } catch (SocketTimeoutException e) {
                    // look at isClosed again
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(5_000);
        }
    }
}
