package io.sbulb.scenario;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.Health;
import io.sbulb.api.IpAddress;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a scenario against one {@link Dataplane} and reports the first unmet expectation with the
 * scenario, the step, the frame, and expected versus actual. Expectations that depend on the
 * kernel's LRU eviction are checked only when the scenario's {@code assumes} matches the
 * dataplane's LRU parameters; otherwise they are listed as not applicable, never counted as met.
 *
 * <p>The dataplane should be fresh (created for this scenario): counters and the LRU's hidden
 * state start at creation. It is the caller's to close. A {@code restart} step replaces it by the
 * instance its {@link Dataplane#restart()} returns (which closes it) and goes on with that one;
 * the runner closes the last instance it got that way before it returns. On a dataplane that
 * cannot restart, the step fails with that reason.
 */
public final class ScenarioRunner {

    private final Scenario scenario;
    private final Dataplane given;
    private Dataplane dp;
    private final boolean lruApplicable;
    private final String lruMismatch;
    private final List<String> notApplicable = new ArrayList<>();
    /** The file's configuration: the scenario's, changed by its configure steps. */
    private DataplaneConfig file;
    /** The servers' health, changed by health steps. */
    private Health health = Health.allUp();
    /** The configuration in force: {@code health.effective(file)}. */
    private DataplaneConfig config;
    private int stepsRun;
    private int framesSent;
    private int checks;

    private ScenarioRunner(Scenario scenario, Dataplane dp, LruParameters lru) {
        this.scenario = scenario;
        this.given = dp;
        this.dp = dp;
        this.lruApplicable = scenario.assumes() == null || scenario.assumes().matches(lru);
        this.lruMismatch = scenario.assumes() == null ? null
                : "assumes " + scenario.assumes() + " but the dataplane has " + lru;
    }

    /** Runs {@code s} on {@code dp}, whose LRU parameters are this machine's ({@link LruParameters#detect()}). */
    public static ScenarioReport run(Scenario s, Dataplane dp) {
        return run(s, dp, LruParameters.detect());
    }

    /** Runs {@code s} on {@code dp}, whose association table evicts as {@code lru} says. */
    public static ScenarioReport run(Scenario s, Dataplane dp, LruParameters lru) {
        ScenarioRunner runner = new ScenarioRunner(s, dp, lru);
        try {
            return runner.run();
        } finally {
            if (runner.dp != runner.given) {
                runner.dp.close(); // made by a restart step
            }
        }
    }

    private ScenarioReport run() {
        file = scenario.initialConfig();
        config = file;
        try {
            dp.configure(config);
        } catch (ConfigException e) {
            return fail(0, "initial configuration", "the dataplane refused it: " + e.getMessage(), e);
        }
        List<Step> steps = scenario.steps();
        for (int i = 0; i < steps.size(); i++) {
            stepsRun = i + 1;
            Step step = steps.get(i);
            String problem;
            String what = step.kind();
            try {
                if (step instanceof FrameStep f) {
                    ScenarioReport r = frames(i + 1, f);
                    if (r != null) {
                        return r;
                    }
                    continue;
                }
                if (step.dependsOnLru() && !lruApplicable) {
                    notApplicable.add("step " + (i + 1) + " (" + what + "): " + lruMismatch);
                    continue;
                }
                problem = check(step);
            } catch (RuntimeException e) {
                return fail(i + 1, what, "the dataplane threw " + e, e);
            }
            if (problem != null) {
                return fail(i + 1, what, problem, null);
            }
        }
        return new ScenarioReport(scenario.name(), dp.name(), stepsRun, framesSent, checks, notApplicable, -1, null, null);
    }

    private ScenarioReport frames(int number, FrameStep f) {
        boolean checked = f.expect() != null && (!f.dependsOnLru() || lruApplicable);
        if (f.expect() != null && !checked) {
            notApplicable.add("step " + number + " (" + f.kind() + "): " + lruMismatch);
        }
        for (int rep = 0; rep < f.repeat(); rep++) {
            Frame input = f.frameAt(rep);
            Result r = dp.process(input);
            framesSent++;
            if (!checked) {
                continue;
            }
            String problem = FrameCheck.check(input, f.fieldsAt(rep), r, f.expect());
            if (problem == null && f.expect().associatedTo() != null) {
                Endpoint peer = peer(f, rep);
                problem = bound(Map.of(new AssociationsStep.Clients(null, EndpointRange.of(peer)), f.expect().associatedTo()), false);
            }
            if (problem != null) {
                return fail(number, f.describe(rep), problem, null);
            }
            checks++;
        }
        return null;
    }

    /** The frame's foreign peer: the source of a frame to the VIP, else the destination. */
    private Endpoint peer(FrameStep f, int rep) {
        FrameSpec s = f.fieldsAt(rep);
        boolean toVip = config.virtualServer().map(v -> v.equals(s.dst().address())).orElse(false);
        return toVip ? s.src() : s.dst();
    }

    private String check(Step step) {
        if (step instanceof RestartStep) {
            return restart();
        }
        if (step instanceof ConfigureStep || step instanceof HealthStep) {
            return change(step);
        }
        String problem;
        if (step instanceof AssociationsStep a) {
            problem = associations(a);
        } else if (step instanceof CountersStep c) {
            problem = counters(c);
        } else {
            throw new IllegalStateException("unknown step " + step);
        }
        if (problem == null) {
            checks++;
        }
        return problem;
    }

    /**
     * A configure step changes the file's configuration, a health step the health; either way the
     * dataplane is given the effective configuration of both.
     */
    private String change(Step step) {
        DataplaneConfig nextFile = file;
        Health nextHealth = health;
        DataplaneConfig effective;
        try {
            if (step instanceof ConfigureStep c) {
                nextFile = c.applyTo(file);
            } else {
                nextHealth = ((HealthStep) step).applyTo(file, health);
            }
            effective = nextHealth.effective(nextFile);
            dp.configure(effective);
        } catch (ConfigException | IllegalArgumentException e) {
            return "the " + (step instanceof ConfigureStep ? "configuration" : "health") + " change was refused: "
                    + e.getMessage();
        }
        file = nextFile;
        health = nextHealth;
        config = effective;
        return null;
    }

    /** Replaces the dataplane by its restarted self, which must have kept the configuration in force. */
    private String restart() {
        Dataplane next;
        try {
            next = dp.restart();
        } catch (UnsupportedOperationException e) {
            return "the scenario restarts the dataplane, which " + dp.name() + " cannot do: " + e.getMessage();
        }
        dp = next;
        if (!config.equals(dp.configuration())) {
            return "the restart lost the configuration in force: " + config + " before, " + dp.configuration() + " after";
        }
        return null;
    }

    private String associations(AssociationsStep a) {
        List<Association> table = dp.associations();
        switch (a.check()) {
            case COUNT:
                return table.size() == a.count() ? null
                        : "expected " + a.count() + " associations, got " + table.size() + ": " + table;
            case NOT_ASSOCIATED:
                List<Association> present = new ArrayList<>();
                for (EndpointRange r : a.unbound()) {
                    for (Association x : table) {
                        if (x.client().address().equals(r.address()) && x.client().port() >= r.fromPort()
                                && x.client().port() <= r.toPort()) {
                            present.add(x);
                        }
                    }
                }
                return present.isEmpty() ? null : "expected not associated, but the table has " + present;
            default:
                return bound(a.bound(), a.check() == AssociationsStep.Kind.EXACT);
        }
    }

    /**
     * Null if every client of {@code expected} is bound to its server (a key of no service: in
     * some service) and, if exact, every entry of the table is one of them.
     */
    private String bound(Map<AssociationsStep.Clients, IpAddress> expected, boolean exact) {
        List<Association> table = dp.associations();
        List<String> wrong = new ArrayList<>();
        boolean[] covered = new boolean[table.size()];
        expected.forEach((clients, rs) -> {
            for (Endpoint client : clients.range().endpoints()) {
                List<IpAddress> got = new ArrayList<>();
                boolean ok = false;
                for (int i = 0; i < table.size(); i++) {
                    Association x = table.get(i);
                    if (x.client().equals(client) && clients.ofService(x.service())) {
                        covered[i] = true;
                        got.add(x.realServer());
                        ok |= java.util.Objects.equals(x.realServer(), rs);
                    }
                }
                String who = clients.service() == null ? client.toString() : clients.service() + " " + client;
                String want = rs == null ? AssociationsStep.STALE : rs.toString();
                if (got.isEmpty()) {
                    wrong.add(who + " should be bound to " + want + " but is not in the table");
                } else if (!ok) {
                    wrong.add(who + " should be bound to " + want + " but is bound to " + got);
                }
            }
        });
        if (exact) {
            for (int i = 0; i < table.size(); i++) {
                if (!covered[i]) {
                    wrong.add(table.get(i) + " is in the table but not expected");
                }
            }
        }
        return wrong.isEmpty() ? null : "association table: " + String.join("; ", wrong) + "\n  table: " + table;
    }

    private String counters(CountersStep c) {
        Map<Reason, Counter> actual = dp.counters();
        List<String> wrong = new ArrayList<>();
        for (Reason r : Reason.values()) {
            long want = c.packets().getOrDefault(r, 0L);
            long got = actual.getOrDefault(r, Counter.ZERO).packets();
            if (want != got) {
                wrong.add(r + " expected " + want + " got " + got);
            }
        }
        return wrong.isEmpty() ? null : "counters: " + String.join(", ", wrong) + "\n  all counters: " + actual;
    }

    private ScenarioReport fail(int step, String what, String problem, Throwable cause) {
        String msg = "scenario '" + scenario.name() + "' on " + dp.name() + ": step " + step + " (" + what + "): " + problem;
        return new ScenarioReport(scenario.name(), dp.name(), stepsRun, framesSent, checks, notApplicable, step, msg, cause);
    }
}
