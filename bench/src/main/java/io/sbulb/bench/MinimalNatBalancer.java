package io.sbulb.bench;

import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.lab.Lab;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.ModeChoice;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.Netns;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The limit of an XDP balancer in this lab: the data-path benchmark's minimal NAT
 * ({@code dataplane-xdp/src/test/bpf/bench_minimal.bpf.c}, program {@code bench_minimal}, compiled
 * into this module by its build from that one source): one LRU lookup keyed by the IPv4 source
 * address and UDP port, the destination rewritten with incremental checksums, MACs swapped,
 * XDP_TX; anything it does not know is passed to the kernel. It is attached as sbulb attaches
 * itself, a BPF link on the balancer's veth in native mode (native only: a silent fall-back to
 * generic mode would measure something else), to an association table of sbulb's default size.
 *
 * <p><b>Ingress only, which is what the lab's load steps measure.</b> The generator's frames go
 * from clients to the VIP; the balancer sends them on to a real server, back out of its veth, and
 * the sink on the gateway's end counts them per real server and drops them: no real server answers
 * during a load step. The minimal program has no egress (a real server's reply misses its table
 * and goes to the balancer namespace's stack, which does not forward), so round trips through it
 * are not measured ({@link #carriesReplies()}).
 *
 * <p>The program never creates an association: the table is filled before the attach with the
 * generator's clients, spread over the real servers as sbulb's round robin spreads new clients in
 * the order they first arrive (the generator sends its clients in turn): client {@code i} (source
 * port {@code basePort + i}) to real server {@code i mod n}. The sink's per-server counts are then
 * the same for both.
 */
final class MinimalNatBalancer implements Balancer {

    static final String OBJECT = "bench_minimal";
    static final String PROGRAM = "bench_minimal";
    static final String MAP = "bench_min_assoc";
    /** struct bench_min_key: IPv4 address and UDP port in network byte order, 2 bytes of 0. */
    static final int KEY_SIZE = 8;
    /** The real server's IPv4 address, network byte order. */
    static final int VALUE_SIZE = 4;

    private final Lab lab;
    private final int basePort;
    private final int clients;
    private BpfObject object;
    private XdpAttachment attachment;

    /** For the clients {@code basePort .. basePort + clients - 1} of the lab's client address. */
    MinimalNatBalancer(Lab lab, int basePort, int clients) {
        this.lab = lab;
        this.basePort = basePort;
        this.clients = clients;
    }

    /** A client of the table and the real server it goes to. */
    record Association(IpAddress client, int port, IpAddress server) {

        /** The table's key: struct bench_min_key. */
        byte[] key() {
            byte[] k = new byte[KEY_SIZE];
            System.arraycopy(client.bytes(), 0, k, 0, 4);
            k[4] = (byte) (port >>> 8);
            k[5] = (byte) port;
            return k;
        }
    }

    /**
     * The associations sbulb's round robin makes when {@code clients} new clients of {@code client}
     * arrive in turn from {@code basePort} on: client {@code i} to {@code servers[i % n]}.
     */
    static List<Association> roundRobin(IpAddress client, int basePort, int clients, List<IpAddress> servers) {
        if (!client.isIpv4() || servers.stream().anyMatch(s -> !s.isIpv4())) {
            throw new IllegalArgumentException("the minimal NAT handles IPv4 only: " + client + " -> " + servers);
        }
        if (basePort < 1 || basePort + clients - 1 > 0xffff) {
            throw new IllegalArgumentException("client ports " + basePort + ".." + (basePort + clients - 1)
                    + " are not all UDP ports");
        }
        List<Association> a = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            a.add(new Association(client, basePort + i, servers.get(i % servers.size())));
        }
        return a;
    }

    @Override
    public String name() {
        return "minimal-nat";
    }

    @Override
    public String description() {
        return "the data-path benchmark's minimal XDP NAT (bench_minimal.bpf.c), native XDP on the balancer's veth, "
                + "an LRU table of " + Limits.DEFAULT_MAX_ASSOCIATIONS + " (as sbulb's -ma) filled beforehand with the "
                + clients + " clients in round robin; ingress only, so no round trips";
    }

    @Override
    public void start() {
        List<IpAddress> servers = new ArrayList<>();
        for (int i = 1; i <= lab.realServerCount(); i++) {
            servers.add(lab.realServer(i));
        }
        List<Association> table = roundRobin(Lab.CLIENT, basePort, clients, servers);
        object = BpfObjects.load(OBJECT, o -> o.setMaxEntries(MAP, Limits.DEFAULT_MAX_ASSOCIATIONS),
                Function.identity());
        try {
            BpfMap assoc = object.map(MAP);
            if (assoc.description().keySize() != KEY_SIZE || assoc.description().valueSize() != VALUE_SIZE) {
                throw new IllegalStateException(MAP + " has " + assoc.description().keySize() + "-byte keys and "
                        + assoc.description().valueSize() + "-byte values, this class writes " + KEY_SIZE + " and "
                        + VALUE_SIZE + " (bench_minimal.bpf.c changed?)");
            }
            for (Association a : table) {
                assoc.update(a.key(), a.server().bytes(), BpfMap.UpdateFlag.NOEXIST);
            }
            int fd = object.program(PROGRAM).fd();
            attachment = Netns.call(lab.lbNetns(), () -> XdpAttachment.attach(fd,
                    NetInterface.byName(Lab.LB_INTERFACE), AttachOptions.mode(ModeChoice.NATIVE)));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public boolean carriesReplies() {
        return false;
    }

    @Override
    public List<Long> userTasks() {
        return List.of(); // the program runs in the veth's NAPI thread, counted apart
    }

    @Override
    public void close() {
        if (attachment != null) {
            attachment.close();
            attachment = null;
        }
        if (object != null) {
            object.close();
            object = null;
        }
    }
}
