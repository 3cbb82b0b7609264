package io.sbulb.xdp.bpf;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.function.Consumer;

/**
 * A consumer of a BPF_MAP_TYPE_RINGBUF map (libbpf's {@code ring_buffer}): each
 * {@link #consume()} hands every record waiting to the consumer given at creation, as a copy.
 * Use from one thread; close to free it.
 */
public final class RingBuffer implements AutoCloseable {

    private final LibBpf.SampleFn sample; // strongly held: libbpf keeps only the native pointer
    /** What the sample callback returns to stop libbpf once the budget is spent (the record is consumed). */
    private static final int BUDGET_SPENT = -1;
    private static final int FAILED = -2;

    private Pointer rb;
    private RuntimeException failure;
    private int budget = Integer.MAX_VALUE;
    private int taken;

    public RingBuffer(BpfMap map, Consumer<byte[]> records) {
        this.sample = (ctx, data, size) -> {
            try {
                records.accept(data.getByteArray(0, (int) size));
                taken++;
                // libbpf advances the consumer position before calling back, so stopping here
                // keeps this record consumed and leaves the rest for the next call
                return taken >= budget ? BUDGET_SPENT : 0;
            } catch (RuntimeException e) {
                failure = e; // never unwind into libbpf's C frames; rethrown by consume()
                return FAILED;
            }
        };
        this.rb = LibBpf.ring_buffer__new(map.fd(), sample, null, null);
        if (rb == null) {
            throw new BpfException("open ring buffer of map " + map.name(), Native.getLastError());
        }
    }

    /** Hands every waiting record to the consumer; returns how many. */
    public int consume() {
        return consume(Integer.MAX_VALUE);
    }

    /**
     * Hands at most {@code max} waiting records to the consumer; returns how many. A producer
     * that keeps writing cannot keep the caller here: at {@code max} it returns.
     */
    public int consume(int max) {
        if (rb == null) {
            throw new IllegalStateException("ring buffer is closed");
        }
        if (max < 1) {
            throw new IllegalArgumentException("a ring buffer budget is at least 1 record, not " + max);
        }
        budget = max;
        taken = 0;
        int n = LibBpf.ring_buffer__consume(rb);
        if (failure != null) {
            RuntimeException e = failure;
            failure = null;
            throw e;
        }
        if (n < 0 && n != BUDGET_SPENT) {
            throw new BpfException("consume ring buffer", -n);
        }
        return taken;
    }

    @Override
    public void close() {
        if (rb != null) {
            LibBpf.ring_buffer__free(rb);
            rb = null;
        }
    }
}
