package io.sbulb.lab;

import io.sbulb.api.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an end-to-end test of the lab holds while it runs, closed in order: its other peers
 * (protocol servers and clients of a library, such as {@link DtlsPeers}), its clients, echo
 * servers, sbulb, the notify socket, and the lab with its namespaces.
 */
final class LabSession implements AutoCloseable {

    Lab lab;
    /** Peers closed first; a test may close one itself earlier (closing them must be idempotent). */
    final List<AutoCloseable> peers = new ArrayList<>();
    final List<EchoServer> servers = new ArrayList<>();
    final Map<String, LabClient> clients = new LinkedHashMap<>();
    NotifyListener notify;
    SbulbProcess sbulb;

    @Override
    public void close() {
        closeEach(peers);
        closeAll(clients.values(), servers, sbulb, notify, lab);
    }

    /** Closes what a test holds, in that order; any may be null (not made yet). */
    static void closeAll(java.util.Collection<LabClient> clients, java.util.Collection<EchoServer> servers,
                         SbulbProcess sbulb, NotifyListener notify, Lab lab) {
        closeEach(closing(clients, servers, sbulb, notify, lab));
    }

    private static void closeEach(List<? extends AutoCloseable> all) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e); // the rest still closes
            }
        }
    }

    private static List<AutoCloseable> closing(java.util.Collection<LabClient> clients,
                                               java.util.Collection<EchoServer> servers, AutoCloseable... rest) {
        List<AutoCloseable> out = new ArrayList<>(clients);
        out.addAll(servers);
        out.addAll(java.util.Arrays.asList(rest));
        out.removeIf(java.util.Objects::isNull);
        return out;
    }

    /**
     * A services file of one service {@code name} on the lab's VIP and {@code port} over every real
     * server of the lab, with the health section {@code health} (a YAML flow mapping).
     */
    String oneService(String name, int port, String health) {
        List<String> servers = new ArrayList<>();
        for (int i = 1; i <= lab.realServerCount(); i++) {
            servers.add(lab.realServer(i).toString());
        }
        return oneService(name, port, servers, "health: " + health);
    }

    /**
     * A services file of one service {@code name} on the lab's VIP and {@code port} over the real
     * servers {@code servers} (each an address or a YAML flow mapping), with the further keys of
     * the service {@code keys} (lines such as {@code "health: {probe: udp}"}).
     */
    String oneService(String name, int port, List<String> servers, String... keys) {
        return servicesFile(service(name, Lab.VIP, port, servers, keys));
    }

    /** A services file of the services {@code services} (each as {@link #service} writes it), 65,536 associations. */
    static String servicesFile(String... services) {
        return "limits: {max-associations: 65536}\nservices:\n" + String.join("", services);
    }

    /**
     * One service of a services file: {@code name} on {@code vip} and {@code port} over the real
     * servers {@code servers} (each an address or a YAML flow mapping), with the further keys
     * {@code keys}. Addresses are quoted: an IPv6 one is not a plain YAML scalar.
     */
    static String service(String name, IpAddress vip, int port, List<String> servers, String... keys) {
        StringBuilder sb = new StringBuilder("  - name: " + name + "\n    vip: \"" + vip + "\"\n    ports: [" + port + "]\n"
                + "    real-servers: [" + String.join(", ", servers) + "]\n");
        for (String key : keys) {
            sb.append("    ").append(key).append('\n');
        }
        return sb.toString();
    }

    /** Starts sbulb on the lab's balancer with {@code args}, its notify socket in {@code dir}; true once READY=1. */
    boolean startSbulb(java.nio.file.Path dir, List<String> args) {
        notify = new NotifyListener(dir.resolve("notify.sock"));
        sbulb = SbulbProcess.start(lab.lbNetns(), args, notify.address(), dir);
        return notify.await(m -> m.contains("READY=1"), java.time.Duration.ofSeconds(60)).isPresent();
    }

    /** Waits until sbulb's standard output holds {@code text}, at most {@code timeoutMs}; true if it does. */
    boolean awaitOut(String text, long timeoutMs) {
        return await(sbulb::out, text, timeoutMs);
    }

    /** Waits until sbulb's standard error (its log, the data path's events) holds {@code text}, at most {@code timeoutMs}; true if it does. */
    boolean awaitErr(String text, long timeoutMs) {
        return await(sbulb::err, text, timeoutMs);
    }

    private static boolean await(java.util.function.Supplier<String> printed, String text, long timeoutMs) {
        return poll(printed, p -> p.contains(text), java.time.Duration.ofMillis(timeoutMs)).contains(text);
    }

    /**
     * Reads {@code read} every 20 ms until what it returns is {@code done}, at most {@code timeout};
     * the last value read (not {@code done} when the time ran out).
     */
    static <T> T poll(java.util.function.Supplier<T> read, java.util.function.Predicate<T> done,
                      java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = read.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            sleep(20);
            value = read.get();
        }
        return value;
    }

    /**
     * Waits until sbulb's standard output holds {@code text}, at most {@code timeout}, and returns
     * the milliseconds from {@code sinceNanos} ({@link System#nanoTime()}) until it was seen (within
     * the 20 ms of a poll), or -1 when it never was.
     */
    long millisUntilOut(String text, long sinceNanos, java.time.Duration timeout) {
        long remaining = timeout.toMillis() - (System.nanoTime() - sinceNanos) / 1_000_000;
        return awaitOut(text, Math.max(0, remaining)) ? (System.nanoTime() - sinceNanos) / 1_000_000 : -1;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static InetAddress address(IpAddress a) {
        try {
            return InetAddress.getByAddress(a.bytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
