package io.sbulb.bench;

import io.sbulb.api.frame.UdpFrame;
import io.sbulb.lab.EchoServer;
import io.sbulb.lab.Lab;
import io.sbulb.lab.LabClient;
import io.sbulb.lab.LabOptions;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lab set up for load: the namespace network ({@link Lab}) with the {@link Sink} on the
 * gateway's end of the balancer's veth, the {@link Generator} sending from that same end, echo
 * servers on the real servers, and the two cores apart: the generator, the sink and everything
 * else on {@code genCpu}; the balancer's NAPI thread (and nginx's worker) on {@code lbCpu}.
 */
final class LoadRig implements AutoCloseable {

    /** The generator's clients: source ports from here on, of the lab's client address. */
    static final int BASE_PORT = 20000;

    private final Sink sink;
    private final Generator generator;
    private final Lab lab;
    private final int genCpu;
    private final int lbCpu;
    private final int ifindex;
    private final int frameLength;
    private final List<EchoServer> echo = new ArrayList<>();

    private LoadRig(Sink sink, Generator generator, Lab lab, int genCpu, int lbCpu, int frameLength) {
        this.sink = sink;
        this.generator = generator;
        this.lab = lab;
        this.genCpu = genCpu;
        this.lbCpu = lbCpu;
        this.frameLength = frameLength;
        this.ifindex = Netns.call(lab.gwNetns(), () -> NetInterface.byName(Lab.GW_LB_INTERFACE).index());
        generator.choose(lab.gwNetns(), ifindex);
        for (int i = 1; i <= lab.realServerCount(); i++) {
            echo.add(EchoServer.start("rs" + i, lab.realServerNetns(i), Balancer.PORT));
        }
        // the sink's thread takes its core at once when frames arrive: it must never be what drops them
        NapiThreads.pin(lab.gwNetns(), Lab.GW_LB_INTERFACE, genCpu, true);
    }

    /**
     * Builds the rig: {@code clients} client ports, frames of {@code frameLength} bytes (IPv4 UDP,
     * checksum 0, to the VIP's benchmark port).
     */
    static LoadRig create(int realServers, int genCpu, int lbCpu, int clients, int frameLength) {
        return create(realServers, genCpu, lbCpu, clients, frameLength, LabOptions.DEFAULT);
    }

    /** As {@link #create(int, int, int, int, int)}, the lab built as {@code options} say (its sink on the gateway's end). */
    static LoadRig create(int realServers, int genCpu, int lbCpu, int clients, int frameLength, LabOptions options) {
        if (frameLength < Generator.HEADER_LEN) {
            throw new IllegalArgumentException("a frame of " + frameLength + " bytes cannot hold Ethernet, IPv4 and UDP");
        }
        Sink sink = Sink.load();
        Generator gen = null;
        Lab lab = null;
        try {
            gen = Generator.load();
            lab = Lab.create(Lab.uniquePrefix(), realServers, options.withPeerProgram(sink.programFd()));
            LoadRig rig = new LoadRig(sink, gen, lab, genCpu, lbCpu, frameLength);
            rig.clients(BASE_PORT, clients);
            return rig;
        } catch (RuntimeException | Error e) {
            if (lab != null) {
                lab.close();
            }
            if (gen != null) {
                gen.close();
            }
            sink.close();
            throw e;
        }
    }

    Lab lab() {
        return lab;
    }

    Sink sink() {
        return sink;
    }

    /** How the balancer core's busy time is measured ({@link CpuMeter#source}). */
    String busyMeter() {
        return CpuMeter.source(Machine.HOST, lbCpu);
    }

    /** Which traffic generator the rig runs, and why ({@link Generator#description()}). */
    String generator() {
        return generator.description();
    }

    /**
     * From the next step on, the generator's clients are {@code clients} source ports from
     * {@code basePort} of the lab's client address.
     */
    void clients(int basePort, int clients) {
        UdpFrame frame = UdpFrame.builder()
                .srcMac(Lab.mac(lab.gwNetns(), Lab.GW_LB_INTERFACE))
                .dstMac(Lab.mac(lab.lbNetns(), Lab.LB_INTERFACE))
                .source(Lab.CLIENT, basePort).destination(Lab.VIP, Balancer.PORT).ttl(64)
                .payload(new byte[frameLength - Generator.HEADER_LEN]).checksum(UdpFrame.ChecksumMode.ZERO).build();
        generator.configure(frame, basePort, clients);
    }

    /** Turns threaded NAPI on for the balancer's veth and pins it to the balancer's core; its threads. */
    List<Long> pinBalancer() {
        return NapiThreads.pin(lab.lbNetns(), Lab.LB_INTERFACE, lbCpu, true);
    }

    /** What one load step measured. Times in ns, rates in frames a second. */
    record Step(double targetPps, long sent, double offeredPps, long delivered, long late, long wallNs, long busyNs,
                long lbTasksNs, Map<Integer, Sink.Count> perServer, long refusedAtInput, long refusedAtSink,
                long stealNs) {

        double deliveredPps() {
            return offeredPps * delivered / Math.max(1, sent);
        }

        double loss() {
            return sent == 0 ? 0 : Math.max(0, (double) (sent - delivered) / sent);
        }

        /** The balancer core's busy share over the step; NaN when its idle time is unavailable. */
        double busy() {
            return busyNs < 0 ? Double.NaN : (double) busyNs / wallNs;
        }
    }

