package io.sbulb.control.health;

import io.sbulb.control.health.RiseFall.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes real servers from one thread with non-blocking sockets (one {@link Selector}), so that
 * thousands of servers are watched without blocking the daemon's thread.
 *
 * <p>Each target has its own UDP socket, bound to the wildcard address and connected to the
 * server: the kernel sends from the balancer host's own address on the route to the server (never
 * a VIP, which the socket is not bound to), delivers only the server's datagrams to it, and
 * reports an ICMP port unreachable as an error on it (a failed probe, named, before its timeout).
 * One probe is in flight per target; the next is sent an interval after the previous one was
 * sent. The first probes of targets added together are spread over one interval.
 *
 * <p>The listener is called on the prober's thread, in order: it must not block.
 */
public final class Prober implements Probes {

    private static final Logger log = LoggerFactory.getLogger(Prober.class);
    private static final int MAX_DATAGRAM = 2048;

    /** What the prober reports, on its own thread. */
    public interface Listener {
        /** A server changed state. */
        void changed(HealthEvent event);

        /** One probe's result (error is null when it succeeded); for tests and counters. */
        default void probed(Target target, boolean ok, String error) {
        }
    }

    /** One watched target; touched by the prober's thread only. */
    private static final class Watched {
        final Target target;
        final HealthCheck check;
        final RiseFall health;
        final InetSocketAddress address;
        DatagramChannel channel;
        long seq = Integer.toUnsignedLong(java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16));
        boolean inFlight;
        long sentAt;
        long generation;
        String lastError;
        boolean removed;

