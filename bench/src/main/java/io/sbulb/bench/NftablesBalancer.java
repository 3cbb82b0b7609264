package io.sbulb.bench;

import io.sbulb.lab.Commands;
import io.sbulb.lab.Lab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's own NAT as a UDP balancer: nftables DNAT to the real servers in turn
 * ({@code numgen inc}), conntrack keeping each client on its server and un-NATing the replies.
 * The balancer's namespace forwards; ICMP redirects are off (frames leave by the interface they
 * came in on, as with sbulb's XDP_TX).
 */
final class NftablesBalancer implements Balancer {

    private static final String TABLE = "sbulb_bench";

    private final Lab lab;
    private final Path workDir;
    private PassAttachment pass;
    private boolean ruleset;

    NftablesBalancer(Lab lab, Path workDir) {
        this.lab = lab;
        this.workDir = workDir;
    }

    @Override
    public String name() {
        return "nftables";
    }

    @Override
    public String description() {
        return Commands.run("nft", "--version").strip() + ", DNAT numgen inc mod " + lab.realServerCount()
                + ", conntrack, forwarding in the kernel";
    }

    @Override
    public void start() {
        String ns = lab.lbNetns();
        Lab.sysctl(ns, "net/ipv4/ip_forward", "1");
        Lab.sysctl(ns, "net/ipv4/conf/all/send_redirects", "0");
        Lab.sysctl(ns, "net/ipv4/conf/" + Lab.LB_INTERFACE + "/send_redirects", "0");
        StringBuilder map = new StringBuilder();
        for (int i = 1; i <= lab.realServerCount(); i++) {
            map.append(i > 1 ? ", " : "").append(i - 1).append(" : ").append(lab.realServer(i));
        }
        String rules = "table ip " + TABLE + " {\n"
                + "  chain prerouting {\n"
                + "    type nat hook prerouting priority dstnat; policy accept;\n"
                + "    ip daddr " + Lab.VIP + " udp dport " + PORT + " dnat to numgen inc mod "
                + lab.realServerCount() + " map { " + map + " }\n"
                + "  }\n"
                + "}\n";
        Path file = workDir.resolve("nftables.conf");
        try {
            Files.writeString(file, rules);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + file, e);
        }
        Commands.run("ip", "netns", "exec", ns, "nft", "-f", file.toString());
        ruleset = true;
        pass = PassAttachment.attach(lab);
    }

    @Override
    public List<Long> userTasks() {
        return List.of();
    }

    @Override
    public void close() {
        if (pass != null) {
            pass.close();
            pass = null;
        }
        if (ruleset) {
            Commands.run(List.of("ip", "netns", "exec", lab.lbNetns(), "nft", "delete", "table", "ip", TABLE), true);
            Lab.sysctl(lab.lbNetns(), "net/ipv4/ip_forward", "0");
            ruleset = false;
        }
    }
}
