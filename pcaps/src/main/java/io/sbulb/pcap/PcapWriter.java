package io.sbulb.pcap;

import java.io.IOException;
import java.nio.file.Files;
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

    /** Sizes of the pcap file header and of a record header. */
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private final Path file;
    private final String name;
    private final PcapHandle dead;
    private final PcapDumper dumper;
    private long records;
    /** What the file must hold when closed: libpcap's dump calls do not report write errors. */
    private long bytes = FILE_HEADER;

    private PcapWriter(Path file, String name, PcapHandle dead, PcapDumper dumper) {
        this.file = file;
        this.name = name;
        this.dead = dead;
        this.dumper = dumper;
    }

    /** Creates (or truncates) {@code file}, with timestamps at {@code precision}. */
    public static PcapWriter create(Path file, TimestampPrecision precision) {
        return create(file, file.toString(), precision);
    }

    /** As {@link #create(Path, TimestampPrecision)}; errors call the file {@code name} (e.g. the file it will replace). */
    public static PcapWriter create(Path file, String name, TimestampPrecision precision) {
        PcapHandle dead;
        try {
            dead = Pcaps.openDead(DataLinkType.EN10MB, SNAP_LENGTH, precision.pcap4j());
        } catch (PcapNativeException e) {
            throw new PcapException("cannot prepare pcap " + name + ": " + e.getMessage(), e, true);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new PcapException("cannot load libpcap to write " + name
                    + " (install it: apt-get install libpcap-dev): " + e.getMessage(), e, true);
        }
        try {
            return new PcapWriter(file, name, dead, dead.dumpOpen(file.toString()));
        } catch (PcapNativeException | NotOpenException e) {
            dead.close();
            throw new PcapException("cannot create pcap " + name + ": " + e.getMessage(), e, true);
        }
    }

    /** Appends one frame, whole (captured length = length). */
    public void write(Instant timestamp, byte[] frame) {
        try {
            dumper.dumpRaw(frame, Timestamp.from(timestamp));
            records++;
            bytes += RECORD_HEADER + frame.length;
        } catch (NotOpenException e) {
            throw new PcapException("pcap " + name + " is closed", e, true);
        }
    }

    public long recordsWritten() {
        return records;
    }

    /**
     * Flushes and closes. libpcap's dump calls ignore write errors (a full disk), so a regular
     * file's size is checked against what was written: a short file is an error here.
     */
    @Override
    public void close() {
        try {
            if (dumper.isOpen()) {
                dumper.flush();
            }
        } catch (PcapNativeException | NotOpenException e) {
            throw new PcapException("cannot write pcap " + name + ": " + e.getMessage(), e, true);
        } finally {
            dumper.close();
            dead.close();
        }
        try {
            if (Files.isRegularFile(file) && Files.size(file) != bytes) {
                throw new PcapException("cannot write pcap " + name + ": only " + Files.size(file) + " of its "
                        + bytes + " bytes reached the file (is the disk full?)", null, true);
            }
        } catch (IOException e) {
            throw new PcapException("cannot check pcap " + name + ": " + e.getMessage(), e, true);
        }
    }
}
