package io.sbulb.bench;

import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counting end of the lab benchmark ({@code src/main/bpf/lab_sink.bpf.c}): an XDP program
 * on the gateway's end of the load balancer's veth that counts, per destination, the UDP frames
 * the balancer sends to the benchmark's port, and drops them during load runs.
 */
final class Sink implements AutoCloseable {

    static final int SLOTS = 256; // SINK_SLOTS of lab_bench.h

    private final BpfObject object;
    private final BpfMap ctl;
    private final BpfMap counts;

    private Sink(BpfObject object) {
        this.object = object;
        this.ctl = object.map("lab_sink_ctl");
        this.counts = object.map("lab_sink_counts");
    }

    static Sink load() {
        return BpfObjects.load("lab_sink", Sink::new);
    }

    int programFd() {
        return object.program("lab_sink").fd();
    }

    /** Counts frames to UDP {@code port}; drops them when {@code drop}, else passes them on. */
    void configure(int port, boolean drop) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        v.putInt(0, drop ? 1 : 0);
        v.order(ByteOrder.BIG_ENDIAN).putShort(4, (short) port);
        ctl.update(key(0), v.array(), BpfMap.UpdateFlag.ANY);
    }

    /** Zeroes every count. */
    void reset() {
        byte[] zero = new byte[24];
        for (int i = 0; i < SLOTS; i++) {
            counts.update(key(i), zero, BpfMap.UpdateFlag.ANY);
        }
    }

    /** One destination's count: frames, and the monotonic times (ns) of the first and the latest. */
    record Count(long frames, long firstNs, long lastNs) {
    }

    /** The counts of every destination that got a frame, by the last octet of its address. */
    Map<Integer, Count> counts() {
        Map<Integer, Count> m = new TreeMap<>();
        for (int i = 0; i < SLOTS; i++) {
            ByteBuffer b = ByteBuffer.wrap(counts.lookup(key(i))).order(ByteOrder.nativeOrder());
            long frames = b.getLong(0);
            if (frames != 0) {
                m.put(i, new Count(frames, b.getLong(8), b.getLong(16)));
            }
        }
        return m;
    }

    /** Frames counted, all destinations together. */
    long total() {
        return counts().values().stream().mapToLong(Count::frames).sum();
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, i).array();
    }

    @Override
    public void close() {
        object.close();
    }
}
