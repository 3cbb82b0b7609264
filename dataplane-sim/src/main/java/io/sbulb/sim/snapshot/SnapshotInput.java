package io.sbulb.sim.snapshot;

import java.nio.ByteBuffer;

/**
 * The body of a snapshot being read, after {@link Envelope#open} has checked its frame: each read
 * names what it reads, so that a body that does not describe a possible state is refused with
 * the field at fault ("snapshot inconsistent: ...").
 */
public final class SnapshotInput {

    private final ByteBuffer body;

    SnapshotInput(byte[] body) {
        this.body = ByteBuffer.wrap(body);
    }

    /** An unsigned byte. */
    public int u8(String what) {
        return need(1, what).get() & 0xff;
    }

    /** An unsigned 16-bit integer. */
    public int u16(String what) {
        return need(2, what).getShort() & 0xffff;
    }

    /** A 32-bit integer. */
    public int i32(String what) {
        return need(4, what).getInt();
    }

    /** A 64-bit integer. */
    public long i64(String what) {
        return need(8, what).getLong();
    }

    /** A boolean written as 0 or 1. */
    public boolean bool(String what) {
        int v = u8(what);
        if (v > 1) {
            throw inconsistent(what + " is " + v + ", must be 0 or 1");
        }
        return v == 1;
    }

    /** A 32-bit integer that must lie in {@code min..max}. */
    public int i32(String what, int min, int max) {
        int v = i32(what);
        if (v < min || v > max) {
            throw inconsistent(what + " is " + v + ", must be between " + min + " and " + max);
        }
        return v;
    }

    /** {@code n} raw bytes. */
    public byte[] bytes(int n, String what) {
        byte[] b = new byte[n];
        need(n, what).get(b);
        return b;
    }

    /** Refuses bytes left over after the last field. */
    public void expectEnd() {
        if (body.hasRemaining()) {
            throw inconsistent(body.remaining() + " bytes left in the body after its last field");
        }
    }

    /** A refusal of an intact body that describes an impossible state: {@code snapshot inconsistent: <problem>}. */
    public static SnapshotException inconsistent(String problem) {
        return new SnapshotException("snapshot inconsistent: " + problem);
    }

    private ByteBuffer need(int n, String what) {
        if (body.remaining() < n) {
            throw inconsistent("the body ends inside " + what + " (" + body.remaining() + " of " + n + " bytes left)");
        }
        return body;
    }
}
