package io.sbulb.api;

/** Frames and bytes (whole Ethernet frames) counted for one reason, summed over CPUs. */
public record Counter(long packets, long bytes) {
    public static final Counter ZERO = new Counter(0, 0);

    public Counter plus(Counter o) {
        return new Counter(packets + o.packets, bytes + o.bytes);
    }
}
