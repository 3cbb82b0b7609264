package io.sbulb.control.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Placement;
import io.sbulb.api.Reason;
import io.sbulb.api.RealServer;
import io.sbulb.api.Result;
import io.sbulb.api.Service;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.control.engine.Preview.Fate;
import io.sbulb.control.engine.Preview.ServerCount;
import io.sbulb.control.engine.Preview.ServiceCount;
import io.sbulb.sim.ReferenceDataplane;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The preview against what the data path then does: the reference model is configured, given
 * clients, previewed through DataplaneControl only, then really switched, and every client sends
 * again; a client that reaches the same real server with its association reused stayed, any
 * other moved. Also, on plain association lists of a placement: the counts by hand.
 */
class PreviewTest {

    private static final Limits LIMITS = new Limits(4, 4, 1024, 8);

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    private static Service svc(String name, String vip, String... servers) {
        List<RealServer> list = new ArrayList<>();
        for (String s : servers) {
            String[] aw = s.split("\\*");
            list.add(new RealServer(ip(aw[0]), aw.length > 1 ? Integer.parseInt(aw[1]) : 1));
        }
        return Service.of(name, ip(vip), List.of(5683), list);
    }

    private static DataplaneConfig config(Service... services) {
        return DataplaneConfig.of(List.of(services));
    }

    private static Endpoint client(int i) {
        return new Endpoint(ip("198.18.3." + (1 + i % 200)), 40000 + i / 200);
    }

    private static Result send(ReferenceDataplane dp, Endpoint client, IpAddress vip) {
        return dp.process(UdpFrame.builder().source(client).destination(vip, 5683).payload("hello".getBytes()).build()
                .toFrame());
    }

