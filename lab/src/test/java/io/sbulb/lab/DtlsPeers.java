package io.sbulb.lab;

import io.sbulb.xdp.testing.Netns;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MapBasedEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * Eclipse Scandium DTLS 1.2 peers (PSK) for the lab's namespaces: a {@link Server} that answers
 * each datagram with {@code NAME|ADDRESS:PORT|text}, the client's address as it saw it (the shape
 * of {@link EchoServer}'s answers, read with {@link LabClient.Reply}; {@link #seenFrom}), and
 * counts the handshakes it completed; a {@link Client} bound to one source port that exchanges
 * application data with the VIP and starts a full handshake when an answer does not come (its
 * server changed and has no session for it).
 */
final class DtlsPeers {

    static {
        DtlsConfig.register();
    }

    private static final String IDENTITY = "lab-client";
    private static final byte[] KEY = "lab-secret-16byt".getBytes(StandardCharsets.US_ASCII);

    private DtlsPeers() {
    }

    /**
     * How a peer uses DTLS Connection IDs (RFC 9146): {@code length} bytes (0: it accepts the
     * other's but asks none for itself), and for a server the {@code nodeId} that Scandium's
     * MultiNodeConnectionIdGenerator writes into the first byte of each CID (negative: none, a
     * random CID).
     */
    record Cid(int length, int nodeId) {
        /** No CID support at all: Scandium's default. */
        static final Cid NONE = new Cid(-1, -1);

        static Cid of(int length) {
            return new Cid(length, -1);
        }

        static Cid ofNode(int length, int nodeId) {
            return new Cid(length, nodeId);
        }

        Configuration apply(Configuration config) {
            if (length >= 0) {
                config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, length);
            }
            if (nodeId >= 0) {
                config.set(DtlsConfig.DTLS_CONNECTION_ID_NODE_ID, nodeId);
            }
            return config;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The client's address and port as its server saw them, from the server's answer. */
    static String seenFrom(LabClient.Reply answer) {
        String t = answer.text();
        int first = t.indexOf('|');
        return t.substring(first + 1, t.indexOf('|', first + 1));
    }

    /** The source port of {@link #seenFrom}. */
    static int seenPort(LabClient.Reply answer) {
        String s = seenFrom(answer);
        return Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
    }

    /** A small configuration: one receiver and one connector thread (the lab runs many peers on 2 cores). */
    private static Configuration configuration(Cid cid) {
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        return cid.apply(config);
    }

    /** Counts the handshakes a connector completed (full or abbreviated); nothing else. */
    private static final class Handshakes implements ConnectionListener {
        final AtomicInteger completed = new AtomicInteger();

        @Override
        public void onConnectionEstablished(Connection connection) {
            completed.incrementAndGet();
        }

        @Override
        public void onConnectionRemoved(Connection connection) {
        }

        @Override
        public boolean onConnectionUpdatesSequenceNumbers(Connection connection, boolean writeSequenceNumber) {
            return false;
        }

        @Override
        public boolean onConnectionMacError(Connection connection) {
            return false;
        }

        @Override
        public void beforeExecution(Connection connection) {
        }

        @Override
        public void updateExecution(Connection connection) {
        }

        @Override
        public void afterExecution(Connection connection) {
        }
    }

    /** A started connector and the handshakes it completed. */
    abstract static class Peer implements AutoCloseable {
        final DTLSConnector connector;
        private final Handshakes handshakes;
        private final AtomicBoolean live = new AtomicBoolean(true);

        Peer(DTLSConnector connector, Handshakes handshakes) {
            this.connector = connector;
            this.handshakes = handshakes;
        }

        /** Handshakes completed (full or abbreviated) since it started. */
        int handshakes() {
            return handshakes.completed.get();
        }

        /** Stops it: its socket is closed and its sessions are gone, as when the process dies. */
        @Override
        public void close() {
            if (live.getAndSet(false)) { // once: a test may stop it before the session closes it
                connector.destroy();
            }
        }
    }

    /** A Scandium DTLS server in a namespace on one port, answering {@code NAME|text}. */
    static final class Server extends Peer {
        private final String name;

