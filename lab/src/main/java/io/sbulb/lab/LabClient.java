package io.sbulb.lab;

import io.sbulb.xdp.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** A client's UDP socket on one source port, in the lab's client namespace. */
public final class LabClient implements AutoCloseable {

    private final DatagramSocket socket;
    private final int port;

    private LabClient(DatagramSocket socket) {
        this.socket = socket;
        this.port = socket.getLocalPort();
    }

    /** Opens a socket bound to {@code port} (0: any) in namespace {@code netns}. */
    public static LabClient open(String netns, int port) {
        return new LabClient(Netns.call(netns, () -> new DatagramSocket(new InetSocketAddress(port))));
    }

    public int port() {
        return port;
    }

    /** A datagram received: who sent it and its text. */
    public record Reply(InetSocketAddress from, String text) {
        /** The echo server's name: the text before the first '|'. */
        public String server() {
            int bar = text.indexOf('|');
            return bar < 0 ? "" : text.substring(0, bar);
        }
    }

    public void send(InetSocketAddress to, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(b, b.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException("client port " + port + " sending to " + to, e);
        }
    }

    /** The next datagram, or empty after {@code timeout}. */
    public Optional<Reply> receive(Duration timeout) {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            socket.receive(p);
            return Optional.of(new Reply((InetSocketAddress) p.getSocketAddress(),
                    new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("client port " + port + " receiving", e);
        }
    }

    /**
     * Sends {@code text} and waits at most {@code timeout} for its echo ({@code NAME|text}); a late
     * echo of an earlier datagram is skipped, so make each text unique.
     */
    public Optional<Reply> exchange(InetSocketAddress to, String text, Duration timeout) {
        send(to, text);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<Reply> r = receive(Duration.ofNanos(left));
            if (r.isEmpty() || r.get().text().endsWith("|" + text)) {
                return r;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
