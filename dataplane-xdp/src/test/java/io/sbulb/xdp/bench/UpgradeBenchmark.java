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
import io.sbulb.xdp.testing.PassProgram;
import io.sbulb.xdp.testing.RawFrames;
import io.sbulb.xdp.testing.TestNetns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The upgrade at a full table (issue 14): an sbulb data path attached to a veth with its state
 * pinned and 1,000,000 associations written through the pinned map in the real layout, left
 * running (--on-exit keep); then the build with the next map layout (src/test/bpf/sbulb_abi_next.bpf.c)
 * takes it over: its maps made, every map copied, the link switched, the maps swapped in.
 * Measured per round: the time to load and copy, the time to switch the link and finish, the
 * associations moved (every entry compared, key and value, the new layout's appended field
 * aside), and, for {@value #LIVE} live clients of the table sending from the veth's peer end
 * throughout the upgrade, the datagrams lost and those that reached another real server than
 * their client's (the real servers are UDP sockets on the peer end, which runs an XDP_PASS
 * program so that veth delivers sbulb's XDP_TX). Not a test: it prints; ci/bench.sh --only
 * upgrade runs it.
 *
 * <p>Usage: UpgradeBenchmark [--entries N] [--rounds N]
 */
public final class UpgradeBenchmark {

    /** Clients of the table that send during the upgrade, and their rate. */
    static final int LIVE = 1000;
    private static final long LIVE_INTERVAL_NANOS = 100_000; // 10 k datagrams/s in all
    private static final String LB_MAC = "02:00:00:00:00:0a";
    private static final String PEER_MAC = "02:00:00:00:00:0b";

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
        System.out.println("round | load + copy ms | link switch + finish ms | total ms | associations after | moved"
                + " | live datagrams sent | lost | at another server");
        for (int r = 1; r <= rounds; r++) {
            round(r, entries, next);
        }
    }

    private static void round(int r, int entries, PackagedObject next) throws Exception {
        Limits limits = new Limits(4, 8, 1 << 20);
        SbulbProgramSpec spec = new SbulbProgramSpec(limits, 0);
        PinDir pin = new PinDir(PinDir.BPFFS.resolve("sbulb-harness").resolve(ProcessHandle.current().pid() + "-upg" + r));
        pin.purge();
        try (TestNetns ns = TestNetns.create("upgb");
             PassProgram pass = PassProgram.load()) {
            ns.addVethPair("va", "vb");
            ns.ip("link", "set", "dev", "va", "address", LB_MAC);
            ns.ip("link", "set", "dev", "vb", "address", PEER_MAC);
            for (int i = 0; i < 3; i++) {
                ns.ip("addr", "add", Net.V4.rs(i) + "/32", "dev", "vb");
            }
            ns.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.vb.rp_filter=0");
            NetInterface va = ns.call(() -> NetInterface.byName("va"));
            NetInterface vb = ns.call(() -> NetInterface.byName("vb"));
            ns.call(() -> pass.attach(vb, AttachOptions.DEFAULT));
            Servers servers = ns.call(Servers::open);
            long[] before;
            try (XdpLiveDataplane old = ns.call(() -> XdpLiveDataplane.load(spec, pin))) {
                old.configure(Net.V4.config(3));
                old.attach(va, AttachOptions.DEFAULT);
                fill(pin, entries, io.sbulb.api.Placement.empty(limits).next(Net.V4.config(3)));
                before = digest(pin);
                old.onExit(XdpLiveDataplane.OnExit.KEEP);
            }
            Sender sender = new Sender(ns, vb.index());
            sender.start();
            Thread.sleep(500);
            long t0 = System.nanoTime();
            XdpLiveDataplane up = ns.call(() -> XdpLiveDataplane.load(spec, pin, next));
            long t1 = System.nanoTime();
            XdpAttachment a = up.attach(va, AttachOptions.DEFAULT);
            long t2 = System.nanoTime();
            Thread.sleep(500);
            long sent = sender.stop();
            Thread.sleep(300); // the last datagrams in flight
            long[] after = digest(pin);
            long count = up.associationCount();
            up.close(); // detaches, removes the state
            servers.close();
            System.out.printf("%5d | %,14d | %,23d | %,8d | %,18d | %s%s | %,d | %,d | %,d%n", r, (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t2 - t0) / 1_000_000, count,
                    Arrays.equals(before, after) ? "0 (every entry the same)" : "SOME: the digests differ",
                    a.adopted() ? "" : " (link not taken over!)", sent, sent - servers.received(),
                    servers.elsewhere());
        } finally {
            pin.purge();
        }
    }

    /** The three real servers: a UDP socket each on the peer end, counting what reaches them and from whom. */
    private static final class Servers implements AutoCloseable {
        private final DatagramSocket[] sockets = new DatagramSocket[3];
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong elsewhere = new AtomicLong();
        private final List<Thread> readers = new ArrayList<>();

        static Servers open() throws Exception {
            Servers s = new Servers();
            for (int i = 0; i < 3; i++) {
                int server = i;
                s.sockets[i] = new DatagramSocket(new InetSocketAddress(
                        InetAddress.getByName(Net.V4.rs(i).toString()), Net.PORT));
                s.sockets[i].setReceiveBufferSize(4 << 20);
                Thread t = new Thread(() -> s.read(server), "upgrade-server-" + i);
                t.setDaemon(true);
                t.start();
                s.readers.add(t);
            }
            return s;
        }

        private void read(int server) {
            DatagramPacket p = new DatagramPacket(new byte[256], 256);
            while (!sockets[server].isClosed()) {
                try {
                    sockets[server].receive(p);
                } catch (IOException e) {
                    return;
                }
                received.incrementAndGet();
                // live client k (198.19.0.k, port 1024) is bound to server k % 3 in the table
                int k = p.getAddress().getAddress()[3] & 0xff | (p.getAddress().getAddress()[2] & 0xff) << 8;
                if (k % 3 != server) {
                    elsewhere.incrementAndGet();
                }
            }
        }

        long received() {
            return received.get();
        }

        long elsewhere() {
            return elsewhere.get();
        }

        @Override
        public void close() {
            for (DatagramSocket s : sockets) {
                s.close();
            }
        }
    }

    /** Sends datagrams from the first {@value #LIVE} clients of the table, in turn, at 10 k/s, until stopped. */
    private static final class Sender {
        private final TestNetns ns;
        private final int ifindex;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong sent = new AtomicLong();
        private Thread thread;

        Sender(TestNetns ns, int ifindex) {
            this.ns = ns;
            this.ifindex = ifindex;
        }

        void start() {
            HexFormat mac = HexFormat.ofDelimiter(":");
            byte[][] frames = new byte[LIVE][];
            for (int k = 0; k < LIVE; k++) {
                frames[k] = Net.V4.toVip(new Endpoint(clientOf(k), 1024)).toBuilder().srcMac(mac.parseHex(PEER_MAC))
                        .dstMac(mac.parseHex(LB_MAC)).build().toFrame().bytes();
            }
            thread = new Thread(() -> ns.run(() -> {
                long next = System.nanoTime();
                try (RawFrames.Socket socket = RawFrames.Socket.open(ifindex)) {
                    for (int i = 0; running.get(); i++) {
                        socket.send(frames[i % LIVE]);
                        sent.incrementAndGet();
                        next += LIVE_INTERVAL_NANOS;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                }
            }), "upgrade-sender");
            thread.start();
        }

        long stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            return sent.get();
        }
    }

    private static IpAddress clientOf(int i) {
        return IpAddress.parse("198.19." + ((i >>> 8) & 0xff) + "." + (i & 0xff));
    }

    /**
     * Writes {@code n} associations (198.19.x.y:port -> one of the three servers' slots, as
     * {@code placed} puts them) through the pinned map.
     */
    private static void fill(PinDir pin, int n, io.sbulb.api.Placement placed) {
        int svc = placed.services().get(0).id();
        java.util.List<io.sbulb.api.Placement.Slot> slots = placed.slotsOf(svc, io.sbulb.api.Placement.SlotState.LIVE);
        try (BpfFd fd = BpfFd.pinned(pin.map(SbulbAbi.MAP_ASSOC4).toString(), "association table")) {
            BpfMap assoc = BpfMap.of(fd, 1);
            for (int i = 0; i < n; i++) {
                IpAddress client = clientOf(i);
                int port = 1024 + (i >>> 16);
                io.sbulb.api.Placement.Slot server = slots.get(i % 3);
                assoc.update(SbulbAbi.assocKey(new Endpoint(client, port), svc),
                        SbulbAbi.assocValue(server.id(), server.epoch()), BpfMap.UpdateFlag.ANY);
            }
        }
    }

    /**
     * An order-free digest of every entry: key and the value's first {@link SbulbAbi#ASSOC_SIZE}
     * bytes (the layout before the upgrade; the next one appends a field).
     */
    private static long[] digest(PinDir pin) {
        long[] d = new long[2];
        try (BpfFd fd = BpfFd.pinned(pin.map(SbulbAbi.MAP_ASSOC4).toString(), "association table")) {
            BpfMap.of(fd, 1).forEach((k, v) -> {
                long h = Arrays.hashCode(k) * 0x9E3779B97F4A7C15L + Arrays.hashCode(Arrays.copyOf(v, SbulbAbi.ASSOC_SIZE));
                h ^= h >>> 29;
                d[0] += h;
                d[1] ^= h * 0xBF58476D1CE4E5B9L;
            });
        }
        return d;
    }
}
