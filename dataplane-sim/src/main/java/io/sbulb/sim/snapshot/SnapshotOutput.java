package io.sbulb.sim.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The body of a snapshot being written: big-endian integers of fixed width, appended in memory.
 * {@link Envelope#seal} frames the finished body (magic, version, length, checksum).
 */
public final class SnapshotOutput {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    /** An unsigned byte, 0..255. */
    public SnapshotOutput u8(int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("u8 out of range: " + v);
        }
        return write(() -> out.writeByte(v));
    }

    /** An unsigned 16-bit integer, 0..65535. */
    public SnapshotOutput u16(int v) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException("u16 out of range: " + v);
        }
        return write(() -> out.writeShort(v));
    }

    /** A 32-bit integer. */
    public SnapshotOutput i32(int v) {
        return write(() -> out.writeInt(v));
    }

    /** A 64-bit integer. */
    public SnapshotOutput i64(long v) {
        return write(() -> out.writeLong(v));
    }

    /** A boolean as one byte, 0 or 1. */
    public SnapshotOutput bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** Raw bytes, as they are (the reader knows how many). */
    public SnapshotOutput bytes(byte[] b) {
        return write(() -> out.write(b));
    }

    /** The body written so far. */
    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private interface Write {
        void run() throws IOException;
    }

    private SnapshotOutput write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a snapshot in memory", e); // a ByteArrayOutputStream never fails
        }
        return this;
    }
}
