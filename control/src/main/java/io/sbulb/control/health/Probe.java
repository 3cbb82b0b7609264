package io.sbulb.control.health;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a health check sends to a real server and what it takes for an answer. Each kind builds
 * its own datagram (byte layouts in {@link CoapPing} and {@link DtlsClientHello}); none
 * completes an exchange that would leave state on the server.
 */
public sealed interface Probe permits Probe.Udp, Probe.Coap, Probe.Dtls {

    /** The kind's name in the services file and in log lines: udp, coap, dtls. */
    String kind();

    /** The datagram of probe number {@code seq}. */
    byte[] request(long seq);

    /** What a datagram received from the server says about probe number {@code seq}. */
    Answer check(byte[] reply, int length, long seq);

    /** A datagram to send after a good answer to end what the probe started, or null. */
    default byte[] followUp(byte[] reply, int length, long seq) {
        return null;
    }

    /** A configured payload; the answer is any datagram that starts with {@code expect} (empty: any datagram). */
    record Udp(byte[] payload, byte[] expect) implements Probe {
        public Udp {
            payload = payload.clone();
            expect = expect.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public byte[] expect() {
            return expect.clone();
        }

        @Override
        public String kind() {
            return "udp";
        }

        @Override
        public byte[] request(long seq) {
            return payload.clone();
        }

        @Override
        public Answer check(byte[] reply, int length, long seq) {
            if (length >= expect.length && Arrays.equals(reply, 0, expect.length, expect, 0, expect.length)) {
                return Answer.GOOD;
            }
            int shown = Math.min(length, 16);
            return Answer.bad("the reply (" + length + " bytes) does not start with the expected "
                    + expect.length + " bytes; it starts with " + HexFormat.of().formatHex(reply, 0, shown));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Udp u && Arrays.equals(payload, u.payload) && Arrays.equals(expect, u.expect);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(payload) + Arrays.hashCode(expect);
        }

        @Override
        public String toString() {
            return "udp payload " + HexFormat.of().formatHex(payload) + " expect " + HexFormat.of().formatHex(expect);
        }
    }

    /** CoAP ping: an empty Confirmable message, answered by a Reset with the same Message ID. */
    record Coap() implements Probe {
        @Override
        public String kind() {
            return "coap";
        }

        @Override
        public byte[] request(long seq) {
            return CoapPing.request((int) seq);
        }

        @Override
        public Answer check(byte[] reply, int length, long seq) {
            return CoapPing.check(reply, length, (int) seq);
        }

        @Override
        public String toString() {
            return "coap ping";
        }
    }

    /** A DTLS 1.2 ClientHello, answered by a HelloVerifyRequest or a ServerHello. */
    record Dtls() implements Probe {
        @Override
        public String kind() {
            return "dtls";
        }

        @Override
        public byte[] request(long seq) {
            byte[] random = new byte[32];
            ThreadLocalRandom.current().nextBytes(random);
            return DtlsClientHello.request(seq, random);
        }

        @Override
        public Answer check(byte[] reply, int length, long seq) {
            return DtlsClientHello.check(reply, length, seq);
        }

        @Override
        public byte[] followUp(byte[] reply, int length, long seq) {
            boolean serverHello = length > DtlsClientHello.RECORD_HEADER
                    && (reply[0] & 0xff) == DtlsClientHello.HANDSHAKE
                    && (reply[DtlsClientHello.RECORD_HEADER] & 0xff) == DtlsClientHello.SERVER_HELLO;
            return serverHello ? DtlsClientHello.abort(seq + 1) : null;
        }

        @Override
        public String toString() {
            return "dtls client-hello";
        }
    }
}
