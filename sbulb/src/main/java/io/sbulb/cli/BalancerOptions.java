package io.sbulb.cli;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServerFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The balancer's configuration options, spelled as the original Python/BCC sbulb spelled them:
 * {@code -vs}, {@code -rs} or {@code -cfg}, {@code -p}, and the limits {@code -mp}, {@code -mrs},
 * {@code -ma}. A picocli mixin, so every command that configures a dataplane takes the same ones.
 */
final class BalancerOptions {

    @Option(names = {"-vs", "--virtual_server"}, paramLabel = "VIRTUAL_SERVER",
            description = "<Required> Virtual server address (e.g. 198.18.0.10), IPv4 or IPv6.")
    String virtualServer;

    @Option(names = {"-rs", "--real_server"}, paramLabel = "REAL_SERVER", arity = "1..*",
            parameterConsumer = ValueRun.Addresses.class,
            description = "<Required> Real server address(es) (e.g. 198.18.2.11 198.18.2.12), in round-robin "
                    + "order, of the virtual server's IP version. Or -cfg.")
    List<String> realServers;

    @Option(names = {"-cfg", "--config_file"}, paramLabel = "CONFIG_FILE",
            description = "<Required> a path to a file containing real server address(es), instead of -rs. "
                    + "File will be polled for modification and configuration updated dynamically: a change "
                    + "applies within a second, switched whole (a server that stays keeps its clients; a removed "
                    + "server's late replies are dropped); an invalid file is reported and the "
                    + "running configuration kept (replay reads it once). It must be a regular file. A file content example:%n"
                    + "  [Real Servers]%n  10.0.0.4%n  10.0.0.2%n  10.0.0.6%n"
                    + "One address per line, in round-robin order; blank lines and lines starting with # or ; "
                    + "are ignored, as are other sections.")
    Path realServerFile;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", arity = "1..*", parameterConsumer = ValueRun.Ports.class,
            description = "<Required> UDP port(s) to load balance (e.g. 5683 5684, or 5683,5684), 1..65535.")
    List<String> ports;

    @Option(names = {"-mp", "--max_ports"}, paramLabel = "MAX_PORTS",
            description = "Set the maximum number of port to load balance. (default: " + Limits.DEFAULT_MAX_PORTS
                    + ", at most " + Limits.MAX_PORTS_LIMIT + ")")
    Integer maxPorts;

    @Option(names = {"-mrs", "--max_realservers"}, paramLabel = "MAX_REALSERVERS",
            description = "Set the maximum number of real servers. (default: " + Limits.DEFAULT_MAX_REAL_SERVERS
                    + ", at most " + Limits.MAX_REAL_SERVERS_LIMIT + ")")
    Integer maxRealServers;

    @Option(names = {"-ma", "--max_associations"}, paramLabel = "MAX_ASSOCIATIONS",
            description = "Set the maximum number of associations. (default: " + Limits.DEFAULT_MAX_ASSOCIATIONS
                    + ", at most " + Limits.MAX_ASSOCIATIONS_LIMIT + ")%n"
                    + "This defined the maximum number of foreign peers supported at the same time.")
    Integer maxAssociations;

    /** True when any of -vs, -rs, -cfg, -p was given. */
    boolean anyConfigGiven() {
        return virtualServer != null || realServers != null || realServerFile != null || ports != null;
    }

    /** True when any of -mp, -mrs, -ma was given. */
    boolean anyLimitGiven() {
        return maxPorts != null || maxRealServers != null || maxAssociations != null;
    }

    /** The limits: the options given, else {@code base}'s. */
    Limits limits(Limits base) {
        return new Limits(maxPorts != null ? maxPorts : base.maxPorts(),
                maxRealServers != null ? maxRealServers : base.maxRealServers(),
                maxAssociations != null ? maxAssociations : base.maxAssociations());
    }

    /**
     * The configuration -vs, -rs or -cfg, and -p describe.
     *
     * @throws ConfigException naming the missing option or the bad value
     */
    DataplaneConfig config() {
        if (virtualServer == null) {
            throw new ConfigException("missing -vs: the virtual server address");
        }
        if (realServers != null && realServerFile != null) {
            throw new ConfigException("give real servers with -rs or with -cfg, not both");
        }
        if (realServers == null && realServerFile == null) {
            throw new ConfigException("missing -rs or -cfg: the real servers");
        }
        if (ports == null || ports.isEmpty()) {
            throw new ConfigException("missing -p: the UDP ports to load balance");
        }
        IpAddress vip = address(virtualServer, "-vs");
        List<IpAddress> servers = new ArrayList<>();
        if (realServerFile != null) {
            servers.addAll(RealServerFile.read(realServerFile));
        } else {
            if (realServers.isEmpty()) {
                throw new ConfigException("-rs needs at least one address");
            }
            for (String s : realServers) {
                servers.add(address(s, "-rs"));
            }
        }
        return DataplaneConfig.of(vip, ports(ports), servers);
    }

    private static IpAddress address(String text, String option) {
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(option + ": " + e.getMessage(), e);
        }
    }

    private static List<Integer> ports(List<String> texts) {
        List<Integer> ports = new ArrayList<>();
        for (String text : texts) {
            for (String p : text.split(",", -1)) {
                int port;
                try {
                    port = Integer.parseInt(p.strip());
                } catch (NumberFormatException e) {
                    throw new ConfigException("-p: '" + p + "'" + (p.equals(text) ? "" : " in '" + text + "'")
                            + " is not a UDP port number (1..65535)", e);
                }
                if (port < 1 || port > 65535) {
                    throw new ConfigException("-p: port " + port + " is outside 1..65535");
                }
                ports.add(port);
            }
        }
        return ports;
    }
}
