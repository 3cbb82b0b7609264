package io.sbulb.xdp.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Counter;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpLiveDataplane;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.PassProgram;
import io.sbulb.xdp.testing.RawFrames;
import io.sbulb.xdp.testing.TestNetns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real frame through sbulb attached to a veth end: sent raw from the peer end to the VIP,
 * rewritten to the real server and sent back with XDP_TX, it reaches the real server's socket
 * on the peer end only while the peer end has an XDP program (the pass program) too.
 */
@Timeout(60)
class XdpTxOnVethTest {

    private static final String LB_MAC = "02:00:00:00:00:0a";
    private static final String PEER_MAC = "02:00:00:00:00:0b";
    /** How long a frame that will not come is waited for. */
    private static final int ABSENCE_WAIT_MS = 500;
    private static final int ARRIVAL_WAIT_MS = 5000;

    private TestNetns ns;

    @BeforeEach
    void lab() {
        Privileges.requireNetAdmin();
        ns = TestNetns.create("xdptx");
        ns.addVethPair("va", "vb");
        ns.ip("link", "set", "dev", "va", "address", LB_MAC);
        ns.ip("link", "set", "dev", "vb", "address", PEER_MAC);
        // vb is the real server's end; the clients (198.18.2.x) are on-link there too
        ns.ip("addr", "add", Net.V4.rs(0) + "/15", "dev", "vb");
        ns.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.vb.rp_filter=0");
    }

    @AfterEach
    void removeLab() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void sbulbsXdpTxReachesThePeerOnlyWhileThePeerHasAnXdpProgram() throws Exception {
        Net n = Net.V4;
        NetInterface va = ns.call(() -> NetInterface.byName("va"));
        NetInterface vb = ns.call(() -> NetInterface.byName("vb"));
        HexFormat mac = HexFormat.ofDelimiter(":");
        Endpoint client = n.client(0);
        byte[] frame = n.toVip(client).toBuilder().srcMac(mac.parseHex(PEER_MAC)).dstMac(mac.parseHex(LB_MAC))
                .build().toFrame().bytes();
        try (XdpLiveDataplane dp = ns.call(() -> XdpLiveDataplane.load(SbulbProgramSpec.of(Limits.DEFAULT)));
             DatagramSocket server = ns.call(() -> new DatagramSocket(
                     new InetSocketAddress(InetAddress.getByName(n.rs(0).toString()), Net.PORT)));
             PassProgram pass = PassProgram.load()) {
            dp.configure(n.config(1));
            dp.attach(va, AttachOptions.mode(ModeChoice.NATIVE));

            ns.run(() -> RawFrames.send(vb.index(), frame));
            awaitCount(dp, Reason.INGRESS_NEW_NAT, 1); // sbulb sent it back with XDP_TX
            server.setSoTimeout(ABSENCE_WAIT_MS);
            assertThatThrownBy(() -> server.receive(new DatagramPacket(new byte[1500], 1500)))
                    .as("without an XDP program on vb, veth drops what va sends with XDP_TX")
                    .isInstanceOf(SocketTimeoutException.class);

            try (XdpAttachment peer = ns.call(() -> pass.attach(vb, AttachOptions.DEFAULT))) {
                assertThat(peer.mode()).isEqualTo(XdpMode.NATIVE);
                ns.run(() -> RawFrames.send(vb.index(), frame));
                server.setSoTimeout(ARRIVAL_WAIT_MS);
                DatagramPacket got = new DatagramPacket(new byte[1500], 1500);
                server.receive(got);
                assertThat(new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(got.getAddress().getHostAddress()).isEqualTo(client.address().toString());
                assertThat(got.getPort()).isEqualTo(client.port());
            }
            assertThat(dp.counters().get(Reason.INGRESS_REUSED_NAT).packets()).isEqualTo(1);
        }
    }

    /** veth runs va's program in its NAPI poll, after the send returned: the count is awaited, bounded. */
    private static void awaitCount(XdpLiveDataplane dp, Reason reason, long packets) throws InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL_WAIT_MS * 1_000_000L;
        long seen;
        while ((seen = dp.counters().getOrDefault(reason, Counter.ZERO).packets()) < packets
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(seen).as("frames counted as %s within %d ms", reason, ARRIVAL_WAIT_MS).isEqualTo(packets);
    }
}
