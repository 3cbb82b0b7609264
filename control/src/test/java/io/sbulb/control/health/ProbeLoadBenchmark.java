package io.sbulb.control.health;

import io.sbulb.api.IpAddress;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark, not a test: the prober's cost at the scale, 64 services x 32 servers
 * probed every second (2048 probes a second) against responders on loopback. The 32 servers are
 * 127.0.1.1..127.0.1.32 on one port, shared by the 64 services (as servers shared between
 * services are); a responder thread answers each CoAP ping with its Reset. Prints, every second,
 * the prober thread's CPU time in that second (ThreadMXBean) and the probes sent, answered and
 * failed; then the means over the run.
 *
 * <pre>
 * java -cp ... io.sbulb.control.health.ProbeLoadBenchmark [SECONDS [SERVICES [SERVERS]]]
 * </pre>
 */
public final class ProbeLoadBenchmark {

    private ProbeLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int services = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int servers = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        try (Responders responders = new Responders(servers)) {
            Prober prober = new Prober(e -> System.out.println("  " + e));
            Map<Target, HealthCheck> targets = new HashMap<>();
            HealthCheck check = new HealthCheck(new Probe.Coap(), responders.port, Duration.ofSeconds(1),
                    Duration.ofMillis(500), 2, 3);
            for (int s = 0; s < services; s++) {
                for (int r = 0; r < servers; r++) {
                    targets.put(new Target("svc-" + s, responders.address(r)), check);
                }
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long tid = prober.thread().getId();
            System.out.printf("%d services x %d servers = %d targets, coap ping every %s, timeout %s%n", services,
                    servers, targets.size(), HealthCheck.show(check.interval()), HealthCheck.show(check.timeout()));
            prober.watch(targets);
            Thread.sleep(2_000); // the first round is spread over one interval; then the steady state
            System.out.println("second  cpu-ms  cpu-%  sent  answered  failed");
            long cpu0 = mx.getThreadCpuTime(tid);
            long sent0 = prober.sent();
            long ans0 = prober.answered();
            long fail0 = prober.failed();
            long start = System.nanoTime();
            long cpu = cpu0;
            long sent = sent0;
            long ans = ans0;
            long fail = fail0;
            for (int i = 1; i <= seconds; i++) {
                Thread.sleep(Math.max(0, (start + i * 1_000_000_000L - System.nanoTime()) / 1_000_000));
                long c = mx.getThreadCpuTime(tid);
                long se = prober.sent();
                long an = prober.answered();
                long fa = prober.failed();
                System.out.printf("%6d  %6.2f  %5.2f  %4d  %8d  %6d%n", i, (c - cpu) / 1e6, (c - cpu) / 1e7, se - sent,
                        an - ans, fa - fail);
                cpu = c;
                sent = se;
                ans = an;
                fail = fa;
            }
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.printf("mean over %.1f s: %.2f ms CPU per second (%.2f%% of one core), %.0f probes sent/s, "
                    + "%.0f answered/s, %d failed, %.2f us CPU per probe%n", wall, (cpu - cpu0) / 1e6 / wall,
                    (cpu - cpu0) / 1e7 / wall, (sent - sent0) / wall, (ans - ans0) / wall, fail - fail0,
                    (cpu - cpu0) / 1e3 / Math.max(1, sent - sent0));
            prober.close();
        }
    }

    /** Servers on 127.0.1.1.. at one port, one thread and one Selector answering CoAP pings with Resets. */
    private static final class Responders implements AutoCloseable {
        final int port;
        private final List<DatagramChannel> channels = new ArrayList<>();
        private final Selector selector;
        private final Thread thread;
        private volatile boolean running = true;

        Responders(int n) throws IOException {
            selector = Selector.open();
            int p = 0;
            for (int i = 0; i < n; i++) {
                DatagramChannel ch = DatagramChannel.open();
                ch.bind(new InetSocketAddress("127.0.1." + (i + 1), p));
                p = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                channels.add(ch);
            }
            port = p;
            thread = new Thread(this::run, "responders");
            thread.setDaemon(true);
            thread.start();
        }

        IpAddress address(int i) {
            return IpAddress.parse("127.0.1." + (i + 1));
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            try {
                while (running) {
                    selector.select(key -> {
                        DatagramChannel ch = (DatagramChannel) key.channel();
                        try {
                            for (int i = 0; i < 64; i++) {
                                buf.clear();
                                SocketAddress from = ch.receive(buf);
                                if (from == null) {
                                    return;
                                }
                                buf.flip();
                                if (buf.remaining() >= 4) {
                                    buf.put(0, (byte) 0x70); // CON -> RST, same Message ID
                                    ch.send(buf, from);
                                }
                            }
                        } catch (IOException e) {
                            System.err.println("responder: " + e);
                        }
                    }, 200);
                }
            } catch (IOException e) {
                System.err.println("responders stopped: " + e);
            }
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join(2_000);
            for (DatagramChannel ch : channels) {
                ch.close();
            }
            selector.close();
        }
    }
}
