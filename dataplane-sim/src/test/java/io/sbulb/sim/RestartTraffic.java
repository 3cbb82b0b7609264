package io.sbulb.sim;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Net;
import io.sbulb.api.frame.UdpFrame;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random runs for the restart properties: clients to the VIP, replies and server-initiated frames
 * from real servers (configured, removed or never), strangers, configuration changes that retire
 * servers, and restarts, on association tables small enough to overflow.
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
    record Run(Net net, Limits limits, LruParameters lru, DataplaneConfig initial, List<Action> actions) {
        @Override
        public String toString() {
            return net + " " + limits + " " + lru + " " + initial + ", " + actions.size() + " actions, "
                    + actions.stream().filter(a -> a instanceof Restart).count() + " restarts";
        }
    }

    /** Servers 0..5 of the net; at most 4 configured at once, so retired servers are forgotten too. */
    static final int SERVERS = 6;
    static final int CLIENTS = 12;

    private RestartTraffic() {
    }

    static Arbitrary<Run> runs() {
        Arbitrary<LruParameters> lru = Combinators.combine(Arbitraries.of(1, 2, 4), Arbitraries.of(BatchRule.class))
                .as(LruParameters::new);
        return Arbitraries.of(Net.class).flatMap(n -> Combinators.combine(Arbitraries.of(4, 7, 8, 13, 16, 64), lru,
                config(n), action(n).list().ofMinSize(40).ofMaxSize(300))
                .as((assoc, l, initial, actions) -> new Run(n, new Limits(4, 4, assoc), l, initial, actions)));
    }

    static Arbitrary<DataplaneConfig> config(Net n) {
        Arbitrary<List<Integer>> servers = Arbitraries.integers().between(0, SERVERS - 1).list().uniqueElements()
                .ofMinSize(0).ofMaxSize(4);
        Arbitrary<Set<Integer>> ports = Arbitraries.frequency(Tuple.of(9, Set.of(Net.PORT)),
                Tuple.of(1, Set.of(Net.PORT, Net.OTHER_PORT)));
        return Combinators.combine(servers, ports).as((rs, p) -> DataplaneConfig.of(n.vip, p,
                rs.stream().map(n::rs).toList()));
    }

    static Arbitrary<Action> action(Net n) {
        Arbitrary<Endpoint> client = Combinators.combine(Arbitraries.integers().between(0, CLIENTS - 1),
                Arbitraries.of(40000, 40001, 40002)).as(n::client);
        Arbitrary<IpAddress> server = Arbitraries.integers().between(0, SERVERS - 1).map(n::rs);
        Arbitrary<Integer> port = Arbitraries.frequency(Tuple.of(9, Net.PORT), Tuple.of(1, Net.OTHER_PORT));
        Arbitrary<Action> toVip = Combinators.combine(client, port).as((c, p) ->
                new Send(UdpFrame.builder().source(c).destination(n.vip, p).payload("hi".getBytes()).build().toFrame()));
        Arbitrary<Action> fromServer = Combinators.combine(server, client).as((s, c) ->
                new Send(n.fromServer(s, c).toFrame()));
        Arbitrary<Action> stranger = client.map(c ->
                new Send(UdpFrame.builder().source(n.stranger(), Net.PORT).destination(c).build().toFrame()));
        return Arbitraries.frequencyOf(Tuple.of(55, toVip), Tuple.of(25, fromServer), Tuple.of(4, stranger),
                Tuple.of(6, config(n).map(Configure::new)), Tuple.of(6, Arbitraries.just(new Restart())));
    }
}
