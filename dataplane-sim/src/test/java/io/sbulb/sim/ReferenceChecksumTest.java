package io.sbulb.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.frame.UdpFrame.ChecksumMode;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The model's incremental checksum updates (csum.h, RFC 1624 eqn. 3) against two independent
 * oracles: a full recomputation of the rewritten frame ({@link UdpFrame}, {@code Checksums}),
 * and a literal port of csum.h that loads words little-endian as the C does on the host, to
 * show that working on big-endian 16-bit words gives the very same bytes.
 */
class ReferenceChecksumTest {

    private static final LruParameters LRU = new LruParameters(2, BatchRule.SINCE_6_16);
    private static final Limits LIMITS = new Limits(4, 4, 64);

    /** A frame and a second address of its family: the real server (ingress) or the VIP (egress). */
    record Case(UdpFrame frame, IpAddress other) {
    }

    @Property(tries = 2000)
    void ingressRewriteChecksumsEqualFullRecomputation(@ForAll("cases") Case c) {
        UdpFrame f = c.frame();
        IpAddress vip = f.destination().address();
        IpAddress rs = c.other();
        Assume.that(!rs.equals(vip) && f.destination().port() != 0);
        Assume.that(forwardable(f) && !rs.equals(f.source().address()) && !Martians.martian(f.source().address())
                && f.source().port() != 0 && !f.source().address().equals(vip));
        ReferenceDataplane dp = new ReferenceDataplane(LIMITS, LRU);
        dp.configure(DataplaneConfig.of(vip, List.of(f.destination().port()), List.of(rs)));

        Frame in = f.toFrame();
        Result r = dp.process(in);

        Frame expected = f.toBuilder().destination(rs, f.destination().port()).ttl(f.ttl() - 1)
                .srcMac(f.dstMac()).dstMac(f.srcMac()).build().toFrame();
        assertThat(r.verdict()).isEqualTo(Verdict.TX);
        assertThat(r.reason()).isEqualTo(Reason.INGRESS_NEW_NAT);
        assertThat(r.output().toHex()).isEqualTo(expected.toHex());
        assertThat(UdpFrame.checksumsValid(r.output())).isEqualTo(UdpFrame.checksumsValid(in));
    }

    @Property(tries = 2000)
    void egressRewriteChecksumsEqualFullRecomputation(@ForAll("cases") Case c) {
        UdpFrame f = c.frame();
        IpAddress rs = f.source().address();
        IpAddress vip = c.other();
        Assume.that(!rs.equals(vip) && !f.destination().address().equals(vip) && f.source().port() != 0);
        Assume.that(forwardable(f) && !rs.equals(f.destination().address())
                && !Martians.martian(f.destination().address()) && f.destination().port() != 0);
        ReferenceDataplane dp = new ReferenceDataplane(LIMITS, LRU);
        dp.configure(DataplaneConfig.of(vip, List.of(f.source().port()), List.of(rs)));

        Frame in = f.toFrame();
        Result r = dp.process(in);

        Frame expected = f.toBuilder().source(vip, f.source().port()).ttl(f.ttl() - 1)
                .srcMac(f.dstMac()).dstMac(f.srcMac()).build().toFrame();
        assertThat(r.verdict()).isEqualTo(Verdict.TX);
        assertThat(r.reason()).isEqualTo(Reason.EGRESS_NEW_NAT);
        assertThat(r.output().toHex()).isEqualTo(expected.toHex());
        assertThat(UdpFrame.checksumsValid(r.output())).isEqualTo(UdpFrame.checksumsValid(in));
    }

    /** A frame the data path forwards at all: a TTL above 1, no zero UDP checksum in IPv6. */
    private static boolean forwardable(UdpFrame f) {
        return f.ttl() > 1 && !(f.family() == 6 && zeroChecksum(f));
    }

    private static boolean zeroChecksum(UdpFrame f) {
        Frame b = f.toFrame();
        int udp = UdpFrame.ETH_HLEN + (f.family() == 4 ? b.byteAt(UdpFrame.ETH_HLEN) % 16 * 4 : 40);
        return (b.byteAt(udp + 6) | b.byteAt(udp + 7)) == 0;
    }

    /** The IPv4 header update: address word plus the TTL/protocol word, as rewrite() sums them. */
    @Property(tries = 5000)
    void ipv4HeaderUpdateIsTheByteImageOfTheLittleEndianC(@ForAll @IntRange(max = 0xffff) int check,
            @ForAll int oldAddr, @ForAll int newAddr, @ForAll @IntRange(min = 1, max = 255) int ttl,
            @ForAll @IntRange(max = 255) int protocol) {
        int oldTtlWord = (ttl << 8) | protocol;
        int newTtlWord = ((ttl - 1) << 8) | protocol;
        int model = Csum.update(check, Csum.delta32(oldAddr, newAddr) + Csum.delta16(oldTtlWord, newTtlWord));

        long c = LittleEndianCsum.delta32(LittleEndianCsum.le32(oldAddr), LittleEndianCsum.le32(newAddr))
                + LittleEndianCsum.delta16(LittleEndianCsum.le16(oldTtlWord), LittleEndianCsum.le16(newTtlWord));
        int native_ = LittleEndianCsum.update(LittleEndianCsum.le16(check), c);

        assertThat(LittleEndianCsum.le16(native_)).isEqualTo(model);
    }

