package io.sbulb.sim;

import io.sbulb.api.IpAddress;

/**
 * Mirrors {@code martian} of sbulb.bpf.c: addresses that cannot be a client's. IPv4: 0/8,
 * 127/8, 169.254/16, 224/4 and 255.255.255.255; IPv6: ::, ::1, fe80::/10 and ff00::/8.
 */
final class Martians {

    private Martians() {
    }

    static boolean martian(IpAddress a) {
        byte[] b = a.bytes();
        int b0 = b[0] & 0xff;
        if (a.isIpv4()) {
            return b0 == 0 || b0 == 127 || (b0 == 169 && (b[1] & 0xff) == 254) || (b0 >= 224 && b0 <= 239)
                    || (b0 == 255 && (b[1] & 0xff) == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255);
        }
        if (b0 == 0xff || (b0 == 0xfe && (b[1] & 0xc0) == 0x80)) {
            return true;
        }
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 0 || b[15] == 1;
    }
}
