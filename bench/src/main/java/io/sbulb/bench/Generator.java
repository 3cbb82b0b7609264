package io.sbulb.bench;

import io.sbulb.api.frame.UdpFrame;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.LibC;
import io.sbulb.xdp.testing.Netns;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The lab benchmark's traffic generator ({@code src/main/bpf/lab_gen.bpf.c}): BPF_PROG_TEST_RUN
 * in live-frames mode on an interface, so each repetition puts a real frame on the wire; the
 * source port cycles over {@code clients} ports. The program paces itself (one call is one
 * load step: a live-frames call costs some 20 ms of setup); a run is bounded in frames and in
 * seconds.
 *
 * <p>Some kernels refuse live frames (EPERM for any program, though plain test runs work). The
 * first run probes once ({@link #choose}); when refused, every run sends the same frames from an
 * AF_PACKET socket instead ({@link PacketSender}), and {@link #description()} says so and why.
 */
final class Generator implements AutoCloseable {

    /** Frames per batch: the kernel flushes them at once, and runs a batch with bottom halves off. */
    static final int BURST = 64;

    /** struct gen_cfg of lab_bench.h: field offsets, host byte order. */
    /** Ethernet, IPv4 without options, UDP: the headers the program writes (HEADER_LEN). */
    static final int HEADER_LEN = 42;
    /** GEN_UDP_SPORT_OFF of lab_bench.h: the UDP source port's offset in the frame. */
    static final int UDP_SPORT_OFF = 34;
    private static final int CFG_SIZE = 112;
    private static final int OFF_BASE_PORT = 42;
    private static final int OFF_CLIENTS = 44;
    private static final int OFF_INTERVAL = 56;
    private static final int OFF_DEADLINE = 64;
    private static final int OFF_NEXT = 72;
    private static final int OFF_SENT = 80;
    private static final int OFF_LATE = 88;
    private static final int OFF_FIRST = 96;
    private static final int OFF_LAST = 104;
    private static final byte[] KEY = new byte[4];

    private final BpfObject object;
    private final BpfProgram program;
    private final BpfMap cfg;
    private byte[] frame;
    private int basePort;
    private int clients;
    /** Null until {@link #choose} probed; empty: live frames; else why the AF_PACKET fallback runs. */
    private String refusal;

    private Generator(BpfObject object) {
        this.object = object;
        this.program = object.program("lab_gen");
        this.cfg = object.map("lab_gen_cfg");
        if (cfg.description().valueSize() != CFG_SIZE) {
            throw new IllegalStateException("lab_gen_cfg holds " + cfg.description().valueSize()
                    + "-byte values, the Java side assumes " + CFG_SIZE + " (lab_bench.h changed?)");
        }
    }

    static Generator load() {
        return BpfObjects.load("lab_gen", Generator::new);
    }

    /**
     * Sets the frame (its headers become the template; give it a UDP checksum of 0) and the
     * clients: source ports {@code basePort .. basePort + clients - 1}, in turn.
     */
    void configure(UdpFrame frame, int basePort, int clients) {
        if (clients < 1 || basePort < 1 || basePort + clients - 1 > 65535) {
            throw new IllegalArgumentException(clients + " clients from port " + basePort + " do not fit in 1..65535");
        }
        this.frame = frame.toFrame().bytes();
        this.basePort = basePort;
        this.clients = clients;
        ByteBuffer v = ByteBuffer.allocate(CFG_SIZE).order(ByteOrder.nativeOrder());
        v.put(this.frame, 0, HEADER_LEN);
        v.putShort(OFF_BASE_PORT, (short) basePort);
        v.putInt(OFF_CLIENTS, clients);
        cfg.update(KEY, v.array(), BpfMap.UpdateFlag.ANY);
    }

    /**
     * Probes once whether the kernel runs this program in live-frames mode on interface
     * {@code ifindex} of namespace {@code netns} (one repetition past its deadline: the program
     * drops the frame, nothing is sent); when it refuses, every run uses the AF_PACKET fallback.
     * Later calls keep the first answer.
     */
    void choose(String netns, int ifindex) {
        if (refusal != null) {
            return;
        }
        refusal = Netns.call(netns, () -> {
            ByteBuffer v = ByteBuffer.wrap(cfg.lookup(KEY)).order(ByteOrder.nativeOrder());
            v.putInt(OFF_CLIENTS, Math.max(1, v.getInt(OFF_CLIENTS))); // with 0 clients the program aborts
            v.putLong(OFF_DEADLINE, 0);
            cfg.update(KEY, v.array(), BpfMap.UpdateFlag.ANY);
            try {
                program.liveFrames(new byte[64], ifindex, 1).run(1);
                return "";
            } catch (BpfException e) {
                return "live frames refused by the kernel: " + BpfException.errnoText(e.errno());
            }
        });
    }

    /** Which generator runs and why, e.g. "AF_PACKET (live frames refused by the kernel: ...)". */
    String description() {
        if (refusal == null) {
            return "not chosen yet (no run)";
        }
        return refusal.isEmpty() ? "BPF live frames (BPF_PROG_TEST_RUN, paced in the program)"
                : "AF_PACKET sendmmsg, paced in user space (" + refusal + ")";
    }

    /**
     * What a run did: frames sent, the time from the first to the last (s), how often the
     * generator fell behind its schedule and gave up the lag, and how many frames the interface
     * refused at once (the AF_PACKET fallback learns of a full peer ring; live frames count 0,
     * veth counts those as xdp_xmit_errors).
     */
    record Run(long frames, double seconds, long late, long refused) {
        /** The rate actually offered, frames a second. */
        double rate() {
            return seconds > 0 ? (frames - 1) / seconds : 0;
        }
    }

    /**
     * Sends {@code frames} frames out of interface {@code ifindex} of namespace {@code netns},
     * {@code pps} a second (0: as fast as it can), in one BPF_PROG_TEST_RUN call from a thread
     * pinned to {@code cpu}; sends nothing more after {@code maxSeconds}.
     */
    Run run(String netns, int ifindex, int cpu, double pps, int frames, double maxSeconds) {
        return run(netns, ifindex, cpu, pps, frames, maxSeconds, BURST);
    }

    /**
     * As {@link #run(String, int, int, double, int, double)}, flushing every {@code batch} frames:
     * the generating thread holds its core without preemption for a batch (the kernel runs a
     * batch with bottom halves off), so a small batch at a low rate leaves room to others.
     */
    Run run(String netns, int ifindex, int cpu, double pps, int frames, double maxSeconds, int batch) {
        if (frame == null) {
            throw new IllegalStateException("configure the generator before running it");
        }
        if (frames < 1 || pps < 0 || maxSeconds <= 0) {
            throw new IllegalArgumentException("a run needs frames >= 1, pps >= 0 and a time bound > 0; got "
                    + frames + ", " + pps + ", " + maxSeconds);
        }
        choose(netns, ifindex);
        if (!refusal.isEmpty()) {
            return Netns.call(netns, () -> {
                LibC.pinCurrentThread(cpu);
                try (PacketSender s = PacketSender.open(ifindex, frame, batch)) {
                    return s.run(basePort, clients, pps, frames, maxSeconds);
                }
            });
        }
        return Netns.call(netns, () -> {
            LibC.pinCurrentThread(cpu);
            BpfProgram.LiveFrames live = program.liveFrames(frame, ifindex, batch);
            ByteBuffer v = ByteBuffer.wrap(cfg.lookup(KEY)).order(ByteOrder.nativeOrder());
            v.putLong(OFF_INTERVAL, pps > 0 ? Math.round(1e9 / pps) : 0);
            v.putLong(OFF_DEADLINE, System.nanoTime() + (long) (maxSeconds * 1e9)); // both CLOCK_MONOTONIC
            for (int off : new int[] {OFF_NEXT, OFF_SENT, OFF_LATE, OFF_FIRST, OFF_LAST}) {
                v.putLong(off, 0);
            }
            cfg.update(KEY, v.array(), BpfMap.UpdateFlag.ANY);
            live.run(frames);
            ByteBuffer after = ByteBuffer.wrap(cfg.lookup(KEY)).order(ByteOrder.nativeOrder());
            long sent = after.getLong(OFF_SENT);
            double seconds = (after.getLong(OFF_LAST) - after.getLong(OFF_FIRST)) / 1e9;
            return new Run(sent, seconds, after.getLong(OFF_LATE), 0);
        });
    }

    @Override
    public void close() {
        object.close();
    }
}
