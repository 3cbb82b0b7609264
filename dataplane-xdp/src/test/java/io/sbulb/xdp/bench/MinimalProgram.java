package io.sbulb.xdp.bench;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.PackagedObject;
import java.util.EnumMap;
import java.util.Map;

/**
 * The loaded {@code bench_minimal.bpf.o} (src/test/bpf): the benchmark's minimal-NAT baseline,
 * one LRU lookup keyed by (IPv4 source address, UDP source port), a destination rewrite with
 * incremental checksums, MAC swap, XDP_TX; no map write on a hit. And its diagnostic
 * {@link Variant}s, each with one of sbulb's costs added.
 */
final class MinimalProgram implements AutoCloseable {

    static final String RESOURCE = "/io/sbulb/xdp/bench_minimal.bpf.o";
    static final String MAP = "bench_min_assoc";
    static final String MAP20 = "bench_min_assoc20";
    static final int KEY_SIZE = 8;    // struct bench_min_key, _Static_assert'ed in the C file
    static final int KEY20_SIZE = 20; // struct bench_min_key20, laid out as struct sbulb_assoc_key
    static final int VALUE_SIZE = 4;  // __be32

    /** The programs of the object. */
    enum Variant {
        MINIMAL("bench_minimal", false),
        KEY20("bench_minimal_key20", false),
        COUNTED("bench_minimal_counted", false),
        ALL("bench_minimal_all", true);

        final String program;
        /** Whether it decrements the TTL. */
        final boolean ttl;

        Variant(String program, boolean ttl) {
            this.program = program;
            this.ttl = ttl;
        }
    }

    private final BpfObject object;
    private final Map<Variant, BpfProgram> programs = new EnumMap<>(Variant.class);
    private final BpfMap assoc;
    private final BpfMap assoc20;

    private MinimalProgram(BpfObject object) {
        this.object = object;
        for (Variant v : Variant.values()) {
            programs.put(v, object.program(v.program));
        }
        this.assoc = checked(object.map(MAP), KEY_SIZE);
        this.assoc20 = checked(object.map(MAP20), KEY20_SIZE);
    }

    private static BpfMap checked(BpfMap m, int keySize) {
        if (m.description().keySize() != keySize || m.description().valueSize() != VALUE_SIZE) {
            throw new IllegalStateException(m.name() + " has " + m.description().keySize() + "-byte keys and "
                    + m.description().valueSize() + "-byte values, this class writes " + keySize + " and "
                    + VALUE_SIZE);
        }
        return m;
    }

    /** Loads the program with a client table of {@code maxEntries} (sbulb's table size, for parity). */
    static MinimalProgram load(int maxEntries) {
        return PackagedObject.read(MinimalProgram.class, RESOURCE).load("bench_minimal", obj -> {
            obj.setMaxEntries(MAP, maxEntries);
            obj.setMaxEntries(MAP20, maxEntries);
        }, MinimalProgram::new);
    }

    int fd() {
        return fd(Variant.MINIMAL);
    }

    int fd(Variant v) {
        return programs.get(v).fd();
    }

    BpfProgram.Info info() {
        return programs.get(Variant.MINIMAL).info();
    }

    /** Binds the client of {@code frame} (its IPv4 source) to {@code server}. */
    void bind(UdpFrame frame, IpAddress server) {
        Endpoint client = frame.source();
        if (!client.address().isIpv4() || !server.isIpv4()) {
            throw new IllegalArgumentException("the minimal program handles IPv4 only: " + client + " -> " + server);
        }
        byte[] key = new byte[KEY_SIZE]; // network byte order, as in the frame; padding 0
        System.arraycopy(client.address().bytes(), 0, key, 0, 4);
        key[4] = (byte) (client.port() >>> 8);
        key[5] = (byte) client.port();
        assoc.update(key, server.bytes(), BpfMap.UpdateFlag.ANY);
        byte[] key20 = new byte[KEY20_SIZE]; // address in the first word, port, family 4, pad 0
        System.arraycopy(client.address().bytes(), 0, key20, 0, 4);
        key20[16] = key[4];
        key20[17] = key[5];
        key20[18] = 4;
        assoc20.update(key20, server.bytes(), BpfMap.UpdateFlag.ANY);
    }

    /**
     * A program's expected output for a client bound to {@code server}: the destination
     * rewritten, MACs swapped, the TTL decremented only by {@link Variant#ALL}, checksums
     * computed in full by {@link UdpFrame} (never by the incremental code under test).
     */
    static Frame expectedHit(Variant v, UdpFrame in, IpAddress server) {
        return in.toBuilder().destination(server, in.destination().port()).ttl(v.ttl ? in.ttl() - 1 : in.ttl())
                .srcMac(in.dstMac()).dstMac(in.srcMac()).build().toFrame();
    }

    @Override
    public void close() {
        object.close();
    }
}
