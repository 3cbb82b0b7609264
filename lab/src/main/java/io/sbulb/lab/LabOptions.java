package io.sbulb.lab;

/**
 * How a {@link Lab} is built, beyond its real servers.
 *
 * @param peerProgramFd an XDP program for the gateway's end of the balancer's veth (see
 *                      {@link Lab#create(String, int, int)}), or -1 for the lab's pass program
 * @param hostPins      sbulb's state is pinned on a bpffs of the host ({@link HostPins}), so that
 *                      it outlives an sbulb process ({@link Lab#pinDir()}); without it sbulb pins
 *                      where it does by default, in the process's own /sys/fs/bpf, gone with it
 * @param nat           the gateway masquerades the client side's IPv4 traffic towards the
 *                      balancer (nftables): clients reach the VIP from the gateway's address
 *                      {@link Lab#GATEWAY_TO_LB} with ports the NAT chose ({@link Lab#renat()})
 * @param clientLinkMtu the MTU of the link between the client and the gateway (both ends), or 0
 *                      for veth's 1500 like every other link: smaller, the gateway answers a
 *                      larger datagram towards the client with an ICMP "fragmentation needed" /
 *                      "packet too big" to its sender ({@link Lab#pathMtu})
 */
public record LabOptions(int peerProgramFd, boolean hostPins, boolean nat, int clientLinkMtu) {

    /** The pass program on the gateway's end, no pins on the host, no NAT, 1500 bytes everywhere: what a lab always was. */
    public static final LabOptions DEFAULT = new LabOptions(-1, false, false, 0);

    public LabOptions {
        if (clientLinkMtu != 0 && (clientLinkMtu < 1280 || clientLinkMtu > 1500)) {
            throw new IllegalArgumentException("the client's link MTU is 1280..1500 (IPv6 needs 1280, veth's is 1500), or 0"
                    + " for 1500, not " + clientLinkMtu);
        }
    }

    public LabOptions withPeerProgram(int fd) {
        return new LabOptions(fd, hostPins, nat, clientLinkMtu);
    }

    /** sbulb's state pinned on the host's bpffs, removed when the lab closes. */
    public LabOptions withHostPins() {
        return new LabOptions(peerProgramFd, true, nat, clientLinkMtu);
    }

    /** The gateway as a NAT of the clients (a home router, a carrier's NAT): see {@link Lab#renat()}. */
    public LabOptions withNat() {
        return new LabOptions(peerProgramFd, hostPins, true, clientLinkMtu);
    }

    /** A smaller MTU on the client's link (1280..1500), so that a path towards the client is narrower than its first hops. */
    public LabOptions withClientLinkMtu(int mtu) {
        return new LabOptions(peerProgramFd, hostPins, nat, mtu);
    }
}
