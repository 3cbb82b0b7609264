package io.sbulb.bench;

import io.sbulb.lab.Lab;
import io.sbulb.lab.LabException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * sbulb's control-plane latency: from a change of its {@code -cfg} file (the rename that makes
 * the new content visible) to the first frame sbulb sends to the new real server, as the sink
 * sees it on the wire (both clocks CLOCK_MONOTONIC). The change replaces the only real server,
 * so the next frame of every client must go to the new one. Traffic: the generator at a steady
 * rate from a thread of its own.
 */
final class ControlPlane {

    private ControlPlane() {
    }

    /** Latencies of {@code changes} changes, ns, in order. */
    static List<Long> configChangeLatencies(LoadRig rig, Path workDir, int changes, double pps) throws IOException {
        Lab lab = rig.lab();
        int from = 1;
        int to = lab.realServerCount();
        Path cfg = workDir.resolve("real-servers.cfg");
        lab.writeRealServerFile(cfg, from);
        List<Long> latencies = new ArrayList<>();
        try (SbulbBalancer sbulb = new SbulbBalancer(lab, workDir, List.of("-cfg", cfg.toString()))) {
            sbulb.start();
            rig.pinBalancer();
            double seconds = changes * 1.5 + 1.5;
            rig.sink().configure(Balancer.PORT, true);
            CompletableFuture<Generator.Run> traffic = CompletableFuture.supplyAsync(
                    () -> rig.generate(pps, seconds, 8));
            Pause.ms(500);
            for (int i = 0; i < changes; i++) {
                rig.sink().reset();
                lab.writeRealServerFile(cfg, to);
                long changed = System.nanoTime();
                int octet = lastOctet(lab, to);
                long first = 0;
                long deadline = changed + 1_200_000_000L;
                while (first == 0 && System.nanoTime() < deadline) {
                    Pause.ms(20);
                    first = rig.sink().count(octet).firstNs();
                }
                if (first == 0) {
                    throw new LabException("no frame reached real server " + lab.realServer(to)
                            + " within 1.2 s of the -cfg change");
                }
                latencies.add(first - changed);
                int t = from;
                from = to;
                to = t;
                Pause.ms(200);
            }
            traffic.join();
        }
        return latencies;
    }

    static int lastOctet(Lab lab, int server) {
        byte[] b = lab.realServer(server).bytes();
        return b[b.length - 1] & 0xff;
    }

}
