package io.sbulb.pcap;

/** The timestamp resolution of a pcap file: microseconds (the classic format) or nanoseconds. */
public enum TimestampPrecision {
    MICRO,
    NANO;

    /**
     * The precision a capture was written with, from its first 4 bytes (its magic number): the
     * classic pcap magic (either byte order) is microseconds, the nanosecond magic and pcapng are
     * nanoseconds. An unknown magic is reported by libpcap when the file is opened, so here it
     * reads as MICRO.
     */
    static TimestampPrecision ofMagic(byte[] magic) {
        if (magic.length < 4) {
            return MICRO;
        }
        int m = ((magic[0] & 0xff) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff);
        return switch (m) {
            case 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a -> NANO;
            default -> MICRO;
        };
    }

    org.pcap4j.core.PcapHandle.TimestampPrecision pcap4j() {
        return this == NANO
                ? org.pcap4j.core.PcapHandle.TimestampPrecision.NANO
                : org.pcap4j.core.PcapHandle.TimestampPrecision.MICRO;
    }
}
