package io.sbulb.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sbulb.api.IpAddress;
import io.sbulb.api.host.HostFacts;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.Netns;
import io.sbulb.xdp.testing.PassProgram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small network in network namespaces, shaped as sbulb is deployed (docs/design.md §1, like
 * LVS-NAT): a client, real servers and the load balancer, all behind one router, the gateway.
 *
 * <pre>
 *   client 198.18.1.2 ── gw ── lb 198.18.3.2 (sbulb attached to its veth0; VIP 198.18.0.10)
 *                         │
 *                         └─ br0 198.18.2.1 ── rs1 198.18.2.11, rs2 198.18.2.12, ...
 * </pre>
 *
 * The network is dual-stack: the same shape in fd00::/8 (client fd00:1::2, balancer fd00:3::2,
 * VIP fd00::10, real servers fd00:2::11, fd00:2::12...), every namespace without duplicate
 * address detection, so that addresses, link-local ones included, are usable at once.
 *
 * The gateway routes the VIP to the load balancer, and everything the real servers send (policy
 * routing on the bridge) too: the balancer sees both directions and sends every frame back to
 * the gateway with XDP_TX. Addresses come from 198.18.0.0/15 only, nothing leaves the namespaces.
 *
 * <p>Two traps of veth are handled: a frame sent with XDP_TX reaches the peer only when the peer
 * end runs an XDP program too (the gateway's end gets {@link PassProgram}), and locally sent UDP
 * carries a partial checksum unless checksum offload is off on the senders (ethtool).
 *
 * <p>With {@link LabOptions#withNat()} the gateway is also a NAT of the client side (IPv4):
 * nftables masquerades what the client sends towards the balancer, so that clients reach the
 * VIP from {@link #GATEWAY_TO_LB} with ports the NAT chose, as clients behind a home router or a
 * carrier's NAT do; {@link #renat()} forgets every mapping and moves new ones to other ports.
 *
 * <p>With {@link LabOptions#withClientLinkMtu(int)} the client's link is narrower than the rest
 * (1280 bytes, say, against 1500): a datagram larger than that towards the client makes the
 * gateway answer its sender with an ICMP error, which {@link #pathMtu} shows it learned. When the
 * sender is a real server behind sbulb, that error goes to the VIP and comes back from the balancer
 * with the gateway's own address as its source, which the gateway then accepts (accept_local).
 *
 * <p>{@link #close()} deletes every namespace it made, also after a failure half-way through
 * building; a JVM shutdown hook does the same if the process is interrupted.
 */
public final class Lab implements AutoCloseable {

    public static final IpAddress VIP = IpAddress.parse("198.18.0.10");
    public static final IpAddress CLIENT = IpAddress.parse("198.18.1.2");
    public static final IpAddress LB = IpAddress.parse("198.18.3.2");
    /** The balancer's interface, in {@link #lbNetns()}. */
    public static final String LB_INTERFACE = "veth0";
    /** The gateway's end of the balancer's veth, in {@link #gwNetns()}. */
    public static final String GW_LB_INTERFACE = "lb";
    /** The gateway's address on {@link #GW_LB_INTERFACE}: the balancer's next hop. */
    public static final IpAddress GATEWAY_TO_LB = IpAddress.parse("198.18.3.1");
    public static final int MAX_REAL_SERVERS = 8;
    public static final IpAddress VIP6 = IpAddress.parse("fd00::10");
    public static final IpAddress CLIENT6 = IpAddress.parse("fd00:1::2");
    public static final IpAddress LB6 = IpAddress.parse("fd00:3::2");
    public static final IpAddress GATEWAY6_TO_LB = IpAddress.parse("fd00:3::1");

    /** The NAT's first range of source ports ({@link LabOptions#withNat()}), {@value #NAT_PORTS} ports. */
    public static final int NAT_FIRST_PORT = 20000;
    /** How many source ports each of the NAT's ranges has; {@link #renat()} takes the next range. */
    public static final int NAT_PORTS = 5000;
    private static final String NAT_TABLE = "lab_nat";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;
    private final int realServers;
    private final LabOptions options;
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final Thread cleanup;
    private PassProgram pass;
    private XdpAttachment peerXdp;
    private HostPins pins;
    private boolean closed;
    private int natRange;

    private Lab(String prefix, int realServers, LabOptions options) {
        this.prefix = prefix;
        this.realServers = realServers;
        this.options = options;
        this.cleanup = new Thread(this::close, "lab-cleanup-" + prefix);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Builds the network with {@code realServers} real servers (1..{@value #MAX_REAL_SERVERS}).
     * Namespaces are named {@code PREFIX-gw}, {@code PREFIX-lb}, {@code PREFIX-cli},
     * {@code PREFIX-rs1}...; {@code prefix} should be unique on the machine.
     */
    public static Lab create(String prefix, int realServers) {
        return create(prefix, realServers, LabOptions.DEFAULT);
    }

    /**
     * Builds the network as {@link #create(String, int)} does, with the XDP program
     * {@code peerProgramFd} (loaded by the caller, kept loaded while the lab lives) on the
     * gateway's end of the balancer's veth instead of {@link PassProgram}: the benchmark counts
     * what the balancer sends there. It must pass what it does not consume.
     */
    public static Lab create(String prefix, int realServers, int peerProgramFd) {
        return create(prefix, realServers, LabOptions.DEFAULT.withPeerProgram(peerProgramFd));
    }

    /** Builds the network as {@link #create(String, int)} does, as {@code options} say. */
    public static Lab create(String prefix, int realServers, LabOptions options) {
        if (realServers < 1 || realServers > MAX_REAL_SERVERS) {
            throw new IllegalArgumentException("a lab has 1.." + MAX_REAL_SERVERS + " real servers, not " + realServers);
        }
        Lab lab = new Lab(prefix, realServers, options);
        try {
            lab.build();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** A prefix unique to this process and call: {@code sbl<pid>x<n>}. */
    public static String uniquePrefix() {
        return "sbl" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
    }

    public String prefix() {
        return prefix;
    }

    public String gwNetns() {
        return prefix + "-gw";
    }

    public String lbNetns() {
        return prefix + "-lb";
    }

    public String clientNetns() {
        return prefix + "-cli";
    }

    /** The namespace of real server {@code i} (from 1). */
    public String realServerNetns(int i) {
        checkServer(i);
        return prefix + "-rs" + i;
    }

    /** The address of real server {@code i} (from 1): 198.18.2.(10 + i). */
    public IpAddress realServer(int i) {
        checkServer(i);
        return IpAddress.parse("198.18.2." + (10 + i));
    }

    /** The IPv6 address of real server {@code i} (from 1): fd00:2::(10 + i), the digits as written. */
    public IpAddress realServer6(int i) {
        checkServer(i);
        return IpAddress.parse("fd00:2::" + (10 + i));
    }

    public int realServerCount() {
        return realServers;
    }

    /** Every namespace of the lab. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    private void checkServer(int i) {
        if (i < 1 || i > realServers) {
            throw new IllegalArgumentException("real server " + i + " is outside 1.." + realServers);
        }
    }

    private void build() {
        if (options.hostPins()) {
            synchronized (this) {
                if (closed) { // the shutdown hook ran while the lab was being built
                    throw new LabException("the lab is closed (interrupted?); not making its pin directory");
                }
                pins = HostPins.create(prefix);
            }
        }
        String gw = gwNetns();
        addNetns(gw);
        addNetns(lbNetns());
        addNetns(clientNetns());
        for (int i = 1; i <= realServers; i++) {
            addNetns(realServerNetns(i));
        }
        sysctl(gw, "net/ipv4/ip_forward", "1");
        sysctl(gw, "net/ipv4/conf/all/rp_filter", "0");
        sysctl(gw, "net/ipv4/conf/default/rp_filter", "0");
        sysctl(gw, "net/ipv6/conf/all/forwarding", "1");

        // client
        veth(clientNetns(), "gw", gw, "cli");
        address(clientNetns(), "gw", CLIENT + "/24");
        address(gw, "cli", "198.18.1.1/24");
        ip("-n", clientNetns(), "route", "add", "default", "via", "198.18.1.1");
        address(clientNetns(), "gw", CLIENT6 + "/64");
        address(gw, "cli", "fd00:1::1/64");
        ip("-n", clientNetns(), "-6", "route", "add", "default", "via", "fd00:1::1");
        offloadOff(clientNetns(), "gw");
        if (options.clientLinkMtu() > 0) {
            String mtu = Integer.toString(options.clientLinkMtu());
            ip("-n", clientNetns(), "link", "set", "gw", "mtu", mtu);
            ip("-n", gw, "link", "set", "cli", "mtu", mtu);
        }

        // load balancer
        veth(lbNetns(), LB_INTERFACE, gw, GW_LB_INTERFACE);
        address(lbNetns(), LB_INTERFACE, LB + "/24");
        address(gw, GW_LB_INTERFACE, GATEWAY_TO_LB + "/24");
        ip("-n", lbNetns(), "route", "add", "default", "via", GATEWAY_TO_LB.toString());
        address(lbNetns(), LB_INTERFACE, LB6 + "/64");
        address(gw, GW_LB_INTERFACE, GATEWAY6_TO_LB + "/64");
        ip("-n", lbNetns(), "-6", "route", "add", "default", "via", GATEWAY6_TO_LB.toString());

        // real servers, on a bridge
        ip("-n", gw, "link", "add", "br0", "type", "bridge");
        address(gw, "br0", "198.18.2.1/24");
        address(gw, "br0", "fd00:2::1/64");
        for (int i = 1; i <= realServers; i++) {
            String rs = realServerNetns(i);
            veth(rs, "gw", gw, "rs" + i);
            ip("-n", gw, "link", "set", "rs" + i, "master", "br0");
            address(rs, "gw", realServer(i) + "/24");
            ip("-n", rs, "route", "add", "default", "via", "198.18.2.1");
            address(rs, "gw", realServer6(i) + "/64");
            ip("-n", rs, "-6", "route", "add", "default", "via", "fd00:2::1");
            offloadOff(rs, "gw");
        }

        // the gateway: the VIP lives behind the balancer, and so does everything the servers send
        ip("-n", gw, "route", "add", VIP + "/32", "via", LB.toString());
        ip("-n", gw, "route", "add", "default", "via", LB.toString(), "table", "100");
        ip("-n", gw, "rule", "add", "iif", "br0", "lookup", "100", "pref", "100");
        ip("-n", gw, "-6", "route", "add", VIP6 + "/128", "via", LB6.toString());
        ip("-n", gw, "-6", "route", "add", "default", "via", LB6.toString(), "table", "100");
        ip("-n", gw, "-6", "rule", "add", "iif", "br0", "lookup", "100", "pref", "100");
        for (String i : List.of("cli", GW_LB_INTERFACE, "br0")) {
            sysctl(gw, "net/ipv4/conf/" + i + "/rp_filter", "0");
        }
        if (options.clientLinkMtu() > 0) {
            // The gateway sends its "fragmentation needed" to the VIP from its own address on the
            // balancer's link; sbulb sends it back through the gateway to a real server, and
            // without accept_local the gateway drops it there as a martian (a local source from
            // outside). IPv6 has no such check.
            sysctl(gw, "net/ipv4/conf/" + GW_LB_INTERFACE + "/accept_local", "1");
        }

        if (options.nat()) {
            natGateway();
        }

        // XDP_TX on veth0 reaches the gateway only if its end runs an XDP program as well
        int peerFd = options.peerProgramFd();
        if (peerFd < 0) {
            pass = PassProgram.load();
            peerFd = pass.fd();
        }
        int fd = peerFd;
        peerXdp = Netns.call(gw, () -> XdpAttachment.attach(fd, NetInterface.byName(GW_LB_INTERFACE),
                AttachOptions.DEFAULT));
    }

    /**
     * Makes the gateway a NAT of the client side: an nftables masquerade of the IPv4 traffic from
     * the client's network out of {@link #GW_LB_INTERFACE}, from {@link #GATEWAY_TO_LB}, UDP from
     * the ports of {@link #natPorts()}. The mapped address is the gateway's own, which the lab's
     * routing has to allow for twice: the balancer sends the clients' datagrams on to the real
     * servers from it (a local address arriving from outside is a martian unless accept_local),
     * and the real servers' answers to it must be routed to the balancer like all they send, not
     * delivered to the gateway itself (a rule for them comes before the lookup of local addresses).
     * The mappings last until {@link #renat()} (600 s of silence), not the default 30 s.
     */
    private void natGateway() {
        String gw = gwNetns();
        sysctl(gw, "net/ipv4/conf/" + GW_LB_INTERFACE + "/accept_local", "1");
        // before the lookup of local addresses, which moves to pref 2; not the whole bridge's
        // traffic, which would take the gateway's ARP answers on it away (ARP routes the target)
        ip("-n", gw, "rule", "add", "pref", "1", "iif", "br0", "to", GATEWAY_TO_LB + "/32", "lookup", "100");
        ip("-n", gw, "rule", "add", "pref", "2", "lookup", "local");
        ip("-n", gw, "rule", "del", "pref", "0", "lookup", "local");
        nft(gw, "add table ip " + NAT_TABLE + "; add chain ip " + NAT_TABLE
                + " post { type nat hook postrouting priority srcnat; }; " + masquerade());
        sysctl(gw, "net/netfilter/nf_conntrack_udp_timeout", "600");
        sysctl(gw, "net/netfilter/nf_conntrack_udp_timeout_stream", "600");
    }

    /** The rules of the masquerade, UDP from {@link #natPorts()}. */
    private String masquerade() {
        int[] ports = natPorts();
        String match = "add rule ip " + NAT_TABLE + " post ip saddr 198.18.1.0/24 oifname " + GW_LB_INTERFACE;
        return match + " meta l4proto udp masquerade to :" + ports[0] + "-" + ports[1] + "; " + match + " masquerade";
    }

    /** The source ports, first and last, the NAT gives new UDP mappings now ({@link LabOptions#withNat()}). */
    public synchronized int[] natPorts() {
        int first = NAT_FIRST_PORT + natRange * NAT_PORTS;
        return new int[] {first, first + NAT_PORTS - 1};
    }

    /**
     * The NAT forgets every mapping ({@code conntrack -F} in the gateway), as a NAT does when it
     * restarts or its mappings time out, and takes the next range of source ports for new ones,
     * so that every client's next datagram comes from another port (the NAT would otherwise give
     * a client its own port again when it is free). Returns the new range, as {@link #natPorts()}.
     */
    public synchronized int[] renat() {
        if (!options.nat()) {
            throw new IllegalStateException("lab " + prefix + " was built without a NAT (LabOptions.withNat)");
        }
        if (NAT_FIRST_PORT + (natRange + 2) * NAT_PORTS > 65536) {
            throw new IllegalStateException("the NAT of lab " + prefix + " has used all its port ranges");
        }
        natRange++;
        nft(gwNetns(), "flush chain ip " + NAT_TABLE + " post; " + masquerade());
        Commands.run("ip", "netns", "exec", gwNetns(), "conntrack", "-F");
        return natPorts();
    }

    private static void nft(String ns, String commands) {
        Commands.run("ip", "netns", "exec", ns, "nft", commands);
    }

    /**
     * The directory to give sbulb as {@code --pin-dir} for {@link #LB_INTERFACE}, on the host's
     * bpffs ({@link HostPins}): its state there outlives the process. Only with
     * {@link LabOptions#withHostPins()}.
     */
    public Path pinDir() {
        if (pins == null) {
            throw new IllegalStateException("lab " + prefix + " was built without pins on the host (LabOptions.withHostPins)");
        }
        return pins.of(LB_INTERFACE);
    }

    /** {@code --pin-dir} {@link #pinDir()}: sbulb's arguments for its state in this lab. */
    public List<String> pinDirArgs() {
        return List.of("--pin-dir", pinDir().toString());
    }

    /**
     * Removes every pin of the lab (unlinked, not through sbulb): a data path that no sbulb runs
     * is detached, its state gone. Done by {@link #close()} too.
     */
    public synchronized void removePinnedState() {
        if (pins != null) {
            pins.clear();
        }
    }

    private void addNetns(String name) {
        synchronized (this) {
            if (closed) { // the shutdown hook ran while the lab was being built
                throw new LabException("the lab is closed (interrupted?); not adding namespace " + name);
            }
            namespaces.add(name); // before it exists: a cleanup racing with this deletes it too
        }
        ip("netns", "add", name);
        synchronized (this) {
            if (closed) { // closed while it was being added: the cleanup may have missed it
                Commands.run(List.of("ip", "netns", "del", name), true);
                throw new LabException("the lab is closed (interrupted?); namespace " + name + " removed again");
            }
        }
        ip("-n", name, "link", "set", "lo", "up");
        // no duplicate address detection on the interfaces to come: a link-local address is
        // otherwise tentative for about a second, and neighbour discovery waits for it
        sysctl(name, "net/ipv6/conf/default/accept_dad", "0");
        sysctl(name, "net/ipv6/conf/all/accept_dad", "0");
    }

    private static void veth(String ns, String name, String peerNs, String peerName) {
        ip("link", "add", name, "netns", ns, "type", "veth", "peer", "name", peerName, "netns", peerNs);
        ip("-n", ns, "link", "set", name, "up");
        ip("-n", peerNs, "link", "set", peerName, "up");
    }

    private static void address(String ns, String dev, String cidr) {
        if (cidr.contains(":")) {
            ip("-n", ns, "addr", "add", cidr, "dev", dev, "nodad");
        } else {
            ip("-n", ns, "addr", "add", cidr, "dev", dev);
        }
        ip("-n", ns, "link", "set", dev, "up");
    }

    /** Locally sent UDP on veth carries a partial checksum unless checksum offload is off. */
    private static void offloadOff(String ns, String dev) {
        Commands.run("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off");
    }

    /**
     * Writes {@code value} to {@code /proc/sys/KEY} inside namespace {@code ns} (e.g. "net/ipv4/ip_forward").
     *
     * @throws LabException naming the key, the namespace and the file when the write fails
     */
    public static void sysctl(String ns, String key, String value) {
        Path file = sysctlPath(HostFacts.SYSTEM, key);
        try {
            Commands.run("ip", "netns", "exec", ns, "sh", "-c", "echo " + value + " > " + file);
        } catch (LabException e) {
            throw new LabException("cannot set sysctl " + key + " = " + value + " in network namespace " + ns
                    + " (" + file + "): " + e.getMessage(), e);
        }
    }

    /** The file of sysctl {@code key} ("net/ipv4/ip_forward") on the host {@code host} describes. */
    static Path sysctlPath(HostFacts host, String key) {
        if (!key.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || key.contains("..")) {
            throw new IllegalArgumentException("'" + key + "' is not a sysctl key such as net/ipv4/ip_forward");
        }
        return host.path("/proc/sys/" + key);
    }

    private static String ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Commands.run(cmd);
    }

    /**
     * Writes a real-server file (the -cfg format) listing real servers {@code indexes} (from 1),
     * whole: a temporary file renamed over it, as a careful operator (or a ConfigMap) does.
     */
    public void writeRealServerFile(Path file, int... indexes) throws IOException {
        StringBuilder sb = new StringBuilder("# written by the sbulb lab\n[Real Servers]\n");
        for (int i : indexes) {
            sb.append(realServer(i)).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb.toString());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The path MTU towards {@code to} that namespace {@code ns} has learned from an ICMP
     * "fragmentation needed" or "packet too big" (the route exception {@code ip route get}
     * shows), or empty when it has learned none.
     */
    public static OptionalInt pathMtu(String ns, IpAddress to) {
        String out = Commands.run("ip", "-n", ns, "route", "get", to.toString());
        Matcher m = Pattern.compile("\\bmtu (\\d+)").matcher(out);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The MAC address of interface {@code dev} of namespace {@code ns}, as {@code ip link} reports it. */
    public static byte[] mac(String ns, String dev) {
        String out = Commands.run("ip", "-n", ns, "-j", "link", "show", "dev", dev);
        try {
            String text = JSON.readTree(out).path(0).path("address").asText("");
            String[] parts = text.split(":");
            if (parts.length != 6) {
                throw new LabException("no MAC address for " + dev + " in " + ns + " in: " + out);
            }
            byte[] mac = new byte[6];
            for (int i = 0; i < 6; i++) {
                mac[i] = (byte) Integer.parseInt(parts[i], 16);
            }
            return mac;
        } catch (IOException | NumberFormatException e) {
            throw new LabException("cannot read the MAC address of " + dev + " in " + ns + " from: " + out, e);
        }
    }

    /**
     * The XDP program attached to {@code dev} in {@code ns}, as {@code ip link} reports it (not
     * sbulb): its id and mode ("xdp", "xdpgeneric"...), or empty when there is none.
     */
    public static Optional<AttachedXdp> xdpOn(String ns, String dev) {
        String out = Commands.run("ip", "-n", ns, "-j", "-d", "link", "show", "dev", dev);
        try {
            JsonNode link = JSON.readTree(out).path(0);
            JsonNode xdp = link.path("xdp");
            if (xdp.isMissingNode() || xdp.path("prog").isMissingNode() && xdp.path("attached").isMissingNode()) {
                return Optional.empty();
            }
            JsonNode prog = xdp.path("prog");
            if (prog.isMissingNode()) {
                prog = xdp.path("attached").path(0).path("prog");
            }
            return Optional.of(new AttachedXdp(prog.path("id").asInt(), prog.path("name").asText(""),
                    modeName(xdp.path("mode").asInt())));
        } catch (IOException e) {
            throw new LabException("cannot read ip -j link output: " + out, e);
        }
    }

    private static String modeName(int mode) {
        return switch (mode) {
            case 1 -> "driver";
            case 2 -> "generic";
            case 3 -> "offload";
            default -> "mode " + mode;
        };
    }

    /** An XDP program an interface runs, as {@code ip link} reports it. */
    public record AttachedXdp(int id, String name, String mode) {
    }

    /**
     * Deletes the lab: its pinned state (with the lab's pin directory), every namespace (with its
     * interfaces and sockets' routes). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (pins != null) {
                pins.remove();
            }
        } catch (RuntimeException e) {
            System.err.println("lab " + prefix + ": " + e.getMessage()); // the namespaces still go
        }
        if (peerXdp != null) {
            peerXdp.close();
        }
        if (pass != null) {
            pass.close();
        }
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run
        }
    }

    private void deleteNamespaces() {
        List<String> all;
        synchronized (namespaces) {
            all = new ArrayList<>(namespaces);
            namespaces.clear();
        }
        Collections.reverse(all);
        for (String ns : all) {
            Commands.run(List.of("ip", "netns", "del", ns), true);
        }
    }
}
