package io.sbulb.xdp.bench;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.xdp.SbulbAbi;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpLiveDataplane;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfFd;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.PackagedObject;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.testing.TestNetns;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The upgrade at a full table (issue 14): an sbulb data path attached to a veth with its state
 * pinned and 1,000,000 associations written through the pinned map in the real layout, left
 * running (--on-exit keep); then the build with the next map layout (src/test/bpf/sbulb_abi_next.bpf.c)
 * takes it over: its maps made, every map copied, the link switched, the maps swapped in.
 * Measured per round: the time to load and copy, the time to switch the link and finish, and the
 * associations moved (every entry compared, key and value, the new layout's appended field
 * aside). Not a test: it prints; ci/bench.sh --only upgrade runs it.
 *
 * <p>Usage: UpgradeBenchmark [--entries N] [--rounds N]
 */
public final class UpgradeBenchmark {

    private UpgradeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int entries = 1_000_000;
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--entries" -> entries = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PackagedObject next = PackagedObject.read(UpgradeBenchmark.class, "/io/sbulb/xdp/sbulb_abi_next.bpf.o");
        System.out.printf("upgrade to the next map layout, %,d associations, %d rounds%n", entries, rounds);
        System.out.println("round | load + copy ms | link switch + finish ms | total ms | associations after | moved");
        for (int r = 1; r <= rounds; r++) {
            round(r, entries, next);
        }
    }

    private static void round(int r, int entries, PackagedObject next) throws Exception {
        Limits limits = new Limits(4, 8, 1 << 20);
        SbulbProgramSpec spec = new SbulbProgramSpec(limits, 0);
        PinDir pin = new PinDir(PinDir.BPFFS.resolve("sbulb-harness").resolve(ProcessHandle.current().pid() + "-upg" + r));
        pin.purge();
        try (TestNetns ns = TestNetns.create("upgb")) {
            ns.addVethPair("va", "vb");
            NetInterface va = ns.call(() -> NetInterface.byName("va"));
            long[] before;
            try (XdpLiveDataplane old = ns.call(() -> XdpLiveDataplane.load(spec, pin))) {
                old.configure(Net.V4.config(3));
                old.attach(va, AttachOptions.DEFAULT);
                fill(pin, entries);
                before = digest(pin, SbulbAbi.ASSOC_SIZE);
                old.onExit(XdpLiveDataplane.OnExit.KEEP);
            }
            long t0 = System.nanoTime();
            XdpLiveDataplane up = ns.call(() -> XdpLiveDataplane.load(spec, pin, next));
            long t1 = System.nanoTime();
            XdpAttachment a = up.attach(va, AttachOptions.DEFAULT);
            long t2 = System.nanoTime();
            long[] after = digest(pin, SbulbAbi.ASSOC_SIZE);
            long count = up.associationCount();
            up.close(); // detaches, removes the state
            System.out.printf("%5d | %,14d | %,23d | %,8d | %,18d | %s%s%n", r, (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t2 - t0) / 1_000_000, count,
                    Arrays.equals(before, after) ? "0 (every entry the same)" : "SOME: the digests differ",
                    a.adopted() ? "" : " (link not taken over!)");
        } finally {
            pin.purge();
        }
    }

    /** Writes {@code n} associations (198.19.x.y:port -> one of the three servers) through the pinned map. */
    private static void fill(PinDir pin, int n) {
        try (BpfFd fd = BpfFd.pinned(pin.map(SbulbAbi.MAP_ASSOC).toString(), "association table")) {
            BpfMap assoc = BpfMap.of(fd, 1);
            for (int i = 0; i < n; i++) {
                IpAddress client = IpAddress.parse("198.19." + ((i >>> 8) & 0xff) + "." + (i & 0xff));
                int port = 1024 + (i >>> 16);
                int server = i % 3;
                ByteBuffer v = ByteBuffer.allocate(SbulbAbi.ASSOC_SIZE).order(ByteOrder.nativeOrder());
                v.put(SbulbAbi.addr(Net.V4.rs(server))).putInt(server);
                assoc.update(SbulbAbi.assocKey(new Endpoint(client, port)), v.array(), BpfMap.UpdateFlag.ANY);
            }
        }
    }

    /** An order-free digest of every entry: key and the first {@code valueBytes} of the value. */
    private static long[] digest(PinDir pin, int valueBytes) {
        long[] d = new long[2];
        try (BpfFd fd = BpfFd.pinned(pin.map(SbulbAbi.MAP_ASSOC).toString(), "association table")) {
            BpfMap.of(fd, 1).forEach((k, v) -> {
                long h = Arrays.hashCode(k) * 0x9E3779B97F4A7C15L + Arrays.hashCode(Arrays.copyOf(v, valueBytes));
                h ^= h >>> 29;
                d[0] += h;
                d[1] ^= h * 0xBF58476D1CE4E5B9L;
            });
        }
        return d;
    }
}
