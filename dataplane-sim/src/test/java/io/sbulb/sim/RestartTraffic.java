package io.sbulb.sim;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Net;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random runs for the restart properties: up to three services (an IPv4 one and an IPv6 one on
 * port 5683, a second IPv4 one on the IPv4 VIP's port 5684 sharing its servers), weighted, drained
 * (weight 0), added and removed; clients to the VIPs, replies and server-initiated frames from real
 * servers (live, retired or never configured) on both ports, strangers, and restarts, on
 * association tables small enough to overflow.
 */
final class RestartTraffic {

    /** One thing a run does. */
    sealed interface Action permits Send, Configure, Restart {
    }

    record Send(Frame frame) implements Action {
    }

    record Configure(DataplaneConfig config) implements Action {
    }

    record Restart() implements Action {
    }

    /** A run: the model's limits and LRU parameters, its first configuration, the actions. */
    record Run(Limits limits, LruParameters lru, DataplaneConfig initial, List<Action> actions) {
        @Override
        public String toString() {
            return limits + " " + lru + " " + initial + ", " + actions.size() + " actions, "
                    + actions.stream().filter(a -> a instanceof Restart).count() + " restarts";
        }
    }

    /** Servers 0..5 of each net; at most 4 in a service, so retired servers are forgotten too. */
    static final int SERVERS = 6;
    static final int CLIENTS = 12;

    /** A service the runs may configure: name, net, port. */
    private record Shape(String name, Net net, int port) {
    }

    private static final List<Shape> SHAPES = List.of(new Shape("a", Net.V4, Net.PORT), new Shape("b", Net.V6, Net.PORT),
            new Shape("c", Net.V4, Net.OTHER_PORT));

    private RestartTraffic() {
    }

    static Arbitrary<Run> runs() {
        Arbitrary<LruParameters> lru = Combinators.combine(Arbitraries.of(1, 2, 4), Arbitraries.of(BatchRule.class))
                .as(LruParameters::new);
        return Combinators.combine(Arbitraries.of(4, 7, 8, 13, 16, 64), lru, config(),
                action().list().ofMinSize(40).ofMaxSize(300))
                .as((assoc, l, initial, actions) -> new Run(new Limits(4, 4, assoc, 3), l, initial, actions));
    }

    private static Arbitrary<Service> service(Shape s) {
        Arbitrary<Integer> weight = Arbitraries.frequency(Tuple.of(6, 1), Tuple.of(2, 0), Tuple.of(2, 2), Tuple.of(1, 3));
        Arbitrary<List<Integer>> servers = Arbitraries.integers().between(0, SERVERS - 1).list().uniqueElements()
                .ofMinSize(0).ofMaxSize(4);
        return Combinators.combine(servers, weight.list().ofSize(4)).as((rs, w) -> {
            List<RealServer> list = new ArrayList<>();
            for (int i = 0; i < rs.size(); i++) {
                list.add(new RealServer(s.net().rs(rs.get(i)), w.get(i)));
            }
            return Service.of(s.name(), s.net().vip, Set.of(s.port()), list);
        });
    }

    /** Each service present with probability 3/4, in a random order. */
    static Arbitrary<DataplaneConfig> config() {
        List<Arbitrary<List<Service>>> parts = new ArrayList<>();
        for (Shape s : SHAPES) {
            parts.add(Arbitraries.frequencyOf(Tuple.of(3, service(s).map(List::of)), Tuple.of(1, Arbitraries.just(List.of()))));
        }
        return Combinators.combine(parts.get(0), parts.get(1), parts.get(2), Arbitraries.randoms()).as((a, b, c, rnd) -> {
            List<Service> all = new ArrayList<>(a);
            all.addAll(b);
            all.addAll(c);
            java.util.Collections.shuffle(all, rnd);
            return DataplaneConfig.of(all);
        });
    }

    static Arbitrary<Action> action() {
        Arbitrary<Net> net = Arbitraries.of(Net.class);
        Arbitrary<Integer> port = Arbitraries.frequency(Tuple.of(7, Net.PORT), Tuple.of(3, Net.OTHER_PORT));
        Arbitrary<Integer> clientIndex = Arbitraries.integers().between(0, CLIENTS - 1);
        Arbitrary<Integer> clientPort = Arbitraries.of(40000, 40001, 40002);
        Arbitrary<Action> toVip = Combinators.combine(net, clientIndex, clientPort, port).as((n, c, cp, p) ->
                new Send(UdpFrame.builder().source(n.client(c, cp)).destination(n.vip, p).payload("hi".getBytes()).build()
                        .toFrame()));
        Arbitrary<Action> fromServer = Combinators.combine(net, Arbitraries.integers().between(0, SERVERS - 1), clientIndex,
                clientPort, port).as((n, s, c, cp, p) -> new Send(server(n.rs(s), p, n.client(c, cp))));
        Arbitrary<Action> stranger = Combinators.combine(net, clientIndex, clientPort).as((n, c, cp) ->
                new Send(server(n.stranger(), Net.PORT, n.client(c, cp))));
        return Arbitraries.frequencyOf(Tuple.of(55, toVip), Tuple.of(25, fromServer), Tuple.of(4, stranger),
                Tuple.of(6, config().map(Configure::new)), Tuple.of(6, Arbitraries.just(new Restart())));
    }

    private static Frame server(IpAddress from, int port, Endpoint to) {
        return UdpFrame.builder().source(from, port).destination(to).payload("reply".getBytes()).build().toFrame();
    }
}