        Watched(Target target, HealthCheck check) {
            this.target = target;
            this.check = check;
            this.health = new RiseFall(check.rise(), check.fall(), State.UP);
            this.address = new InetSocketAddress(toInet(target), check.port());
        }
    }

    private record Timer(long due, Watched w, long generation) {
    }

    private final Listener listener;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
    private final Map<Target, Watched> watched = new HashMap<>();
    private final Map<Target, State> states = new ConcurrentHashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;

    /** Opens the selector and starts the prober's thread, which probes nothing until {@link #watch}. */
    public Prober(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("open the health prober's selector", e);
        }
        this.thread = new Thread(this::loop, "sbulb-prober");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Sets the probed targets. A target already watched with the same check keeps its state and
     * its schedule; the others start UP; targets no longer listed are dropped and their sockets
     * closed. Returns at once; the prober's thread applies it.
     */
    @Override
    public void watch(Map<Target, HealthCheck> targets) {
        Map<Target, HealthCheck> copy = Map.copyOf(targets);
        commands.add(() -> apply(copy));
        selector.wakeup();
    }

    /** Each watched target's current state (a snapshot, updated by the prober's thread). */
    public Map<Target, State> states() {
        return Map.copyOf(states);
    }

    public long sent() {
        return sent.get();
    }

    public long answered() {
        return answered.get();
    }

    public long failed() {
        return failed.get();
    }

    /** The prober's thread (for measuring its CPU time). */
    public Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- the prober's thread ---

    private void loop() {
        try {
            while (running) {
                Runnable c;
                while ((c = commands.poll()) != null) {
                    c.run();
                }
                fireTimers(System.nanoTime());
                Timer next = timers.peek();
                long waitMillis = next == null ? 0 : Math.max(1, (next.due - System.nanoTime() + 999_999) / 1_000_000);
                selector.select(this::readable, waitMillis);
            }
        } catch (IOException | ClosedSelectorException e) {
            log.error("health prober stopped: {}", e.toString());
        } finally {
            for (Watched w : watched.values()) {
                closeChannel(w);
            }
            watched.clear();
            try {
                selector.close();
            } catch (IOException e) {
                log.warn("close the health prober's selector: {}", e.toString());
            }
        }
    }

    private void apply(Map<Target, HealthCheck> targets) {
        List<Watched> added = new ArrayList<>();
        for (var it = watched.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            HealthCheck check = targets.get(e.getKey());
            if (!e.getValue().check.equals(check)) {
                e.getValue().removed = true;
                closeChannel(e.getValue());
                states.remove(e.getKey());
                it.remove();
            }
        }
        for (var e : targets.entrySet()) {
            if (!watched.containsKey(e.getKey())) {
                Watched w = new Watched(e.getKey(), e.getValue());
                watched.put(w.target, w);
                states.put(w.target, w.health.state());
                added.add(w);
            }
        }
        long now = System.nanoTime();
        for (int i = 0; i < added.size(); i++) {
            Watched w = added.get(i);
            schedule(w, now + w.check.interval().toNanos() * i / added.size());
        }
    }

    private void schedule(Watched w, long due) {
        w.generation++;
        timers.add(new Timer(due, w, w.generation));
    }

    private void fireTimers(long now) {
        Timer t;
        while ((t = timers.peek()) != null && t.due - now <= 0) {
            timers.poll();
            Watched w = t.w;
            if (w.removed || t.generation != w.generation) {
                continue;
            }
            if (w.inFlight) {
                result(w, false, "no answer within " + HealthCheck.show(w.check.timeout()));
            } else {
                send(w, now);
            }
        }
    }

    private void send(Watched w, long now) {
        w.seq++;
        w.inFlight = true;
        w.sentAt = now;
        schedule(w, now + w.check.timeout().toNanos());
        sent.incrementAndGet();
        try {
            if (w.channel == null) {
                open(w);
            }
            int n = w.channel.write(ByteBuffer.wrap(w.check.probe().request(w.seq)));
            if (n == 0) {
                result(w, false, "the socket's send buffer is full");
            }
        } catch (PortUnreachableException e) {
            result(w, false, "port unreachable (ICMP)");
        } catch (IOException e) {
            closeChannel(w);
            result(w, false, "send: " + e);
        }
    }

    private void open(Watched w) throws IOException {
        DatagramChannel ch = DatagramChannel.open(w.address.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.configureBlocking(false);
            ch.bind(null);
            ch.connect(w.address);
            ch.register(selector, SelectionKey.OP_READ, w);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        w.channel = ch;
    }

    private void readable(SelectionKey key) {
        Watched w = (Watched) key.attachment();
        if (w.removed) {
            return;
        }
        for (int i = 0; i < 16; i++) { // bounded: a flooding server cannot hold the thread
            buffer.clear();
            int n;
            try {
                n = w.channel.read(buffer);
            } catch (PortUnreachableException e) {
                if (w.inFlight) {
                    result(w, false, "port unreachable (ICMP)");
                }
                continue;
            } catch (IOException e) {
                if (w.inFlight) {
                    result(w, false, "receive: " + e);
                }
                closeChannel(w);
                return;
            }
            if (n <= 0) {
                return;
            }
            if (!w.inFlight) {
                continue; // late, after its timeout
            }
            Answer a = w.check.probe().check(buffer.array(), n, w.seq);
            switch (a.kind()) {
                case GOOD -> {
                    byte[] after = w.check.probe().followUp(buffer.array(), n, w.seq);
                    if (after != null) {
                        try {
                            w.channel.write(ByteBuffer.wrap(after));
                        } catch (IOException e) {
                            log.debug("{}: follow-up not sent: {}", w.target, e.toString());
                        }
                    }
                    result(w, true, null);
                }
                case BAD -> result(w, false, a.error());
                case STALE -> {
                }
            }
        }
    }

    private void result(Watched w, boolean ok, String error) {
        if (!w.inFlight) {
            return;
        }
        w.inFlight = false;
        schedule(w, w.sentAt + w.check.interval().toNanos());
        (ok ? answered : failed).incrementAndGet();
        if (!ok) {
            w.lastError = error;
        }
        int before = w.health.run();
        boolean changed = w.health.record(ok);
        try {
            listener.probed(w.target, ok, error);
            if (changed) {
                states.put(w.target, w.health.state());
                listener.changed(new HealthEvent(w.target, w.check, w.health.state(), before + 1, w.lastError));
            }
        } catch (RuntimeException e) {
            log.error("health listener failed on {}", w.target, e);
        }
    }

    private static void closeChannel(Watched w) {
        if (w.channel != null) {
            try {
                w.channel.close();
            } catch (IOException e) {
                log.debug("{}: close: {}", w.target, e.toString());
            }
            w.channel = null;
        }
    }

    private static InetAddress toInet(Target t) {
        try {
            return InetAddress.getByAddress(t.server().bytes());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(t + ": " + e.getMessage(), e);
        }
    }
}
