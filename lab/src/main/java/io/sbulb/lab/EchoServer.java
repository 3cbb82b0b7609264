package io.sbulb.lab;

import io.sbulb.xdp.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP echo server on one port of a real server's namespace: it answers every datagram to its
 * sender with {@code NAME|payload}, so a client can tell which real server answered even though
 * every answer comes from the VIP. It remembers whom it heard from (the client as the server saw
 * it, after the balancer's NAT) and can start a conversation itself ({@link #send}).
 */
public final class EchoServer implements AutoCloseable {

    private final String name;
    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<InetSocketAddress, AtomicLong> heard = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();

    private EchoServer(String name, DatagramSocket socket) {
        this.name = name;
        this.socket = socket;
        this.thread = new Thread(this::serve, "echo-" + name);
        this.thread.setDaemon(true);
    }

    /** The receive buffer asked for: as much as net.core.rmem_max allows, up to this. */
    static final int RECEIVE_BUFFER = 4 << 20;

    /**
     * Starts an echo server named {@code name} on UDP {@code port} (all addresses) in namespace
     * {@code netns}. Its receive buffer is as large as the host allows (up to 4 MiB): a server
     * thread the scheduler leaves waiting for a few hundred ms on a loaded machine must find the
     * datagrams of that time still queued, not dropped by its socket (a suite run beside a CPU
     * hog lost a third of the datagrams for 0.4 s that way, one server at a time, with the
     * default 208 KiB).
     */
    public static EchoServer start(String name, String netns, int port) {
        DatagramSocket socket = Netns.call(netns, () -> {
            DatagramSocket s = new DatagramSocket(null);
            s.setReceiveBufferSize(RECEIVE_BUFFER);
            s.bind(new InetSocketAddress(port));
            return s;
        });
        EchoServer server = new EchoServer(name, socket);
        server.thread.start();
        return server;
    }

    public String name() {
        return name;
    }

    private void serve() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return; // closed
            }
            InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
            received.incrementAndGet();
            heard.computeIfAbsent(from, k -> new AtomicLong()).incrementAndGet();
            byte[] reply = (name + "|" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            try {
                socket.send(new DatagramPacket(reply, reply.length, from));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Sends {@code NAME|text} to {@code to} from the server's port: a conversation the server starts. */
    public void send(InetSocketAddress to, String text) {
        byte[] b = (name + "|" + text).getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(b, b.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException("echo server " + name + " sending to " + to, e);
        }
    }

    /** Datagrams received so far, from each sender as the server saw it. */
    public Map<InetSocketAddress, Long> heard() {
        Map<InetSocketAddress, Long> m = new ConcurrentHashMap<>();
        heard.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long received() {
        return received.get();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
