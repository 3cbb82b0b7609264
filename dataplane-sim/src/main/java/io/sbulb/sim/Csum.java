package io.sbulb.sim;

/**
 * Incremental Internet checksum updates, mirroring {@code csum.h} (RFC 1624 eqn. 3:
 * {@code HC' = ~(~HC + ~m + m')}).
 *
 * <p>The C loads words in the host's (little-endian) order; this class works on big-endian
 * 16-bit words. A one's complement sum commutes with byte swapping (RFC 1071 §2(B)), and a
 * full fold maps a sum to 0 only when every term is 0 in either order, so the results are the
 * byte-swapped image of the C's: the same bytes in the packet. ReferenceChecksumTest checks this
 * against a literal little-endian port of csum.h. A 32-bit word counts as its two 16-bit halves.
 */
final class Csum {

    private Csum() {
    }

    /** Mirrors {@code csum_delta32}: {@code ~m + m'} for one 32-bit word (big-endian), as two halves. */
    static long delta32(int oldWord, int newWord) {
        return delta16(oldWord >>> 16, newWord >>> 16) + delta16(oldWord & 0xffff, newWord & 0xffff);
    }

    /** Mirrors {@code csum_delta16}: {@code ~m + m'} for one 16-bit word. */
    static long delta16(int oldWord, int newWord) {
        return (~oldWord & 0xffffL) + (newWord & 0xffffL);
    }

    /** Mirrors {@code csum_fold64}: folds a 64-bit one's complement accumulator to 16 bits. */
    static int fold64(long sum) {
        sum = (sum & 0xffffffffL) + (sum >>> 32);
        sum = (sum & 0xffffffffL) + (sum >>> 32);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (sum & 0xffff);
    }

    /** Mirrors {@code csum_update}: the checksum field after the data changed by {@code delta}. */
    static int update(int check, long delta) {
        return ~fold64((~check & 0xffffL) + delta) & 0xffff;
    }

    /**
     * Mirrors {@code csum_update_udp}: a field of 0 ("no checksum", RFC 768) stays 0, a computed
     * 0 is sent as 0xFFFF. Applied to IPv6 too, as the C does.
     */
    static int updateUdp(int check, long delta) {
        if (check == 0) {
            return 0;
        }
        check = update(check, delta);
        return check == 0 ? 0xffff : check;
    }
}
