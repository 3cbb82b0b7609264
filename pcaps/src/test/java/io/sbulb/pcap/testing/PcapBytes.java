package io.sbulb.pcap.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic pcap files written byte by byte, independently of libpcap and Pcap4J, for tests that
 * need a damaged or unusual capture: little-endian, microsecond magic, version 2.4.
 */
public final class PcapBytes {

    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_LINUX_SLL = 113;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private PcapBytes(int linkType) {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        out.writeBytes(h.array());
    }

    public static PcapBytes ethernet() {
        return new PcapBytes(LINKTYPE_ETHERNET);
    }

    public static PcapBytes linkType(int linkType) {
        return new PcapBytes(linkType);
    }

    /** A whole record: captured length = original length = data length. */
    public PcapBytes record(long seconds, int micros, byte[] data) {
        return record(seconds, micros, data.length, data.length, data);
    }

    /** A record whose header says what the caller wants, followed by {@code data}. */
    public PcapBytes record(long seconds, int micros, int capturedLength, int originalLength, byte[] data) {
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) seconds).putInt(micros).putInt(capturedLength).putInt(originalLength);
        out.writeBytes(r.array());
        out.writeBytes(data);
        return this;
    }

    /** Raw bytes appended as they are (e.g. half a record header). */
    public PcapBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
