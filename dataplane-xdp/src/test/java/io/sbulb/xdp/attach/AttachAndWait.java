package io.sbulb.xdp.attach;

import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.Netns;
import io.sbulb.xdp.testing.PassProgram;

/**
 * The child process of {@link ProcessDeathTest}: attaches the pass program to interface
 * {@code args[1]} of namespace {@code args[0]}, prints "ATTACHED id" and waits to be killed.
 */
public final class AttachAndWait {

    /** Bound on the wait: a child nobody kills ends by itself (and its link with it). */
    private static final long WAIT_MS = 60_000;

    private AttachAndWait() {
    }

    public static void main(String[] args) throws InterruptedException {
        PassProgram pass = PassProgram.load();
        XdpAttachment a = Netns.call(args[0], () -> pass.attach(NetInterface.byName(args[1]), AttachOptions.DEFAULT));
        System.out.println("ATTACHED " + a.programId());
        System.out.flush();
        Thread.sleep(WAIT_MS);
        System.exit(3);
    }
}
