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
    private static final int COUNT_SIZE = 16; // struct sink_count

    private final BpfObject object;
    private final BpfMap ctl;
    private final BpfMap counts;

    private Sink(BpfObject object) {
        this.object = object;
        this.ctl = object.map("lab_sink_ctl");
        this.counts = object.map("lab_sink_counts");
        if (counts.description().valueSize() != COUNT_SIZE) {
            throw new IllegalStateException("lab_sink_counts holds " + counts.description().valueSize()
                    + "-byte values, the Java side assumes " + COUNT_SIZE + " (lab_bench.h changed?)");
        }
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
        byte[] zero = new byte[COUNT_SIZE];
        for (int i = 0; i < SLOTS; i++) {
            counts.update(key(i), zero, BpfMap.UpdateFlag.ANY);
        }
    }

    /** One destination's count: frames, and the monotonic time (ns) of the first. */
    record Count(long frames, long firstNs) {
    }

    /** The count of the destination whose address ends in {@code octet}. */
    Count count(int octet) {
        ByteBuffer b = ByteBuffer.wrap(counts.lookup(key(octet))).order(ByteOrder.nativeOrder());
        return new Count(b.getLong(0), b.getLong(8));
    }

    /** The counts of every destination that got a frame, by the last octet of its address. */
    Map<Integer, Count> counts() {
        Map<Integer, Count> m = new TreeMap<>();
        for (int i = 0; i < SLOTS; i++) {
            Count c = count(i);
            if (c.frames() != 0) {
                m.put(i, c);
            }
        }
        return m;
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, i).array();
    }

    @Override
    public void close() {
        object.close();
    }
}
