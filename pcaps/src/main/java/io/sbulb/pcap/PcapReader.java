package io.sbulb.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Reads an Ethernet capture (pcap or pcapng) record by record with Pcap4J, over the system's
 * libpcap. Every failure is a {@link PcapException} that names the file and, past the header,
 * the record (numbered from 1), never a bare libpcap or JNA error.
 */
public final class PcapReader implements AutoCloseable {

    private final Path file;
    private final String role;
    private final PcapHandle handle;
    private final TimestampPrecision precision;
    private long records;

    private PcapReader(Path file, String role, PcapHandle handle, TimestampPrecision precision) {
        this.file = file;
        this.role = role;
        this.handle = handle;
        this.precision = precision;
    }

    /** Opens the capture {@code file}; it must be an Ethernet capture (link type EN10MB). */
    public static PcapReader open(Path file) {
        return open(file, "capture");
    }

    /**
     * Opens {@code file}, called {@code role} in error messages ("capture", "expected pcap"); it must
     * be an Ethernet capture (link type EN10MB).
     */
    public static PcapReader open(Path file, String role) {
        if (file.toString().isEmpty()) {
            throw new PcapException(role + ": the path is empty");
        }
        if (Files.isDirectory(file)) {
            throw new PcapException(role + " " + file + " is a directory, not a pcap file");
        }
        if (!Files.isReadable(file)) {
            throw new PcapException(role + " " + file + " does not exist or cannot be read");
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(4);
        } catch (IOException e) {
            throw new PcapException("cannot read " + role + " " + file + ": " + e.getMessage(), e);
        }
        if (magic.length == 0) {
            throw new PcapException(role + " " + file + " is empty (0 bytes): not a pcap or pcapng file");
        }
        TimestampPrecision precision = TimestampPrecision.ofMagic(magic);
        PcapHandle handle;
        try {
            handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            throw new PcapException("cannot read " + role + " " + file + ": " + libpcapMessage(e)
                    + " (not a pcap or pcapng file, or its file header is damaged)", e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new PcapException("cannot load libpcap to read " + file
                    + " (install it: apt-get install libpcap-dev): " + e.getMessage(), e);
        }
        DataLinkType dlt = handle.getDlt();
        if (!DataLinkType.EN10MB.equals(dlt)) {
            handle.close();
            throw new PcapException(role + " " + file + " has link type " + dlt.name() + " (" + dlt.value()
                    + "); only Ethernet captures (EN10MB, 1) can be replayed");
        }
        return new PcapReader(file, role, handle, precision);
    }

    public Path file() {
        return file;
    }

    /** The timestamp resolution the file was written with. */
    public TimestampPrecision precision() {
        return precision;
    }

    /** The number of records read so far. */
    public long recordsRead() {
        return records;
    }

    /** The next record, or empty at the end of the file. */
    public Optional<CapturedFrame> next() {
        long record = records + 1;
        try {
            byte[] bytes = handle.getNextRawPacketEx();
            records = record;
            Integer original = handle.getOriginalLength();
            return Optional.of(new CapturedFrame(record, handle.getTimestamp().toInstant(), bytes,
                    original == null ? bytes.length : original));
        } catch (EOFException e) {
            return Optional.empty();
        } catch (PcapNativeException e) {
            throw new PcapException(role + " " + file + ": record " + record + " cannot be read (after " + (record - 1)
                    + " good records): " + libpcapMessage(e), e);
        } catch (TimeoutException | NotOpenException e) {
            throw new PcapException(role + " " + file + ": record " + record + " cannot be read: " + e, e);
        }
    }

    /** libpcap's own words, without Pcap4J's prefix. */
    private static String libpcapMessage(PcapNativeException e) {
        String m = e.getMessage();
        if (m == null) {
            return "libpcap error";
        }
        int colon = m.indexOf("(): ");
        return (m.startsWith("Error occurred in ") && colon > 0 ? m.substring(colon + 4) : m).trim();
    }

    @Override
    public void close() {
        handle.close();
    }
}
