package io.sbulb.pcap;

import java.time.Instant;

/**
 * One record of a capture.
 *
 * @param record         its position in the capture, from 1 (as tcpdump and Wireshark number them)
 * @param timestamp      when it was captured
 * @param bytes          the captured bytes, from the destination MAC (the frame itself)
 * @param originalLength the frame's length on the wire; more than {@code bytes.length} when the
 *                       capture's snap length cut it
 */
public record CapturedFrame(long record, Instant timestamp, byte[] bytes, int originalLength) {

    /** True when the capture holds only the first part of the frame. */
    public boolean cut() {
        return originalLength > bytes.length;
    }
}
