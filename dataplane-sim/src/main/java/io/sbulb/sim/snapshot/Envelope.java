package io.sbulb.sim.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The frame around a snapshot's body, checked before a byte of the body is read, so that a
 * snapshot cut short or altered is named as such (all integers big-endian):
 *
 * <pre>
 * offset  size  field
 * 0       8     magic, 8 ASCII bytes naming the kind of snapshot ("SBULBSIM": the reference model)
 * 8       2     format version
 * 10      4     body length L
 * 14      L     body
 * 14+L    4     CRC-32 (java.util.zip.CRC32, as zlib's) of bytes 0 .. 14+L-1
 * </pre>
 */
public final class Envelope {

    /** Bytes before the body: magic, version, length. */
    public static final int HEADER = 14;
    private static final int CHECKSUM = 4;

    private Envelope() {
    }

    /** The finished snapshot: header, body, checksum. */
    public static byte[] seal(String magic, int version, SnapshotOutput body) {
        byte[] m = magicBytes(magic);
        byte[] b = body.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(HEADER + b.length + CHECKSUM);
        out.put(m).putShort((short) version).putInt(b.length).put(b);
        out.putInt((int) crc(out.array(), HEADER + b.length));
        return out.array();
    }

    /**
     * Checks the frame of a whole snapshot (nothing may follow it) and returns its body to read.
     *
     * @throws SnapshotException if it is not such a snapshot, of another version, truncated, longer than it says or altered
     */
    public static SnapshotInput open(byte[] snapshot, String magic, int version) {
        if (snapshot.length < HEADER) {
            throw new SnapshotException("snapshot truncated: " + snapshot.length + " bytes, shorter than its "
                    + HEADER + "-byte header");
        }
        long bodyLength = header(snapshot, magic, version);
        long end = HEADER + bodyLength + CHECKSUM;
        if (snapshot.length < end) {
            throw new SnapshotException("snapshot truncated: its header announces a body of " + bodyLength
                    + " bytes and a " + CHECKSUM + "-byte checksum, only " + (snapshot.length - HEADER)
                    + " bytes follow the header");
        }
        if (snapshot.length > end) {
            throw new SnapshotException("snapshot has " + (snapshot.length - end) + " bytes after its end (its header "
                    + "announces a body of " + bodyLength + " bytes): not one snapshot, or its length was altered");
        }
        int bodyEnd = (int) (HEADER + bodyLength);
        long stored = ByteBuffer.wrap(snapshot, bodyEnd, CHECKSUM).getInt() & 0xffffffffL;
        long computed = crc(snapshot, bodyEnd);
        if (stored != computed) {
            throw new SnapshotException(String.format("snapshot corrupt: its CRC-32 says 0x%08x, its bytes give "
                    + "0x%08x: altered after it was written", stored, computed));
        }
        byte[] body = new byte[bodyEnd - HEADER];
        System.arraycopy(snapshot, HEADER, body, 0, body.length);
        return new SnapshotInput(body);
    }

    /**
     * Reads one snapshot from {@code in}, exactly as long as its header says (the stream may go
     * on after it), and checks it as {@link #open} does.
     */
    public static SnapshotInput read(InputStream in, String magic, int version) {
        try {
            byte[] head = in.readNBytes(HEADER);
            if (head.length < HEADER) {
                throw new SnapshotException("snapshot truncated: the stream ends after " + head.length
                        + " bytes, inside the " + HEADER + "-byte header");
            }
            long bodyLength = header(head, magic, version);
            byte[] rest = in.readNBytes((int) Math.min(Integer.MAX_VALUE - HEADER - CHECKSUM, bodyLength + CHECKSUM));
            byte[] all = new byte[HEADER + rest.length];
            System.arraycopy(head, 0, all, 0, HEADER);
            System.arraycopy(rest, 0, all, HEADER, rest.length);
            return open(all, magic, version);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a snapshot", e);
        }
    }

    /** Checks magic and version; returns the body length. */
    private static long header(byte[] b, String magic, int version) {
        byte[] m = magicBytes(magic);
        for (int i = 0; i < m.length; i++) {
            if (b[i] != m[i]) {
                throw new SnapshotException("not a snapshot of this kind: it starts with "
                        + HexFormat.of().formatHex(b, 0, m.length) + ", a snapshot with '" + magic + "' ("
                        + HexFormat.of().formatHex(m) + ")");
            }
        }
        ByteBuffer h = ByteBuffer.wrap(b, m.length, HEADER - m.length);
        int v = h.getShort() & 0xffff;
        if (v != version) {
            throw new SnapshotException("snapshot format version " + v + ", this build reads version " + version);
        }
        return h.getInt() & 0xffffffffL;
    }

    private static byte[] magicBytes(String magic) {
        byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
        if (m.length != 8) {
            throw new IllegalArgumentException("a snapshot magic has 8 ASCII characters, got '" + magic + "'");
        }
        return m;
    }

    private static long crc(byte[] b, int length) {
        CRC32 c = new CRC32();
        c.update(b, 0, length);
        return c.getValue();
    }
}