    /**
     * Offers {@code pps} frames a second (0: as fast as the generator goes) for {@code seconds},
     * everything counted at the sink (dropped there); {@code lbTasks} are read for their CPU time.
     */
    Step load(double pps, double seconds, List<Long> lbTasks) {
        return load(pps, seconds, lbTasks, Generator.BURST);
    }

    /** As {@link #load(double, double, List)}, the generator flushing every {@code batch} frames. */
    Step load(double pps, double seconds, List<Long> lbTasks, int batch) {
        sink.configure(Balancer.PORT, true);
        sink.reset();
        int frames = (int) Math.min(Integer.MAX_VALUE, pps > 0 ? Math.ceil(pps * seconds) : 6_000_000L * seconds);
        Map<String, Long> lb0 = VethStats.read(lab.lbNetns(), Lab.LB_INTERFACE);
        Map<String, Long> gw0 = VethStats.read(lab.gwNetns(), Lab.GW_LB_INTERFACE);
        CpuMeter.Reading before = CpuMeter.read(lbCpu, lbTasks);
        Generator.Run run = generator.run(lab.gwNetns(), ifindex, genCpu, pps, frames, seconds * 1.5 + 2, batch);
        Pause.ms(50); // the last frames through
        CpuMeter.Reading after = CpuMeter.read(lbCpu, lbTasks);
        Map<String, Long> lb = VethStats.delta(lb0, VethStats.read(lab.lbNetns(), Lab.LB_INTERFACE));
        Map<String, Long> gw = VethStats.delta(gw0, VethStats.read(lab.gwNetns(), Lab.GW_LB_INTERFACE));
        Map<Integer, Sink.Count> counts = sink.counts();
        long delivered = counts.values().stream().mapToLong(Sink.Count::frames).sum();
        // the balancer's receive ring was full: frames the generator sent that it never saw
        // (live frames: veth's xdp_xmit errors; the AF_PACKET fallback: what sendmmsg was refused)
        long refusedAtInput = gw.getOrDefault("tx_queue_0_xdp_xmit_errors", 0L) + run.refused();
        // the sink's ring was full: frames sbulb sent with XDP_TX that the rig failed to take
        long refusedAtSink = lb.getOrDefault("rx_queue_0_xdp_tx_errors", 0L);
        return new Step(pps, run.frames(), run.rate(), delivered, run.late(), after.wallSince(before),
                after.busySince(before), after.tasksSince(before), counts, refusedAtInput, refusedAtSink,
                after.stealSince(before));
    }

    /** Offers {@code pps} frames a second for {@code seconds}, flushed every {@code batch}; nothing measured. */
    Generator.Run generate(double pps, double seconds, int batch) {
        int frames = (int) Math.ceil(pps * seconds);
        return generator.run(lab.gwNetns(), ifindex, genCpu, pps, frames, seconds + 1, batch);
    }

    /** The balancer core's busy share with no traffic, over {@code seconds}; NaN when unavailable. */
    double idleBusy(double seconds) {
        CpuMeter.Reading before = CpuMeter.read(lbCpu, List.of());
        Pause.ms((long) (seconds * 1000));
        CpuMeter.Reading after = CpuMeter.read(lbCpu, List.of());
        long busy = after.busySince(before);
        return busy < 0 ? Double.NaN : (double) busy / after.wallSince(before);
    }

    /** Round-trip times of request/response exchanges between real sockets, through the balancer. */
    record Rtt(long[] sortedNs, int lost) {
        double percentileUs(double p) {
            if (sortedNs.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.min(sortedNs.length - 1, Math.ceil(p / 100 * sortedNs.length) - 1);
            return sortedNs[Math.max(0, i)] / 1000.0;
        }
    }

    /**
     * {@code exchanges} request/response round trips, one at a time, from {@code sockets} client
     * sockets in turn to the VIP, each answered by a real server's echo server; the sink lets
     * everything through. After {@code warmup} exchanges that are not counted.
     */
    Rtt rtt(int exchanges, int warmup, int sockets) {
        sink.configure(Balancer.PORT, false);
        InetSocketAddress vip;
        try {
            vip = new InetSocketAddress(InetAddress.getByAddress(Lab.VIP.bytes()), Balancer.PORT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the VIP " + Lab.VIP + " is not an address", e);
        }
        List<LabClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < sockets; i++) {
                clients.add(LabClient.open(lab.clientNetns(), 0));
            }
            long[] ns = new long[exchanges];
            int n = 0;
            int lost = 0;
            for (int i = 0; i < warmup + exchanges; i++) {
                LabClient c = clients.get(i % sockets);
                long t0 = System.nanoTime();
                Optional<LabClient.Reply> r = c.exchange(vip, "rtt-" + i, Duration.ofMillis(500));
                long t = System.nanoTime() - t0;
                if (i < warmup) {
                    continue;
                }
                if (r.isPresent()) {
                    ns[n++] = t;
                } else {
                    lost++;
                }
            }
            long[] sorted = Arrays.copyOf(ns, n);
            Arrays.sort(sorted);
            return new Rtt(sorted, lost);
        } finally {
            clients.forEach(LabClient::close);
            sink.configure(Balancer.PORT, true);
        }
    }


    @Override
    public void close() {
        echo.forEach(EchoServer::close);
        lab.close();
        generator.close();
        sink.close();
    }
}
