package io.sbulb.control.health;

import java.nio.ByteBuffer;

/**
 * A DTLS 1.2 ClientHello without a cookie (RFC 6347 §4.2.1), which a DTLS server answers with a
 * HelloVerifyRequest (its stateless cookie exchange: no handshake state is kept until a client
 * returns the cookie, which the probe never does) or, when it does not use cookies, a ServerHello.
 * Either answer shows that the server's DTLS stack is up; no handshake is completed.
 *
 * <pre>
 * record header, 13 bytes (RFC 6347 §4.1)
 *   0      content type = 22 (handshake)
 *   1..2   version = {254, 253} (DTLS 1.2)
 *   3..4   epoch = 0
 *   5..10  sequence number (48 bits) = the probe's number; a HelloVerifyRequest repeats it (§4.2.1)
 *   11..12 length of the rest
 * handshake header, 12 bytes (§4.2.2)
 *   13     msg_type = 1 (client_hello)
 *   14..16 length of the body
 *   17..18 message_seq = 0
 *   19..21 fragment_offset = 0
 *   22..24 fragment_length = length of the body (one fragment)
 * body (RFC 5246 §7.4.1.2, with §4.2.1's cookie)
 *   client_version {254, 253}, random (32 bytes), session_id (empty), cookie (empty),
 *   cipher_suites (2-byte length, 2 bytes each), compression_methods (1: null),
 *   extensions (2-byte length): supported_groups, ec_point_formats, signature_algorithms
 * </pre>
 *
 * All integers are in network byte order. The suites cover PSK, ECDHE-PSK, and ECDSA/RSA
 * certificates or raw public keys, so that a server of any of these configurations finds one it
 * accepts (a server that shares none answers with an alert, which fails the probe, named).
 */
final class DtlsClientHello {

    static final int RECORD_HEADER = 13;
    static final int HANDSHAKE = 22;
    static final int ALERT = 21;
    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;
    static final int HELLO_VERIFY_REQUEST = 3;

    private static final int[] CIPHER_SUITES = {
        0xC0A8, // TLS_PSK_WITH_AES_128_CCM_8
        0xC0A4, // TLS_PSK_WITH_AES_128_CCM
        0x00A8, // TLS_PSK_WITH_AES_128_GCM_SHA256
        0x00AE, // TLS_PSK_WITH_AES_128_CBC_SHA256
        0xC037, // TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256
        0xC0AE, // TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
        0xC0AC, // TLS_ECDHE_ECDSA_WITH_AES_128_CCM
        0xC02B, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        0xC023, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
        0xC02F, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    };
    /** supported_groups (RFC 8422 §5.1.1): x25519, secp256r1, secp384r1. */
    private static final int[] GROUPS = {29, 23, 24};
    /** signature_algorithms (RFC 5246 §7.4.1.4.1): ecdsa+sha256, rsa+sha256, ed25519 (RFC 8422). */
    private static final int[] SIGNATURES = {0x0403, 0x0401, 0x0807};

    private DtlsClientHello() {
    }

    /** The ClientHello with this record sequence number; {@code random} is its 32 random bytes. */
    static byte[] request(long sequence, byte[] random) {
        if (random.length != 32) {
            throw new IllegalArgumentException("a ClientHello's random is 32 bytes, got " + random.length);
        }
        ByteBuffer ext = ByteBuffer.allocate(64);
        ext.putShort((short) 10).putShort((short) (2 + 2 * GROUPS.length)).putShort((short) (2 * GROUPS.length));
        for (int g : GROUPS) {
            ext.putShort((short) g);
        }
        ext.putShort((short) 11).putShort((short) 2).put((byte) 1).put((byte) 0); // uncompressed points
        ext.putShort((short) 13).putShort((short) (2 + 2 * SIGNATURES.length)).putShort((short) (2 * SIGNATURES.length));
        for (int s : SIGNATURES) {
            ext.putShort((short) s);
        }
        ext.flip();

        int body = 2 + 32 + 1 + 1 + 2 + 2 * CIPHER_SUITES.length + 2 + 2 + ext.remaining();
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + 12 + body);
        b.put((byte) HANDSHAKE).put((byte) 254).put((byte) 253).putShort((short) 0);
        b.putShort((short) (sequence >>> 32)).putInt((int) sequence);
        b.putShort((short) (12 + body));
        b.put((byte) CLIENT_HELLO).put((byte) 0).putShort((short) body);
        b.putShort((short) 0); // message_seq
        b.put((byte) 0).putShort((short) 0); // fragment_offset
        b.put((byte) 0).putShort((short) body); // fragment_length
        b.put((byte) 254).put((byte) 253).put(random);
        b.put((byte) 0); // session_id
        b.put((byte) 0); // cookie
        b.putShort((short) (2 * CIPHER_SUITES.length));
        for (int s : CIPHER_SUITES) {
            b.putShort((short) s);
        }
        b.put((byte) 1).put((byte) 0); // compression: null
        b.putShort((short) ext.remaining()).put(ext);
        return b.array();
    }

    /**
     * A fatal handshake_failure alert (RFC 5246 §7.2) at epoch 0, sent after a ServerHello so that
     * a server without cookies drops the handshake the probe started instead of waiting it out.
     */
    static byte[] abort(long sequence) {
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + 2);
        b.put((byte) ALERT).put((byte) 254).put((byte) 253).putShort((short) 0);
        b.putShort((short) (sequence >>> 32)).putInt((int) sequence);
        b.putShort((short) 2).put((byte) 2).put((byte) 40);
        return b.array();
    }

    /**
     * The reply's verdict, from its first record: a HelloVerifyRequest repeating this sequence
     * number, or a ServerHello, is the answer; an alert is a failure that names it.
     */
    static Answer check(byte[] reply, int length, long sequence) {
        if (length < RECORD_HEADER + 1) {
            return Answer.bad("a " + length + "-byte datagram, not a DTLS record");
        }
        int type = reply[0] & 0xff;
        if ((reply[1] & 0xff) != 254) {
            return Answer.bad("record version " + (reply[1] & 0xff) + "." + (reply[2] & 0xff) + ", not DTLS");
        }
        if (type == ALERT && length >= RECORD_HEADER + 2) {
            return Answer.bad("DTLS alert level " + (reply[13] & 0xff) + " description " + (reply[14] & 0xff));
        }
        if (type != HANDSHAKE) {
            return Answer.bad("DTLS record type " + type + ", expected a handshake (22)");
        }
        int message = reply[13] & 0xff;
        if (message == HELLO_VERIFY_REQUEST) {
            long seq = ((long) (reply[5] & 0xff) << 40) | ((long) (reply[6] & 0xff) << 32)
                    | ByteBuffer.wrap(reply, 7, 4).getInt() & 0xffffffffL;
            return seq == sequence ? Answer.GOOD : Answer.STALE;
        }
        if (message == SERVER_HELLO) {
            return Answer.GOOD;
        }
        return Answer.bad("DTLS handshake message " + message + ", expected a HelloVerifyRequest (3) or ServerHello (2)");
    }
}
