package io.sbulb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.api.testing.Privileges;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sbulb.lab.Bpftool;
import io.sbulb.lab.Commands;
import io.sbulb.lab.Lab;
import io.sbulb.lab.LabClient;
import io.sbulb.sim.ReferenceDataplane;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab's minimal-NAT balancer: its table holds what sbulb's round robin would make of the
 * generator's clients, and, attached in native mode to the lab's balancer veth, it sends every
 * datagram of a known client to that client's real server, where the sink counts it. The
 * datagrams here come from real sockets in the client's namespace (the live-frames generator is
 * not needed); {@link LoadRigTest} runs it under the generator's load as well.
 */
@Timeout(60)
class MinimalNatBalancerTest {

    private static final List<IpAddress> SERVERS = List.of(IpAddress.parse("198.18.2.11"),
            IpAddress.parse("198.18.2.12"), IpAddress.parse("198.18.2.13"));

    @Test
    void theTableIsWhatSbulbsRoundRobinMakesOfClientsArrivingInTurn() {
        int base = 20000;
        int clients = 30;
        Map<Endpoint, IpAddress> model = new TreeMap<>();
        try (ReferenceDataplane sbulb = new ReferenceDataplane(new Limits(1, 3, 1024))) { // the independent oracle
            sbulb.configure(DataplaneConfig.of(Lab.VIP, List.of(Balancer.PORT), SERVERS));
            for (int i = 0; i < clients; i++) {
                sbulb.process(UdpFrame.builder().srcMac(new byte[] {2, 0, 0, 0, 0, 1}).dstMac(new byte[] {2, 0, 0, 0, 0, 2})
                        .source(Lab.CLIENT, base + i).destination(Lab.VIP, Balancer.PORT).ttl(64)
                        .payload(new byte[16]).build().toFrame());
            }
            sbulb.associations().forEach(a -> model.put(a.client(), a.realServer()));
        }
        List<MinimalNatBalancer.Association> table = MinimalNatBalancer.roundRobin(Lab.CLIENT, base, clients, SERVERS);

        Map<Endpoint, IpAddress> prefilled = new TreeMap<>();
        table.forEach(a -> prefilled.put(new Endpoint(a.client(), a.port()), a.server()));
        assertThat(prefilled).isEqualTo(model).hasSize(clients);
        assertThat(table.get(4).server()).as("client 4 -> server 4 mod 3").isEqualTo(SERVERS.get(1));
    }

    @Test
    void theKeyIsTheIpv4AddressAndPortInNetworkOrderThenTwoZeroBytes() {
        MinimalNatBalancer.Association a = new MinimalNatBalancer.Association(Lab.CLIENT, 20001, SERVERS.get(0));
        assertThat(HexFormat.of().formatHex(a.key())).isEqualTo("c6120102" + "4e21" + "0000");
    }

    @Test
    void ipv6AndPortsPastTheEndAreRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MinimalNatBalancer.roundRobin(IpAddress.parse("fd00::2"), 20000, 1, SERVERS));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MinimalNatBalancer.roundRobin(Lab.CLIENT, 65500, 100, SERVERS));
    }

    @Test
    void attachedNativelyItSendsEveryDatagramToItsClientsRealServer() throws Exception {
        Privileges.requireNetAdmin();
        int base = 21000;
        int clients = 9; // client i sends i + 1 datagrams: each server's count tells which clients it got
        int frames = clients * (clients + 1) / 2;
        try (Sink sink = Sink.load(); Lab lab = Lab.create(Lab.uniquePrefix(), 3, sink.programFd())) {
            sink.configure(Balancer.PORT, true);
            sink.reset();
            try (MinimalNatBalancer b = new MinimalNatBalancer(lab, base, clients)) {
                b.start();
                Lab.AttachedXdp xdp = Lab.xdpOn(lab.lbNetns(), Lab.LB_INTERFACE).orElseThrow();
                assertThat(xdp.name()).isEqualTo(MinimalNatBalancer.PROGRAM);
                assertThat(xdp.mode()).as("native, as sbulb").isEqualTo("driver");
                Bpftool.MapInfo table = Bpftool.maps(xdp.id()).stream()
                        .filter(m -> m.name().equals(MinimalNatBalancer.MAP)).findFirst().orElseThrow();
                assertThat(table.maxEntries()).as("sbulb's table size").isEqualTo(Limits.DEFAULT_MAX_ASSOCIATIONS);
                JsonNode dump = new ObjectMapper().readTree(
                        Commands.run("bpftool", "-j", "map", "dump", "id", Integer.toString(table.id())));
                assertThat(dump.size()).as("the table's entries, as bpftool sees them").isEqualTo(clients);

                InetSocketAddress vip = new InetSocketAddress(InetAddress.getByAddress(Lab.VIP.bytes()), Balancer.PORT);
                for (int i = 0; i < clients; i++) {
                    try (LabClient c = LabClient.open(lab.clientNetns(), base + i)) {
                        for (int k = 0; k <= i; k++) {
                            c.send(vip, "minimal-" + i + "-" + k);
                        }
                    }
                }
                Map<Integer, Long> perServer = new TreeMap<>();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (true) {
                    perServer.clear();
                    sink.counts().forEach((octet, c) -> perServer.put(octet, c.frames()));
                    if (perServer.values().stream().mapToLong(Long::longValue).sum() >= frames
                            || System.nanoTime() > deadline) {
                        break;
                    }
                    Pause.ms(20); // bounded by the deadline: the datagrams cross three namespaces
                }
                // clients 0, 3, 6 to the first server: 1 + 4 + 7 datagrams; 1, 4, 7 to the second...
                assertThat(perServer).isEqualTo(Map.of(11, 12L, 12, 15L, 13, 18L));
            }
            assertThat(Lab.xdpOn(lab.lbNetns(), Lab.LB_INTERFACE)).as("nothing left attached").isEmpty();
        }
    }
}
