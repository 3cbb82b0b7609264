package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneControl;
import io.sbulb.api.LruParameters;
import io.sbulb.api.testing.ForwardingControl;
import io.sbulb.control.config.ServicesFile;
import io.sbulb.sim.ReferenceDataplane;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark, not a test: how long from a write of the services file to the daemon's
 * {@code configure()} of the data path (the reference model), through the real loop
 * ({@link Daemon#run}: inotify, the confirming read, the parse, the reconcile). Each round
 * rewrites the file (in place, or by a rename over it as editors and ConfigMaps do) after a
 * random pause, so that rounds do not keep step with the 100 ms poll.
 *
 * <pre>
 * java -cp ... io.sbulb.control.daemon.ConfigChangeLatency [ROUNDS]
 * </pre>
 */
public final class ConfigChangeLatency {

    private static final String FILE = """
            limits: {max-ports: 4, max-real-servers: 8, max-associations: 4096}
            services:
              - name: coap
                vip: 198.18.0.10
                ports: [5683, 5684]
                real-servers: [198.18.2.11, {address: 198.18.2.12, weight: %d}, 198.18.2.13]
              - name: coap-v6
                vip: fd00::10
                ports: [5683]
                real-servers: [fd00:2::11, fd00:2::12]
            """;

    private ConfigChangeLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("sbulb-latency");
        Path file = dir.resolve("services.yaml");
        try {
            for (boolean rename : new boolean[] {false, true}) {
                List<Double> ms = run(dir, file, rounds, rename);
                Collections.sort(ms);
                System.out.printf("%-28s %d rounds: median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms%n",
                        rename ? "write, rename over the file" : "write in place", ms.size(), ms.get(ms.size() / 2),
                        ms.get(ms.size() * 9 / 10), ms.get(0), ms.get(ms.size() - 1));
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static List<Double> run(Path dir, Path file, int rounds, boolean rename) throws Exception {
        Files.writeString(file, FILE.formatted(1));
        DataplaneConfig first = ServicesFile.read(file).config();
        LinkedBlockingQueue<Long> configured = new LinkedBlockingQueue<>();
        ReferenceDataplane model = new ReferenceDataplane(ServicesFile.read(file).limits(), LruParameters.detect());
        DataplaneControl timed = new ForwardingControl() {
            @Override
            protected DataplaneControl delegate() {
                return model;
            }

            @Override
            public void configure(DataplaneConfig config) {
                super.configure(config);
                configured.offer(System.nanoTime());
            }
        };
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        Daemon d = Daemon.start(new Daemon.Settings("bench", first, file, Daemon.FileFormat.SERVICES), timed, quiet,
                SdNotify.disabled(), () -> { }, e -> { });
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
            try {
                d.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Random random = new Random(1);
        List<Double> out = new ArrayList<>();
        try {
            for (int i = 0; i < rounds; i++) {
                Thread.sleep(20 + random.nextInt(100));
                String text = FILE.formatted(2 + i % 200);
                configured.clear();
                long t0 = System.nanoTime();
                write(dir, file, text, rename);
                Long t1 = configured.poll(5, TimeUnit.SECONDS);
                if (t1 == null) {
                    throw new IllegalStateException("round " + i + ": no configure() within 5 s");
                }
                out.add((t1 - t0) / 1e6);
            }
        } finally {
            d.requestStop("benchmark over");
            loop.get(10, TimeUnit.SECONDS);
            d.close();
        }
        return out;
    }

    private static void write(Path dir, Path file, String text, boolean rename) throws IOException {
        if (rename) {
            Path tmp = dir.resolve(".services.yaml.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.writeString(file, text);
        }
    }
}
