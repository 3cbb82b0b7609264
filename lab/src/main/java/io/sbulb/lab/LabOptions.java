package io.sbulb.lab;

/**
 * How a {@link Lab} is built, beyond its real servers.
 *
 * @param peerProgramFd an XDP program for the gateway's end of the balancer's veth (see
 *                      {@link Lab#create(String, int, int)}), or -1 for the lab's pass program
 * @param hostPins      sbulb's state is pinned on a bpffs of the host ({@link HostPins}), so that
 *                      it outlives an sbulb process ({@link Lab#pinDir()}); without it sbulb pins
 *                      where it does by default, in the process's own /sys/fs/bpf, gone with it
 */
public record LabOptions(int peerProgramFd, boolean hostPins) {

    /** The pass program on the gateway's end, no pins on the host: what a lab always was. */
    public static final LabOptions DEFAULT = new LabOptions(-1, false);

    public LabOptions withPeerProgram(int fd) {
        return new LabOptions(fd, hostPins);
    }

    /** sbulb's state pinned on the host's bpffs, removed when the lab closes. */
    public LabOptions withHostPins() {
        return new LabOptions(peerProgramFd, true);
    }
}