    /** The UDP update: one (IPv4) or four (IPv6) address words; zero stays zero, computed zero is 0xFFFF. */
    @Property(tries = 5000)
    void udpUpdateIsTheByteImageOfTheLittleEndianC(@ForAll @IntRange(max = 0xffff) int check,
            @ForAll int old0, @ForAll int new0, @ForAll int old1, @ForAll int new1,
            @ForAll int old2, @ForAll int new2, @ForAll boolean ipv6) {
        int[] olds = ipv6 ? new int[] {old0, old1, old2, -1} : new int[] {old0};
        int[] news = ipv6 ? new int[] {new0, new1, new2, 0} : new int[] {new0};
        long model = 0;
        long c = 0;
        for (int i = 0; i < olds.length; i++) {
            model += Csum.delta32(olds[i], news[i]);
            c += LittleEndianCsum.delta32(LittleEndianCsum.le32(olds[i]), LittleEndianCsum.le32(news[i]));
        }
        int native_ = LittleEndianCsum.updateUdp(LittleEndianCsum.le16(check), c);
        assertThat(LittleEndianCsum.le16(native_)).isEqualTo(Csum.updateUdp(check, model));
    }

    /** The only sum that folds to 0: HC = 0xFFFF, m = 255.255.255.255, m' = 0.0.0.0. */
    @Example
    void zeroSumGivesFfffInBothByteOrders() {
        assertThat(Csum.updateUdp(0xffff, Csum.delta32(-1, 0))).isEqualTo(0xffff);
        assertThat(LittleEndianCsum.updateUdp(0xffff, LittleEndianCsum.delta32(0xffffffffL, 0))).isEqualTo(0xffff);
        assertThat(Csum.updateUdp(0, Csum.delta32(1, 2))).isZero();
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(4, 6).flatMap(fam -> Combinators.combine(frames(fam), address(fam)).as(Case::new));
    }

    private static Arbitrary<UdpFrame> frames(int family) {
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(65);
        Arbitrary<byte[]> options = Arbitraries.integers().between(0, 10)
                .flatMap(words -> Arbitraries.bytes().array(byte[].class).ofSize(4 * words));
        Arbitrary<byte[]> mac = Arbitraries.bytes().array(byte[].class).ofSize(6);
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        return Builders.withBuilder(UdpFrame::builder)
                .use(Combinators.combine(address(family), port).as(Endpoint::new)).in((b, e) -> b.source(e))
                .use(Combinators.combine(address(family), port).as(Endpoint::new)).in((b, e) -> b.destination(e))
                .use(Arbitraries.integers().between(1, 255)).in((b, t) -> b.ttl(t))
                .use(payload).in((b, p) -> b.payload(p))
                .use(options).in((b, o) -> family == 4 ? b.ipv4Options(o) : b)
                .use(mac).in((b, m) -> b.srcMac(m))
                .use(mac).in((b, m) -> b.dstMac(m))
                .use(Arbitraries.integers().between(0, 255)).in((b, t) -> b.tos(t))
                .use(Arbitraries.integers().between(0, 0xfffff)).in((b, l) -> b.flowLabel(l))
                .use(Arbitraries.integers().between(0, 0xffff)).in((b, id) -> b.ipv4Id(id))
                .use(Arbitraries.frequency(Tuple.of(4, ChecksumMode.COMPUTED), Tuple.of(1, ChecksumMode.ZERO)))
                .in((b, m) -> b.checksum(m))
                .build(UdpFrame.Builder::build);
    }

    /** Addresses of one family, with the all-zeros and all-ones edge cases often. */
    private static Arbitrary<IpAddress> address(int family) {
        int len = family == 4 ? 4 : 16;
        byte[] ones = new byte[len];
        Arrays.fill(ones, (byte) 0xff);
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(IpAddress.of(new byte[len]))),
                Tuple.of(1, Arbitraries.just(IpAddress.of(ones))),
                Tuple.of(8, Arbitraries.bytes().array(byte[].class).ofSize(len).map(IpAddress::of)));
    }

    /**
     * csum.h, line for line, on words loaded from memory little-endian (x86, arm64): the
     * program's own arithmetic. {@code le16}/{@code le32} give the native value of a big-endian word.
     */
    static final class LittleEndianCsum {
        static int le16(int bigEndianWord) {
            return ((bigEndianWord & 0xff) << 8) | ((bigEndianWord >>> 8) & 0xff);
        }

        static long le32(int bigEndianWord) {
            return Integer.toUnsignedLong(Integer.reverseBytes(bigEndianWord));
        }

        static long delta32(long old, long neu) {
            return (~old & 0xffffffffL) + neu;
        }

        static long delta16(int old, int neu) {
            return (~old & 0xffffL) + neu;
        }

        static int fold64(long sum) {
            sum = (sum & 0xffffffffL) + (sum >>> 32);
            sum = (sum & 0xffffffffL) + (sum >>> 32);
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            return (int) (sum & 0xffff);
        }

        static int update(int check, long delta) {
            return ~fold64((~check & 0xffffL) + delta) & 0xffff;
        }

        static int updateUdp(int check, long delta) {
            if (check == 0) {
                return 0;
            }
            check = update(check, delta);
            return check == 0 ? 0xffff : check;
        }
    }
}
