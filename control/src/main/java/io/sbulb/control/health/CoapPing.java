package io.sbulb.control.health;

/**
 * CoAP ping (RFC 7252 §4.3): an empty Confirmable message, which a CoAP endpoint answers with a
 * Reset carrying the same Message ID. No request reaches the server's resources.
 *
 * <pre>
 * byte 0      Ver (2 bits) = 1 | T (2 bits) | TKL (4 bits) = 0      CON: 0x40, RST: 0x70
 * byte 1      Code = 0.00 (empty message)                             0x00
 * bytes 2..3  Message ID, network byte order
 * </pre>
 *
 * An empty message is exactly these 4 bytes (§4.1: no token, no options, no payload).
 */
final class CoapPing {

    static final int LENGTH = 4;
    private static final int VERSION = 1;
    private static final int TYPE_CON = 0;
    private static final int TYPE_RST = 3;

    private CoapPing() {
    }

    /** The empty Confirmable message with this Message ID (its low 16 bits). */
    static byte[] request(int messageId) {
        return new byte[] {(byte) (VERSION << 6 | TYPE_CON << 4), 0, (byte) (messageId >>> 8), (byte) messageId};
    }

    /** The reply's verdict: a Reset with this Message ID is the answer; anything else is named. */
    static Answer check(byte[] reply, int length, int messageId) {
        if (length < LENGTH) {
            return Answer.bad("a " + length + "-byte datagram, not a CoAP message");
        }
        int b0 = reply[0] & 0xff;
        if (b0 >>> 6 != VERSION) {
            return Answer.bad("CoAP version " + (b0 >>> 6) + ", expected 1");
        }
        int id = (reply[2] & 0xff) << 8 | reply[3] & 0xff;
        if (id != (messageId & 0xffff)) {
            return Answer.STALE; // the answer to an earlier ping, after its timeout
        }
        int type = b0 >>> 4 & 3;
        if (type != TYPE_RST || (reply[1] & 0xff) != 0) {
            return Answer.bad("CoAP type " + type + " code " + (reply[1] & 0xff) + " for a ping, expected a Reset (type 3, code 0)");
        }
        return Answer.GOOD;
    }
}
