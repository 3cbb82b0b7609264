package io.sbulb.pcap;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/** Writes an Ethernet pcap file with Pcap4J (libpcap's own dump format, which tcpdump and Scapy read). */
public final class PcapWriter implements AutoCloseable {

    /** tcpdump's default snap length: no frame sbulb replays is longer. */
    static final int SNAP_LENGTH = 262144;

    private final Path file;
    private final PcapHandle dead;
    private final PcapDumper dumper;
    private long records;

    private PcapWriter(Path file, PcapHandle dead, PcapDumper dumper) {
        this.file = file;
        this.dead = dead;
        this.dumper = dumper;
    }

    /** Creates (or truncates) {@code file}, with timestamps at {@code precision}. */
    public static PcapWriter create(Path file, TimestampPrecision precision) {
        PcapHandle dead;
        try {
            dead = Pcaps.openDead(DataLinkType.EN10MB, SNAP_LENGTH, precision.pcap4j());
        } catch (PcapNativeException e) {
            throw new PcapException("cannot prepare pcap " + file + ": " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new PcapException("cannot load libpcap to write " + file
                    + " (install it: apt-get install libpcap-dev): " + e.getMessage(), e);
        }
        try {
            return new PcapWriter(file, dead, dead.dumpOpen(file.toString()));
        } catch (PcapNativeException | NotOpenException e) {
            dead.close();
            throw new PcapException("cannot create pcap " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends one frame, whole (captured length = length). */
    public void write(Instant timestamp, byte[] frame) {
        try {
            dumper.dumpRaw(frame, Timestamp.from(timestamp));
            records++;
        } catch (NotOpenException e) {
            throw new PcapException("pcap " + file + " is closed", e);
        }
    }

    public long recordsWritten() {
        return records;
    }

    /** Flushes and closes; a write error the dump calls could not report shows up here. */
    @Override
    public void close() {
        try {
            if (dumper.isOpen()) {
                dumper.flush();
            }
        } catch (PcapNativeException | NotOpenException e) {
            throw new PcapException("cannot write pcap " + file + ": " + e.getMessage(), e);
        } finally {
            dumper.close();
            dead.close();
        }
    }
}