        private Server(String name, DTLSConnector connector, Handshakes handshakes) {
            super(connector, handshakes);
            this.name = name;
        }

        /** Starts server {@code name} in namespace {@code netns} on UDP {@code port} of every address. */
        static Server start(String name, String netns, int port, Cid cid) {
            Handshakes handshakes = new Handshakes();
            AdvancedMultiPskStore psk = new AdvancedMultiPskStore();
            psk.setKey(IDENTITY, KEY);
            DtlsConnectorConfig config = DtlsConnectorConfig.builder(configuration(cid))
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
                    .setAddress(new InetSocketAddress(port))
                    .setAdvancedPskStore(psk)
                    .setConnectionListener(handshakes)
                    .build();
            DTLSConnector connector = new DTLSConnector(config);
            connector.setRawDataReceiver(data -> {
                String text = new String(data.getBytes(), StandardCharsets.UTF_8);
                byte[] answer = (name + "|" + hostPort(data.getInetSocketAddress()) + "|" + text)
                        .getBytes(StandardCharsets.UTF_8);
                connector.send(RawData.outbound(answer, data.getEndpointContext(), null, false));
            });
            Netns.run(netns, connector::start); // the socket is bound here, in the server's namespace
            return new Server(name, connector, handshakes);
        }

        String name() {
            return name;
        }

        @Override
        public String toString() {
            return "DTLS server " + name + " (" + handshakes() + " handshakes)";
        }
    }

    /** A Scandium DTLS client in a namespace on one source port. */
    static final class Client extends Peer {
        private final int port;
        private final BlockingQueue<LabClient.Reply> replies = new LinkedBlockingQueue<>();

        private Client(int port, DTLSConnector connector, Handshakes handshakes) {
            super(connector, handshakes);
            this.port = port;
        }

        /** Opens a client bound to {@code port} in namespace {@code netns}. */
        static Client open(String netns, int port, Cid cid) {
            Handshakes handshakes = new Handshakes();
            DtlsConnectorConfig config = DtlsConnectorConfig.builder(configuration(cid))
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                    .setAddress(new InetSocketAddress(port))
                    .setAdvancedPskStore(new AdvancedSinglePskStore(IDENTITY, KEY))
                    .setConnectionListener(handshakes)
                    .build();
            DTLSConnector connector = new DTLSConnector(config);
            Client client = new Client(port, connector, handshakes);
            connector.setRawDataReceiver(data -> client.replies.add(new LabClient.Reply(data.getInetSocketAddress(),
                    new String(data.getBytes(), StandardCharsets.UTF_8))));
            Netns.run(netns, connector::start);
            return client;
        }

        int port() {
            return port;
        }

        /**
         * Sends {@code text} to {@code to} over the session it has (a handshake first when it has
         * none) and waits at most {@code timeout} for the answer; when none comes, the server it
         * reaches may have changed and hold no session for it (a server drops records of an
         * unknown epoch or CID without a word), so it sends again after a full handshake
         * ({@link DtlsEndpointContext#HANDSHAKE_MODE_FORCE_FULL}, Scandium's way to replace a
         * session the application no longer trusts) and waits as long again.
         */
        Optional<LabClient.Reply> exchange(InetSocketAddress to, String text, Duration timeout) {
            Optional<LabClient.Reply> r = send(new AddressEndpointContext(to), text, timeout);
            if (r.isPresent()) {
                return r;
            }
            return send(new MapBasedEndpointContext(to, null, DtlsEndpointContext.ATTRIBUE_HANDSHAKE_MODE_FORCE_FULL),
                    text, timeout);
        }

        private Optional<LabClient.Reply> send(EndpointContext to, String text, Duration timeout) {
            connector.send(RawData.outbound(text.getBytes(StandardCharsets.UTF_8), to, null, false));
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    LabClient.Reply r = left <= 0 ? null : replies.poll(left, TimeUnit.NANOSECONDS);
                    if (r == null || r.text().endsWith("|" + text)) { // a late answer to an earlier text is skipped
                        return Optional.ofNullable(r);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }

        @Override
        public String toString() {
            return "DTLS client on port " + port + " (" + handshakes() + " handshakes)";
        }
    }
}
