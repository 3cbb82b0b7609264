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
 */
public record LabOptions(int peerProgramFd, boolean hostPins, boolean nat) {

    /** The pass program on the gateway's end, no pins on the host, no NAT: what a lab always was. */
    public static final LabOptions DEFAULT = new LabOptions(-1, false, false);

    public LabOptions withPeerProgram(int fd) {
        return new LabOptions(fd, hostPins, nat);
    }

    /** sbulb's state pinned on the host's bpffs, removed when the lab closes. */
    public LabOptions withHostPins() {
        return new LabOptions(peerProgramFd, true, nat);
    }

    /** The gateway as a NAT of the clients (a home router, a carrier's NAT): see {@link Lab#renat()}. */
    public LabOptions withNat() {
        return new LabOptions(peerProgramFd, hostPins, true);
    }
}
