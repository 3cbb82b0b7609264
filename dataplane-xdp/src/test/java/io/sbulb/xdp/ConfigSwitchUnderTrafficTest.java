package io.sbulb.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.bpf.BpfProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real-server list is rewritten again and again (servers moved, removed, added back) while
 * another thread runs frames through the same loaded program (BPF_PROG_TEST_RUN on another
 * CPU). Every frame must be decided by a whole configuration: a server in every list keeps its
 * clients and is never passed on untranslated; a server's reply never leaves with its own
 * address (PASS) while it is or was configured; a frame to the VIP is never sent to an
 * address outside the lists. Position-by-position rewriting failed the first two. Meanwhile a
 * second service comes and goes with servers of its own, so that slots are freed and given out
 * again (with new addresses and epochs) while the frames run.
 */
@Timeout(120)
class ConfigSwitchUnderTrafficTest {

    private static final Net N = Net.V4;
    private static final int CHANGES = 400;

    @Test
    void framesRunningDuringListChangesSeeOneWholeConfiguration() throws Exception {
        Privileges.requireBpf();
        IpAddress stay = N.rs(0); // in every list, at changing positions
        List<List<IpAddress>> lists = List.of(
                List.of(N.rs(0), N.rs(1), N.rs(2)),
                List.of(N.rs(2), N.rs(0)),
                List.of(N.rs(1), N.rs(2), N.rs(3), N.rs(0)),
                List.of(N.rs(0)),
                List.of(N.rs(3), N.rs(0), N.rs(1)));
        Limits limits = new Limits(4, 8, 4096);
        try (XdpDataplane xdp = XdpDataplane.create(SbulbProgramSpec.of(limits), XdpDataplane.ANY_CPU)) {
            // every server of the pool is configured once first: from then on each is configured
            // or retired, so none of its replies may pass untranslated
            xdp.configure(DataplaneConfig.of(N.vip, Set.of(Net.PORT), N.servers(0, 4)));
            xdp.configure(DataplaneConfig.of(N.vip, Set.of(Net.PORT), lists.get(0)));
            // clients 0..7 of the server that stays, bound before the changes
            List<Endpoint> clients = new ArrayList<>();
            for (int port = 1; clients.size() < 8; port++) {
                Endpoint c = N.client(0, 20000 + port);
                if (UdpFrame.parse(xdp.process(N.toVip(c).toFrame()).output()).destination().address().equals(stay)) {
                    clients.add(c);
                }
            }
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong frames = new AtomicLong();
            BpfProgram program = xdp.program().program();
            Thread traffic = new Thread(() -> {
                long deadline = System.nanoTime() + 60_000_000_000L;
                for (int i = 0; !stop.get() && System.nanoTime() < deadline && i < 5_000_000; i++) {
                    Endpoint c = clients.get(i % clients.size());
                    UdpFrame in = (i & 1) == 0 ? N.toVip(c) : N.fromServer(N.rs(i / 2 % 4), c);
                    BpfProgram.TestRun run = program.testRunXdp(in.toFrame().bytes(), 1);
                    Verdict v = Verdict.ofXdpAction(run.retval());
                    frames.incrementAndGet();
                    if ((i & 1) == 0) {
                        IpAddress to = v == Verdict.TX ? UdpFrame.parse(Frame.of(run.output())).destination().address() : null;
                        if (!stay.equals(to)) {
                            problems.add("client " + c + " of " + stay + " sent to " + to + " (" + v + ")");
                        }
                    } else if (v == Verdict.PASS) {
                        problems.add("reply " + in + " passed on with the server's own address");
                    }
                }
            }, "traffic");
            traffic.start();
            try {
                for (int k = 1; k <= CHANGES; k++) {
                    List<io.sbulb.api.Service> services = new ArrayList<>();
                    services.add(io.sbulb.api.Service.unweighted(io.sbulb.api.Service.DEFAULT_NAME, N.vip,
                            Set.of(Net.PORT), lists.get(k % lists.size())));
                    if (k % 3 != 0) {
                        services.add(k % 2 == 0 ? 0 : 1, io.sbulb.api.Service.unweighted("churn",
                                IpAddress.parse("198.18.0.2"), Set.of(Net.PORT), N.servers(4 + k % 3, 6 + k % 3)));
                    }
                    xdp.configure(DataplaneConfig.of(services));
                }
            } finally {
                stop.set(true);
                traffic.join(60_000);
            }
            System.out.println(CHANGES + " list changes while " + frames.get() + " frames ran");
            assertThat(frames.get()).as("frames run during the changes").isGreaterThan(CHANGES);
            assertThat(problems).as("frames that saw a half-applied list").isEmpty();
        }
    }
}