    /** What the data path did with each association of {@code table} once {@code next} is in force. */
    private static Map<String, Map<IpAddress, int[]>> observed(ReferenceDataplane dp, DataplaneConfig running,
                                                                List<Association> table, DataplaneConfig next) {
        dp.configure(next);
        Map<String, Map<IpAddress, int[]>> out = new LinkedHashMap<>(); // stay, move, revive by bound server
        for (Association a : table) {
            boolean liveNow = a.realServer() != null && running.service(a.service()).orElseThrow().addresses()
                    .contains(a.realServer());
            Result r = send(dp, a.client(), running.service(a.service()).orElseThrow().vip());
            boolean same = r.reason() == Reason.INGRESS_REUSED_NAT
                    && UdpFrame.parse(r.output()).destination().address().equals(a.realServer());
            if (liveNow || same) {
                int[] c = out.computeIfAbsent(a.service(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(a.realServer(), k -> new int[3]);
                c[liveNow ? (same ? 0 : 1) : 2]++;
            }
        }
        return out;
    }

    private static Map<String, Map<IpAddress, int[]>> predicted(Preview.Result r) {
        Map<String, Map<IpAddress, int[]>> out = new LinkedHashMap<>();
        for (ServiceCount s : r.services()) {
            for (ServerCount c : s.servers()) {
                if (c.stay() + c.move() + c.revive() > 0) {
                    out.computeIfAbsent(s.service(), k -> new LinkedHashMap<>())
                            .put(c.server(), new int[] {c.stay(), c.move(), c.revive()});
                }
            }
        }
        return out;
    }

    private static Map<String, Map<IpAddress, List<Integer>>> lists(Map<String, Map<IpAddress, int[]>> m) {
        Map<String, Map<IpAddress, List<Integer>>> out = new LinkedHashMap<>();
        m.forEach((s, servers) -> servers.forEach((a, c) -> out.computeIfAbsent(s, k -> new HashMap<>())
                .put(a, List.of(c[0], c[1], c[2]))));
        return out;
    }

    @Test
    void thePreviewIsWhatTheModelThenDoesServerByServer() {
        ReferenceDataplane dp = new ReferenceDataplane(LIMITS, LruParameters.detect());
        DataplaneConfig a = config(
                svc("coap", "198.18.0.10", "198.18.1.1", "198.18.1.2", "198.18.1.3*2", "198.18.1.6"),
                svc("dtls", "198.18.0.20", "198.18.1.21", "198.18.1.22"),
                svc("v6", "fd00::10", "fd00:1::1", "fd00:1::2"));
        dp.configure(a);
        for (int i = 0; i < 40; i++) {
            send(dp, client(i), ip("198.18.0.10"));
        }
        for (int i = 0; i < 12; i++) {
            send(dp, client(i), ip("198.18.0.20"));
        }
        // an earlier change retired 198.18.1.3 and 198.18.1.6: their clients' associations wait, stale
        DataplaneConfig a2 = config(
                svc("coap", "198.18.0.10", "198.18.1.1", "198.18.1.2"),
                svc("dtls", "198.18.0.20", "198.18.1.21", "198.18.1.22"),
                svc("v6", "fd00::10", "fd00:1::1", "fd00:1::2"));
        dp.configure(a2);
        List<Association> table = dp.associations();

        // 198.18.1.2 leaves, 198.18.1.3 comes back draining, 198.18.1.1 gets weight 3; dtls goes; new comes
        DataplaneConfig b = config(
                svc("coap", "198.18.0.10", "198.18.1.1*3", "198.18.1.3*0", "198.18.1.4"),
                svc("v6", "fd00::10", "fd00:1::2"),
                svc("new", "198.18.0.30", "198.18.1.31"));
        Preview.Result r = Preview.of(RunningState.of(dp), b);

        assertThat(lists(predicted(r))).isEqualTo(lists(observed(dp, a2, table, b)));
        int coap3 = (int) table.stream().filter(x -> ip("198.18.1.3").equals(x.realServer())).count();
        int coap6 = (int) table.stream().filter(x -> ip("198.18.1.6").equals(x.realServer())).count();
        assertThat(coap3).as("clients of the retired server that comes back, in the table").isPositive();
        assertThat(coap6).as("clients of the retired server that does not").isPositive();
        assertThat(r.services()).extracting(ServiceCount::service, ServiceCount::fate).containsExactly(
                org.assertj.core.groups.Tuple.tuple("coap", Fate.KEPT), org.assertj.core.groups.Tuple.tuple("dtls", Fate.REMOVED),
                org.assertj.core.groups.Tuple.tuple("v6", Fate.KEPT), org.assertj.core.groups.Tuple.tuple("new", Fate.ADDED));
        assertThat(r.stale()).isEqualTo(coap3 + coap6);
        assertThat(r.revive()).isEqualTo(coap3);
        assertThat(r.stay() + r.move() + r.stale()).isEqualTo(table.size());
        assertThat(r.services().get(1).move()).as("dtls's clients").isEqualTo(12);
    }

    @Test
    void thePreviewChangesNothingAndAnInvalidConfigurationIsRefused() {
        ReferenceDataplane dp = new ReferenceDataplane(LIMITS, LruParameters.detect());
        DataplaneConfig a = config(svc("coap", "198.18.0.10", "198.18.1.1", "198.18.1.2"));
        dp.configure(a);
        for (int i = 0; i < 10; i++) {
            send(dp, client(i), ip("198.18.0.10"));
        }
        List<Association> before = dp.associations();
        Preview.of(RunningState.of(dp), config(svc("coap", "198.18.0.10", "198.18.1.2")));
        assertThat(dp.associations()).isEqualTo(before);
        assertThat(dp.configuration()).isEqualTo(a);
        assertThatThrownBy(() -> Preview.of(RunningState.of(dp), config(svc("coap", "198.18.0.10", "198.18.1.1",
                "198.18.1.2", "198.18.1.3", "198.18.1.4", "198.18.1.5")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("5 real servers configured, at most 4");
    }

    /** Associations as a data path makes them: each client bound to the slot of a server of its service. */
    private static List<Association> bound(Placement p, String service, Object... clientsAndServers) {
        List<Association> out = new ArrayList<>();
        int id = p.services().stream().filter(s -> s.service().name().equals(service)).findFirst().orElseThrow().id();
        for (int i = 0; i < clientsAndServers.length; i += 2) {
            IpAddress server = ip((String) clientsAndServers[i + 1]);
            Placement.Slot slot = p.slots().stream().filter(s -> s.serviceId() == id && s.address().equals(server))
                    .findFirst().orElseThrow();
            out.add(new Association(service, client((Integer) clientsAndServers[i]), server, slot.id(), slot.epoch()));
        }
        return out;
    }

    @Test
    void onAPlacementsAssociationsAServerThatStaysKeepsItsClientsWhereverItMovesAndWhateverItsWeight() {
        DataplaneConfig a = config(svc("coap", "198.18.0.10", "198.18.1.1", "198.18.1.2", "198.18.1.3"));
        Placement p = Placement.empty(LIMITS).next(a);
        List<Association> table = bound(p, "coap", 0, "198.18.1.1", 1, "198.18.1.2", 2, "198.18.1.3", 3, "198.18.1.1",
                4, "198.18.1.3");
        Preview.Result r = Preview.of(p, table, config(svc("coap", "198.18.0.10", "198.18.1.3*5", "198.18.1.1*0")));
        assertThat(r.services()).singleElement().satisfies(s -> {
            assertThat(s.fate()).isEqualTo(Fate.KEPT);
            assertThat(s.servers()).containsExactly(new ServerCount(ip("198.18.1.1"), 2, 0, 0),
                    new ServerCount(ip("198.18.1.2"), 0, 1, 0), new ServerCount(ip("198.18.1.3"), 2, 0, 0));
        });
        assertThat(List.of(r.stay(), r.move(), r.stale(), r.revive())).containsExactly(4, 1, 0, 0);

        // the same table, the placement rebuilt from it: the same answer
        assertThat(Preview.of(RunningState.of(LIMITS, a, table), config(svc("coap", "198.18.0.10", "198.18.1.3*5",
                "198.18.1.1*0")))).isEqualTo(r);
    }

    @Test
    void aRenamedServiceIsRemovedAndAddedItsClientsMoveAndAStaleEntryIsCountedApart() {
        DataplaneConfig a = config(svc("coap", "198.18.0.10", "198.18.1.1"));
        Placement p = Placement.empty(LIMITS).next(a);
        List<Association> table = new ArrayList<>(bound(p, "coap", 0, "198.18.1.1", 1, "198.18.1.1"));
        table.add(new Association("coap", client(2), null, 7, 99)); // a slot freed long ago
        Preview.Result r = Preview.of(p, table, config(svc("coap2", "198.18.0.10", "198.18.1.1")));
        assertThat(r.services()).extracting(ServiceCount::service, ServiceCount::fate, ServiceCount::stay,
                ServiceCount::move, ServiceCount::stale).containsExactly(
                org.assertj.core.groups.Tuple.tuple("coap", Fate.REMOVED, 0, 2, 1),
                org.assertj.core.groups.Tuple.tuple("coap2", Fate.ADDED, 0, 0, 0));
        assertThat(Preview.lines(r, config(svc("coap2", "198.18.0.10", "198.18.1.1")))).containsExactly(
                "service coap (removed): 0 associations stay, 2 move; 1 stale (their next datagram rebinds them "
                        + "whatever the change)",
                "  198.18.1.1: 0 stay, 2 move (service removed)",
                "service coap2 (added): no associations yet",
                "total: 0 associations stay, 2 move; 1 stale (their next datagram rebinds them whatever the change)");
    }

    /** The README's sbulb preview example is what Preview says of the table it describes. */
    @Test
    void theReadmesExampleIsWhatThePreviewSays() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        int at = readme.indexOf("```yaml\n# /etc/sbulb/services.yaml");
        DataplaneConfig next = io.sbulb.control.config.ServicesFile.parse(
                readme.substring(at + 8, readme.indexOf("```", at + 8)), "README.md").config();
        String intro = "$ sbulb preview /etc/sbulb/services.yaml eth0\n";
        int out = readme.indexOf(intro);
        assertThat(out).as("the README's preview example").isNotNegative();
        List<String> shown = readme.substring(out + intro.length(), readme.indexOf("```", out)).lines().skip(1).toList();

        DataplaneConfig running = config(svc("coap-v4", "198.18.0.10", "198.18.2.11", "198.18.2.12", "198.18.2.14"),
                svc("coap-v6", "fd00::10", "fd00:2::11", "fd00:2::12"));
        Placement p = Placement.empty(Limits.DEFAULT).next(running);
        List<Association> table = new ArrayList<>();
        int[] counts = {1705, 1705, 1702};
        String[] servers = {"198.18.2.11", "198.18.2.12", "198.18.2.14"};
        int c = 0;
        for (int s = 0; s < 3; s++) {
            for (int k = 0; k < counts[s]; k++) {
                table.addAll(bound(p, "coap-v4", c++, servers[s]));
            }
        }
        for (int k = 0; k < 118; k++) {
            table.addAll(bound(p, "coap-v6", k, k % 2 == 0 ? "fd00:2::11" : "fd00:2::12"));
        }
        assertThat(Preview.lines(Preview.of(p, table, next), next)).isEqualTo(shown);
    }
}
