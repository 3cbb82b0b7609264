package io.sbulb.lab;

import io.sbulb.xdp.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady traffic from many clients of the lab: {@code clients} UDP sockets on consecutive
 * source ports of the client namespace send to the VIP in turn, at a fixed rate, each datagram
 * numbered ({@code seq}); the echo servers answer {@code rsN|seq}, so every datagram's answer, or
 * its absence, and the real server that gave it are known. Bounded: at most {@code maxDatagrams}
 * datagrams, and nothing is sent after {@code maxTime}.
 *
 * <p>The clients send in turn: the first round in reverse port order, then in port order
 * (datagram {@code seq} by client {@link #clientOf}). The association table a balancer fills
 * from the first round therefore differs from the one it would fill anew from any later round:
 * a balancer that lost its table and starts over binds two clients in three to another real
 * server, and they are seen to move. A test marks an event by the sequence number due next
 * ({@link #next()}): the datagrams before it were sent before the event.
 */
final class SteadyClients implements AutoCloseable {

    private final int firstPort;
    private final int clients;
    private final InetSocketAddress vip;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final Selector selector;
    /** Per datagram: 0 while unanswered, else the answering server's number (rsN). */
    private final byte[] server;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicBoolean stopSending = new AtomicBoolean();
    private final AtomicBoolean stopReceiving = new AtomicBoolean();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private Thread sender;
    private Thread receiver;

    /**
     * Opens {@code clients} sockets on ports {@code firstPort..} of namespace {@code netns}.
     *
     * @param maxDatagrams the most datagrams a run sends
     */
    SteadyClients(String netns, InetSocketAddress vip, int firstPort, int clients, int maxDatagrams) {
        this.firstPort = firstPort;
        this.clients = clients;
        this.vip = vip;
        this.server = new byte[maxDatagrams];
        try {
            this.selector = Selector.open();
            for (int i = 0; i < clients; i++) {
                int port = firstPort + i;
                DatagramChannel ch = Netns.call(netns, () -> DatagramChannel.open().bind(new InetSocketAddress(port)));
                channels.add(ch);
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, i);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot open the clients' sockets", e);
        }
    }

    int port(int client) {
        return firstPort + client;
    }

    /**
     * Starts sending {@code perSecond} datagrams a second, until {@link #finish}, at most
     * {@link #server}'s length of them and for at most {@code maxTime}.
     */
    void start(double perSecond, Duration maxTime) {
        long interval = Math.round(1e9 / perSecond);
        long t0 = System.nanoTime();
        long end = t0 + maxTime.toNanos();
        receiver = new Thread(this::receive, "steady-clients-rx");
        receiver.setDaemon(true);
        receiver.start();
        sender = new Thread(() -> {
            for (int seq = 0; seq < server.length && !stopSending.get(); seq++) {
                long due = t0 + seq * interval;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                if (now > end) {
                    break;
                }
                send(seq, Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
                next.set(seq + 1);
            }
        }, "steady-clients-tx");
        sender.setDaemon(true);
        sender.start();
    }

    /** The client that sends datagram {@code seq}: the first round in reverse order, then in turn. */
    int clientOf(int seq) {
        return seq < clients ? clients - 1 - seq : seq % clients;
    }

    private void send(int seq, byte[] payload) {
        DatagramChannel ch = channels.get(clientOf(seq));
        try {
            for (int attempt = 0; attempt < 100; attempt++) {
                if (ch.send(ByteBuffer.wrap(payload), vip) > 0) {
                    return;
                }
                LockSupport.parkNanos(100_000); // the socket's send buffer is full: a moment
            }
            problems.add("datagram " + seq + " could not be sent: the send buffer stayed full");
        } catch (IOException e) {
            problems.add("datagram " + seq + " could not be sent: " + e);
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (!stopReceiving.get()) {
            try {
                if (selector.select(20) == 0) {
                    continue;
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    SocketAddress from;
                    while ((from = ch.receive(buf.clear())) != null) {
                        record((int) k.attachment(), from, new String(buf.array(), 0, buf.position(),
                                StandardCharsets.US_ASCII));
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                if (selector.isOpen()) {
                    problems.add("receiving: " + e);
                }
                return;
            }
        }
    }

    private void record(int client, SocketAddress from, String text) {
        int bar = text.indexOf('|');
        if (!vip.equals(from) || bar < 3 || !text.startsWith("rs")) {
            problems.add("client port " + port(client) + " got '" + text + "' from " + from + ", not an echo from "
                    + vip);
            return;
        }
        int seq;
        try {
            seq = Integer.parseInt(text.substring(bar + 1));
        } catch (NumberFormatException e) {
            problems.add("client port " + port(client) + " got '" + text + "', which answers no datagram");
            return;
        }
        if (seq < 0 || seq >= server.length || clientOf(seq) != client) {
            problems.add("client port " + port(client) + " got the answer to datagram " + seq + " of another client");
        } else if (server[seq] != 0) {
            problems.add("datagram " + seq + " answered twice");
        } else {
            server[seq] = (byte) Integer.parseInt(text.substring(2, bar));
            answered.incrementAndGet();
        }
    }

    /** The sequence number of the next datagram to be sent: what was sent before an event. */
    int next() {
        return next.get();
    }

    /**
     * Waits at most {@code timeout} until {@code count} more datagrams, from {@link #next()} on,
     * have been sent and answered; false if not by then (lost, or the run ended).
     */
    boolean awaitAnswered(int count, Duration timeout) {
        int from = next();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (next() >= from + count && answeredIn(from, from + count) == count) {
                return true;
            }
            LockSupport.parkNanos(5_000_000);
        }
        return false;
    }

    private int answeredIn(int from, int to) {
        answered.get(); // a volatile read: the receiver's writes before its last increment are seen
        int n = 0;
        for (int s = from; s < to; s++) {
            if (server[s] != 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * Stops sending and waits, at most {@code drain}, for the answers still on their way; what
     * the run saw.
     */
    Run finish(Duration drain) throws InterruptedException {
        stopSending.set(true);
        sender.join(5000);
        int sent = next();
        long deadline = System.nanoTime() + drain.toNanos();
        while (answered.get() < sent && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        stopReceiving.set(true);
        receiver.join(5000);
        return new Run(sent, server.clone(), List.copyOf(problems));
    }

    /** What a run saw: datagrams sent, and for each the server that answered it (0: none). */
    final class Run {
        private final int sent;
        private final byte[] answeredBy;
        private final List<String> problems;

        private Run(int sent, byte[] answeredBy, List<String> problems) {
            this.sent = sent;
            this.answeredBy = answeredBy;
            this.problems = problems;
        }

        int sent() {
            return sent;
        }

        /** The source port of datagram {@code seq}. */
        int portOf(int seq) {
            return port(clientOf(seq));
        }

        /** Datagrams sent in {@code [from, to)} that no one answered. */
        List<Integer> lost(int from, int to) {
            List<Integer> lost = new ArrayList<>();
            for (int s = from; s < Math.min(to, sent); s++) {
                if (answeredBy[s] == 0) {
                    lost.add(s);
                }
            }
            return lost;
        }

        List<Integer> lost() {
            return lost(0, sent);
        }

        /** Answers that were not what they should be (source, datagram, duplicate); none expected. */
        List<String> problems() {
            return problems;
        }

        /** Each client's port and the servers that answered its datagrams sent in {@code [from, to)}. */
        Map<Integer, TreeSet<String>> servers(int from, int to) {
            Map<Integer, TreeSet<String>> m = new TreeMap<>();
            for (int c = 0; c < clients; c++) {
                m.put(port(c), new TreeSet<>());
            }
            for (int s = from; s < Math.min(to, sent); s++) {
                if (answeredBy[s] != 0) {
                    m.get(port(clientOf(s))).add("rs" + answeredBy[s]);
                }
            }
            return m;
        }

        /** The clients that had datagrams answered by more than one real server over the whole run, with them. */
        Map<Integer, TreeSet<String>> moved() {
            Map<Integer, TreeSet<String>> m = new TreeMap<>(servers(0, sent));
            m.values().removeIf(s -> s.size() <= 1);
            return m;
        }

        /** Each client's only server over the run (a client answered by several has its first here). */
        Map<Integer, String> owners() {
            Map<Integer, String> m = new TreeMap<>();
            servers(0, sent).forEach((port, s) -> {
                if (!s.isEmpty()) {
                    m.put(port, s.first());
                }
            });
            return m;
        }

        /** The clients none of whose datagrams sent in {@code [from, to)} was answered. */
        List<Integer> unanswered(int from, int to) {
            List<Integer> none = new ArrayList<>();
            servers(from, to).forEach((port, s) -> {
                if (s.isEmpty()) {
                    none.add(port);
                }
            });
            return none;
        }

        @Override
        public String toString() {
            List<Integer> lost = lost();
            return sent + " datagrams sent, " + (sent - lost.size()) + " answered, " + lost.size() + " lost"
                    + (lost.isEmpty() ? "" : " (first: " + lost.subList(0, Math.min(10, lost.size())) + ")")
                    + ", " + moved().size() + " clients moved" + (problems.isEmpty() ? "" : ", problems: "
                    + problems.subList(0, Math.min(5, problems.size())));
        }
    }

    @Override
    public void close() {
        stopSending.set(true);
        stopReceiving.set(true);
        for (DatagramChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing
            }
        }
        try {
            if (selector != null) {
                selector.close();
            }
        } catch (IOException e) {
            // closing
        }
    }
}
