package io.sbulb.lab;

import io.sbulb.api.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an end-to-end test of the lab holds while it runs, closed in order: its clients, echo
 * servers, sbulb, the notify socket, and the lab with its namespaces.
 */
final class LabSession implements AutoCloseable {

    Lab lab;
    final List<EchoServer> servers = new ArrayList<>();
    final Map<String, LabClient> clients = new LinkedHashMap<>();
    NotifyListener notify;
    SbulbProcess sbulb;

    @Override
    public void close() {
        closeAll(clients.values(), servers, sbulb, notify, lab);
    }

    /** Closes what a test holds, in that order; any may be null (not made yet). */
    static void closeAll(java.util.Collection<LabClient> clients, java.util.Collection<EchoServer> servers,
                         SbulbProcess sbulb, NotifyListener notify, Lab lab) {
        for (AutoCloseable c : closing(clients, servers, sbulb, notify, lab)) {
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

    /** Waits until sbulb's standard output holds {@code text}, at most {@code timeoutMs}; true if it does. */
    boolean awaitOut(String text, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!sbulb.out().contains(text) && System.nanoTime() < deadline) {
            sleep(20);
        }
        return sbulb.out().contains(text);
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
