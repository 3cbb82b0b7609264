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
    private Pointer rb;
    private RuntimeException failure;

    public RingBuffer(BpfMap map, Consumer<byte[]> records) {
        this.sample = (ctx, data, size) -> {
            try {
                records.accept(data.getByteArray(0, (int) size));
                return 0;
            } catch (RuntimeException e) {
                failure = e; // never unwind into libbpf's C frames; rethrown by consume()
                return -1;
            }
        };
        this.rb = LibBpf.ring_buffer__new(map.fd(), sample, null, null);
        if (rb == null) {
            throw new BpfException("open ring buffer of map " + map.name(), Native.getLastError());
        }
    }

    /** Hands every waiting record to the consumer; returns how many. */
    public int consume() {
        if (rb == null) {
            throw new IllegalStateException("ring buffer is closed");
        }
        int n = LibBpf.ring_buffer__consume(rb);
        if (failure != null) {
            RuntimeException e = failure;
            failure = null;
            throw e;
        }
        if (n < 0) {
            throw new BpfException("consume ring buffer", -n);
        }
        return n;
    }

    @Override
    public void close() {
        if (rb != null) {
            LibBpf.ring_buffer__free(rb);
            rb = null;
        }
    }
}
