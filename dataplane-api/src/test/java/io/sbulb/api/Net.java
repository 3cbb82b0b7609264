package io.sbulb.api;

import io.sbulb.api.frame.UdpFrame;
import java.util.List;
import java.util.Set;

/**
 * The test network of the contract, in both families: one VIP, four real servers, five
 * clients, all in the benchmarking ranges (198.18.0.0/15, fd00::/8). Port 5683 is balanced,
 * 5684 is not.
 */
public enum Net {
    V4("198.18.0.1", "198.18.1.", "198.18.2.", "198.18.3."),
    V6("fd00::1", "fd00:1::", "fd00:2::", "fd00:3::");

    public static final int PORT = 5683;
    public static final int OTHER_PORT = 5684;
    public static final int CLIENT_PORT = 40000;

    public final IpAddress vip;
    private final String rsPrefix;
    private final String clientPrefix;
    private final String strangerPrefix;

    Net(String vip, String rsPrefix, String clientPrefix, String strangerPrefix) {
        this.vip = IpAddress.parse(vip);
        this.rsPrefix = rsPrefix;
        this.clientPrefix = clientPrefix;
        this.strangerPrefix = strangerPrefix;
    }

    /** Real server i (0-based). */
    public IpAddress rs(int i) {
        return IpAddress.parse(rsPrefix + (i + 1));
    }

    /** Client i (0-based) on the default client port. */
    public Endpoint client(int i) {
        return client(i, CLIENT_PORT);
    }

    public Endpoint client(int i, int port) {
        return new Endpoint(IpAddress.parse(clientPrefix + (i + 1)), port);
    }

    /** A host that is neither VIP, real server nor client. */
    public IpAddress stranger() {
        return IpAddress.parse(strangerPrefix + "1");
    }

    public Net other() {
        return this == V4 ? V6 : V4;
    }

    /** VIP, port 5683, real servers 0..n-1. */
    public DataplaneConfig config(int realServers) {
        return DataplaneConfig.of(vip, Set.of(PORT), servers(0, realServers));
    }

    /** Real servers from..to-1. */
    public List<IpAddress> servers(int from, int to) {
        return java.util.stream.IntStream.range(from, to).mapToObj(this::rs).toList();
    }

    /** Client -> VIP:5683. */
    public UdpFrame toVip(Endpoint client) {
        return UdpFrame.builder().source(client).destination(vip, PORT).payload("hello".getBytes()).build();
    }

    /** Real server :5683 -> client. */
    public UdpFrame fromServer(IpAddress server, Endpoint client) {
        return UdpFrame.builder().source(server, PORT).destination(client).payload("reply".getBytes()).build();
    }
}
