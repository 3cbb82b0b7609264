package io.sbulb.bench;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.xdp.SbulbAbi;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.pin.PinDir;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sbulb's IPv4 association table where it is pinned ({@code PIN_DIR/maps/sbulb_assoc4}), opened
 * from this process while sbulb runs or not: filled ahead of a measurement with the clients a
 * large deployment has, read back to tell whether an event changed it. The lab runs the seed's
 * one service (id {@value #SERVICE}). Keys and values are written in the ABI's layout
 * ({@link SbulbAbi#assocKey}, {@link SbulbAbi#assocValue}: a real server's slot and epoch, read
 * in the pinned {@code sbulb_reals}) and read back through the decoder the ABI test holds to the
 * compiled object.
 */
final class PinnedTable implements AutoCloseable {

    /** The id of the lab's one service. */
    static final int SERVICE = 0;

    private final BpfFd holder;
    private final BpfMap map;
    private final BpfFd realsHolder;
    private final BpfMap reals;

    private PinnedTable(BpfFd holder, BpfMap map, BpfFd realsHolder, BpfMap reals) {
        this.holder = holder;
        this.map = map;
        this.realsHolder = realsHolder;
        this.reals = reals;
    }

    /** The table pinned in {@code pinDir}, described as the kernel describes it (its size: sbulb's -ma). */
    static PinnedTable open(Path pinDir) {
        PinDir dir = new PinDir(pinDir);
        BpfFd fd = BpfFd.pinned(dir.map(SbulbAbi.MAP_ASSOC4).toString(), "map " + SbulbAbi.MAP_ASSOC4);
        BpfFd realsFd = BpfFd.pinned(dir.map(SbulbAbi.MAP_REALS).toString(), "map " + SbulbAbi.MAP_REALS);
        return new PinnedTable(fd, BpfMap.of(fd, 1), realsFd, BpfMap.of(realsFd, 1));
    }

    /** The slot and epoch of live real server {@code server} of the lab's service, as the data path holds them. */
    private byte[] valueOf(IpAddress server) {
        byte[][] found = new byte[1][];
        reals.forEach((k, v) -> {
            SbulbAbi.Real r = SbulbAbi.Real.of(v);
            if (server.equals(r.address()) && r.serviceId() == SERVICE && (r.live(0) || r.live(1))) {
                found[0] = SbulbAbi.assocValue(SbulbAbi.u32(k), r.epoch());
            }
        });
        if (found[0] == null) {
            throw new IllegalStateException(server + " is no live real server of the pinned data path");
        }
        return found[0];
    }

    /**
     * The {@code i}-th client of a fill: 198.19.0.0/16, 16 ports each from 10000 (1,048,576 clients
     * at most), addresses no frame of the lab comes from.
     */
    static Endpoint filler(int i) {
        if (i < 0 || i >= 1 << 20) {
            throw new IllegalArgumentException("filler clients are 0.." + ((1 << 20) - 1) + ", not " + i);
        }
        int host = i >>> 4;
        return new Endpoint(IpAddress.parse("198.19." + (host >>> 8) + "." + (host & 0xff)), 10000 + (i & 15));
    }

    /**
     * Adds {@code count} associations of {@link #filler} clients, spread over {@code servers} as
     * round robin spreads new clients (client i to position i mod n), each checked to read back
     * as written; they must be new.
     */
    void fill(int count, List<IpAddress> servers) {
        List<byte[]> values = servers.stream().map(this::valueOf).toList();
        for (int i = 0; i < count; i++) {
            int position = i % servers.size();
            byte[] key = SbulbAbi.assocKey(filler(i), SERVICE);
            map.update(key, values.get(position), BpfMap.UpdateFlag.NOEXIST);
            if (i == 0 || i == count - 1) {
                byte[] read = map.lookup(key);
                SbulbAbi.AssocEntry back = SbulbAbi.AssocEntry.of(key, read);
                if (!back.client().equals(filler(i)) || back.serviceId() != SERVICE || !servers.get(position).equals(server(read))) {
                    throw new IllegalStateException("the association written for " + filler(i) + " reads back as "
                            + back + " (the layout of struct sbulb_assoc changed?)");
                }
            }
        }
    }

    /** The associations of the clients {@code ports} of {@code client}, raw values (null: none), in order. */
    Map<Integer, byte[]> lookup(IpAddress client, int firstPort, int clients) {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        for (int p = firstPort; p < firstPort + clients; p++) {
            m.put(p, map.lookup(SbulbAbi.assocKey(new Endpoint(client, p), SERVICE)));
        }
        return m;
    }

    /** The real server of a raw value (struct sbulb_assoc): its slot's, when the epoch still matches; else null. */
    IpAddress server(byte[] value) {
        int slot = SbulbAbi.u32(java.util.Arrays.copyOfRange(value, 0, 4));
        int epoch = SbulbAbi.u32(java.util.Arrays.copyOfRange(value, 4, 8));
        byte[] r = reals.lookup(SbulbAbi.u32(slot));
        SbulbAbi.Real real = r == null ? null : SbulbAbi.Real.of(r);
        return real != null && real.epoch() == epoch ? real.address() : null;
    }

    /**
     * What the table holds, in a few numbers: the entries, and two sums over them of a 64-bit
     * hash of key and value (order does not matter: the kernel lists a hash table in no fixed
     * order). Equal digests: the same associations, to a collision of both sums.
     */
    record Digest(long entries, long sum, long xor) {
    }

    Digest digest() {
        long[] d = new long[3];
        map.forEach((k, v) -> {
            long h = hash(k, hash(v, 0x9e3779b97f4a7c15L));
            d[0]++;
            d[1] += h;
            d[2] ^= Long.rotateLeft(h, 17) * 0xbf58476d1ce4e5b9L;
        });
        return new Digest(d[0], d[1], d[2]);
    }

    private static long hash(byte[] b, long seed) {
        long h = seed ^ b.length;
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L; // FNV-1a's step, then a finalizer
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** The clients whose value differs between two lookups (absent counts as a value). */
    static int changed(Map<Integer, byte[]> before, Map<Integer, byte[]> after) {
        int n = 0;
        for (Map.Entry<Integer, byte[]> e : before.entrySet()) {
            if (!Arrays.equals(e.getValue(), after.get(e.getKey()))) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        holder.close();
        realsHolder.close();
    }
}
