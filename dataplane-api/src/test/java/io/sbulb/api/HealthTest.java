package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Health.AllDown;
import io.sbulb.api.Health.OnDown;
import io.sbulb.api.Health.Policy;
import io.sbulb.api.Health.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HealthTest {

    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");
    private static final IpAddress VIP6 = IpAddress.parse("fd00::1");
    private static final IpAddress A = IpAddress.parse("198.18.1.1");
    private static final IpAddress B = IpAddress.parse("198.18.1.2");
    private static final IpAddress C = IpAddress.parse("198.18.1.3");
    private static final IpAddress A6 = IpAddress.parse("fd00::1:1");

    /** Service "s": A*3, B, C; service "t" (IPv6): A6. */
    private static final DataplaneConfig FILE = DataplaneConfig.of(List.of(
            Service.of("s", VIP, Set.of(5683), List.of(new RealServer(A, 3), RealServer.of(B), RealServer.of(C))),
            Service.of("t", VIP6, Set.of(5683), List.of(RealServer.of(A6)))));

    private static ServerRef s(IpAddress a) {
        return new ServerRef("s", a);
    }

    private static List<RealServer> servers(DataplaneConfig c, String service) {
        return c.service(service).orElseThrow().realServers();
    }

    @Test
    void everyServerUpGivesTheFilesConfiguration() {
        assertThat(Health.allUp().effective(FILE)).isSameAs(FILE);
        Health back = Health.allUp().with(s(B), State.DOWN).with(s(B), State.UP);
        assertThat(back).isEqualTo(Health.allUp());
        assertThat(back.effective(FILE)).isEqualTo(FILE);
    }

    @Test
    void aDownServerLeavesItsServiceAndComesBackInItsPlace() {
        Health h = Health.allUp().with(s(A), State.DOWN);
        assertThat(servers(h.effective(FILE), "s")).containsExactly(RealServer.of(B), RealServer.of(C));
        assertThat(servers(h.effective(FILE), "t")).containsExactly(RealServer.of(A6));
        Health up = h.with(s(A), State.UP);
        assertThat(servers(up.effective(FILE), "s")).containsExactly(new RealServer(A, 3), RealServer.of(B),
                RealServer.of(C));
    }

    @Test
    void keepGivesADownServerWeightZeroInItsPlace() {
        Health h = Health.allUp().with("s", new Policy(OnDown.KEEP, AllDown.DROP)).with(s(A), State.DOWN);
        assertThat(servers(h.effective(FILE), "s")).containsExactly(new RealServer(A, 0), RealServer.of(B),
                RealServer.of(C));
    }

    @Test
    void everyServerDownDropsOrIgnoresHealthAsThePolicySays() {
        Health down = Health.allUp().with(s(A), State.DOWN).with(s(B), State.DOWN).with(s(C), State.DOWN);
        assertThat(servers(down.effective(FILE), "s")).isEmpty();
        assertThat(servers(down.with("s", new Policy(OnDown.KEEP, AllDown.DROP)).effective(FILE), "s")).isEmpty();
        assertThat(down.with("s", new Policy(OnDown.MOVE, AllDown.KEEP)).effective(FILE)).isEqualTo(FILE);
        assertThat(down.with("s", new Policy(OnDown.KEEP, AllDown.KEEP)).effective(FILE)).isEqualTo(FILE);
        // the other service is untouched; its only server down empties it
        assertThat(servers(down.effective(FILE), "t")).containsExactly(RealServer.of(A6));
        Health t = Health.allUp().with(new ServerRef("t", A6), State.DOWN);
        assertThat(servers(t.effective(FILE), "t")).isEmpty();
        assertThat(servers(t.effective(FILE), "s")).isEqualTo(servers(FILE, "s"));
    }

    @Test
    void statesOfUnknownServersAndServicesAreIgnored() {
        Health h = Health.allUp().with(new ServerRef("t", A), State.DOWN)
                .with(new ServerRef("nope", A), State.DOWN).with("nope", new Policy(OnDown.KEEP, AllDown.KEEP));
        assertThat(h.effective(FILE)).isEqualTo(FILE);
        assertThat(h.state(new ServerRef("nope", A))).isEqualTo(State.DOWN);
        assertThat(h.policy("nope")).isEqualTo(new Policy(OnDown.KEEP, AllDown.KEEP));
        assertThat(h.policy("s")).isEqualTo(Policy.DEFAULT);
    }

    @Test
    void aServerDrainedByTheFileStaysDrainedWhenUpAndLeavesWhenDown() {
        DataplaneConfig file = DataplaneConfig.of(List.of(Service.of("s", VIP, Set.of(1),
                List.of(new RealServer(A, 0), RealServer.of(B)))));
        assertThat(Health.allUp().effective(file)).isSameAs(file);
        assertThat(servers(Health.allUp().with(s(A), State.DOWN).effective(file), "s"))
                .containsExactly(RealServer.of(B));
    }

    @Test
    void ofDropsWhatIsTheDefault() {
        Health h = Health.of(Map.of(s(A), State.UP, s(B), State.DOWN),
                Map.of("s", Policy.DEFAULT, "t", new Policy(OnDown.KEEP, AllDown.DROP)));
        assertThat(h.states()).containsOnlyKeys(s(B));
        assertThat(h.policies()).containsOnlyKeys("t");
        assertThat(h).isEqualTo(Health.allUp().with(s(B), State.DOWN).with("t", new Policy(OnDown.KEEP, AllDown.DROP)));
    }

    // ---- properties over random configurations and health

    /** A configuration of one to three services of up to six weighted servers, and a random health over it. */
    record Case(DataplaneConfig file, Health health) { }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<List<List<Integer>>> weights = Arbitraries.integers().between(0, 8).list().ofMinSize(0).ofMaxSize(6)
                .list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<List<Integer>> down = Arbitraries.integers().between(0, 3).list().ofSize(18);
        Arbitrary<List<Policy>> policies = Combinators.combine(Arbitraries.of(OnDown.class), Arbitraries.of(AllDown.class))
                .as(Policy::new).list().ofSize(3);
        return Combinators.combine(weights, down, policies).as((w, d, p) -> {
            List<Service> services = new ArrayList<>();
            Map<ServerRef, State> states = new HashMap<>();
            Map<String, Policy> pol = new HashMap<>();
            for (int i = 0; i < w.size(); i++) {
                List<RealServer> list = new ArrayList<>();
                for (int j = 0; j < w.get(i).size(); j++) {
                    IpAddress a = IpAddress.parse("198.18." + (10 + i) + "." + (j + 1));
                    list.add(new RealServer(a, w.get(i).get(j)));
                    // one chance in four of DOWN, or all of a service DOWN when its draw is 0 at j = 0
                    boolean isDown = d.get(i * 6 + j) == 0 || d.get(i * 6) == 0 && d.get(i * 6 + 5) == 0;
                    states.put(new ServerRef("s" + i, a), isDown ? State.DOWN : State.UP);
                }
                services.add(Service.of("s" + i, IpAddress.parse("198.18.0." + (i + 1)), Set.of(1000 + i), list));
                pol.put("s" + i, p.get(i));
            }
            return new Case(DataplaneConfig.of(services), Health.of(states, pol));
        });
    }

    /** The tightest limits {@code c} validates under. */
    private static Limits tightest(DataplaneConfig c) {
        int servers = 1;
        int period = 0;
        for (Service s : c.services()) {
            servers = Math.max(servers, s.realServers().size());
            period = Math.max(period, s.schedulePeriod());
        }
        return new Limits(1, Math.max(servers, (period + 63) / 64), 1, c.services().size());
    }

    @Property(tries = 500)
    void anEffectiveConfigurationValidatesUnderTheFilesLimits(@ForAll("cases") Case c) {
        Limits limits = tightest(c.file());
        c.file().validate(limits);
        c.health().effective(c.file()).validate(limits);
    }

    @Property(tries = 500)
    void everyServerUpIsTheFilesConfiguration(@ForAll("cases") Case c) {
        Health up = c.health();
        for (ServerRef r : c.health().states().keySet()) {
            up = up.with(r, State.UP);
        }
        assertThat(up.effective(c.file())).isEqualTo(c.file());
    }

    /**
     * Per service: the effective list is the file's list in order, minus DOWN servers under
     * MOVE; a server kept has its file weight when UP and 0 when DOWN (KEEP); an UP server is
     * never removed nor changed; KEEP never removes a server; all DOWN is empty (DROP) or the
     * file's list (KEEP).
     */
    @Property(tries = 1000)
    void theEffectiveListFollowsTheRules(@ForAll("cases") Case c) {
        DataplaneConfig eff = c.health().effective(c.file());
        assertThat(eff.services()).hasSameSizeAs(c.file().services());
        for (int i = 0; i < c.file().services().size(); i++) {
            Service f = c.file().services().get(i);
            Service e = eff.services().get(i);
            assertThat(e.name()).isEqualTo(f.name());
            assertThat(e.vip()).isEqualTo(f.vip());
            assertThat(e.ports()).isEqualTo(f.ports());
            Policy p = c.health().policy(f.name());
            long down = f.realServers().stream()
                    .filter(rs -> c.health().state(new ServerRef(f.name(), rs.address())) == State.DOWN).count();
            if (!f.realServers().isEmpty() && down == f.realServers().size()) {
                assertThat(e.realServers()).isEqualTo(p.allDown() == AllDown.KEEP ? f.realServers() : List.of());
                continue;
            }
            List<RealServer> expected = new ArrayList<>();
            for (RealServer rs : f.realServers()) {
                State st = c.health().state(new ServerRef(f.name(), rs.address()));
                if (st == State.UP) {
                    expected.add(rs);
                } else if (p.onDown() == OnDown.KEEP) {
                    expected.add(new RealServer(rs.address(), 0));
                }
            }
            assertThat(e.realServers()).isEqualTo(expected);
            if (p.onDown() == OnDown.KEEP) {
                assertThat(e.addresses()).isEqualTo(f.addresses());
            }
        }
    }
}
