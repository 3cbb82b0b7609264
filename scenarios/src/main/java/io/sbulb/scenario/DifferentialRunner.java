package io.sbulb.scenario;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DataplaneEvent;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.Health;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs one scenario (or a plain list of steps) on two dataplanes in lockstep: a reference
 * ({@code a}, normally the model) and another ({@code b}, normally the XDP program). After every
 * frame and every other step it compares verdict, reason, output bytes, the events logged (for
 * dataplanes created with the same event mask, {@link Dataplanes#ALL_EVENTS} in the harness) and
 * the full association table (real-server positions included); at the end, the counters. The scenario's own
 * expectations are not checked here ({@link ScenarioRunner} does that); this only asks whether the
 * two agree. The first divergence comes with a reproducer scenario.
 *
 * <p>A {@code restart} step restarts both ({@link Dataplane#restart()}) and goes on with the new
 * instances, after checking that both kept the configuration in force and agree on their tables
 * and counters; one that cannot restart ends the run there, reported as a divergence naming it.
 * The runner closes the instances restarts gave it; those it was given are the caller's.
 */
public final class DifferentialRunner {

    private final Dataplanes.Factory factoryA;
    private final Dataplanes.Factory factoryB;

    /** Creates fresh dataplanes from these factories for every run. */
    public DifferentialRunner(Dataplanes.Factory reference, Dataplanes.Factory other) {
        this.factoryA = reference;
        this.factoryB = other;
    }

    /** Runs {@code s} on fresh dataplanes, closing them afterwards. */
    public DifferentialReport run(Scenario s) {
        try (Dataplane a = factoryA.create(s.limits()); Dataplane b = factoryB.create(s.limits())) {
            return compare(s, a, b);
        }
    }

    /** Runs a plain list of steps (e.g. from a random test) from {@code initial} on fresh dataplanes. */
    public DifferentialReport run(Limits limits, DataplaneConfig initial, List<Step> steps) {
        return run(Scenario.of("generated", limits, initial, steps));
    }

    /**
     * Runs {@code s} on the given (fresh) dataplanes; does not close them, but closes the
     * instances their restarts returned.
     */
    public static DifferentialReport compare(Scenario s, Dataplane a, Dataplane b) {
        Lockstep run = new Lockstep(s, a, b);
        try {
            return run.run();
        } finally {
            run.closeRestarted(a, b);
        }
    }

    /** One lockstep run. */
    private static final class Lockstep {
        private final Scenario s;
        private final List<Step> history = new ArrayList<>();
        /** The reference and the other: those given, or what their last restart returned. */
        private Dataplane a;
        private Dataplane b;
        /** The file's configuration (the scenario's, changed by configure steps) and the health. */
        private DataplaneConfig file;
        private Health health = Health.allUp();
        /** The configuration in force: {@code health.effective(file)}. */
        private DataplaneConfig config;
        private int frames;

        Lockstep(Scenario s, Dataplane a, Dataplane b) {
            this.s = s;
            this.a = a;
            this.b = b;
        }

        void closeRestarted(Dataplane givenA, Dataplane givenB) {
            try {
                if (a != givenA) {
                    a.close();
                }
            } finally {
                if (b != givenB) {
                    b.close();
                }
            }
        }

        DifferentialReport run() {
            file = s.initialConfig();
            config = file;
            String d = configureBoth(config);
            if (d != null) {
                return report(0, new Divergence(0, "initial configuration", d, null, null, a.associations(),
                        b.associations(), a.name(), b.name()));
            }
            List<Step> steps = s.steps();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                Divergence div = step instanceof FrameStep f ? frames(i + 1, f) : other(i + 1, step);
                if (div != null) {
                    return report(i + 1, div);
                }
            }
            Map<Reason, Counter> ca = counters(a);
            String cd = counterDifference("counters differ", ca, counters(b));
            if (cd != null) {
                Divergence div = new Divergence(steps.size() + 1, "final counters", cd, null, null, a.associations(),
                        b.associations(), a.name(), b.name());
                return report(steps.size(), div);
            }
            return new DifferentialReport(s.name(), a.name(), b.name(), steps.size(), frames, null, null, ca);
        }

        private Divergence frames(int number, FrameStep f) {
            for (int rep = 0; rep < f.repeat(); rep++) {
                Frame in = f.frameAt(rep);
                Result ra = a.process(in);
                Result rb = b.process(in);
                frames++;
                String d = resultDifference(ra, rb);
                if (d == null) {
                    d = eventDifference(a.drainEvents(), b.drainEvents());
                }
                List<Association> ta = a.associations();
                List<Association> tb = b.associations();
                if (d == null && !ta.equals(tb)) {
                    d = "association tables differ";
                }
                if (d == null) {
                    d = serverFrameDifference();
                }
                Expect expect = f.expect() != null ? f.expect() : expectFrom(in, ra);
                FrameSpec spec = f.fieldsAt(rep);
                String note = d == null ? null : "diverged here: " + a.name() + " " + ra.verdict() + " " + ra.reason()
                        + ", " + b.name() + " " + rb.verdict() + " " + rb.reason();
                history.add(new FrameStep(spec, spec == null ? f.hex() : null, 1, 0, expect, f.dependsOnLru(), note));
                if (d != null) {
                    history.add(AssociationsStep.exact(table(ta), s.assumes() != null));
                    return new Divergence(number, f.describe(rep), d, ra, rb, ta, tb, a.name(), b.name());
                }
            }
            return null;
        }

        private Divergence other(int number, Step step) {
            String d = null;
            if (step instanceof RestartStep) {
                d = restartBoth();
            } else if (step instanceof ConfigureStep c) {
                DataplaneConfig next;
                try {
                    next = c.applyTo(config);
                } catch (IllegalArgumentException e) {
                    next = null; // nothing to apply to either: not a divergence
                }
                if (next != null) {
                    DataplaneConfig effective = health.effective(next);
                    d = configureBoth(effective);
                    if (a.configuration().equals(effective)) { // else both refused it (or d says they differ)
                        file = next;
                        config = effective;
                    }
                }
            } else if (step instanceof HealthStep h) {
                Health next;
                try {
                    next = h.applyTo(file, health);
                } catch (IllegalArgumentException e) {
                    next = null; // a server neither has: not a divergence
                }
                if (next != null) {
                    DataplaneConfig effective = next.effective(file);
                    d = configureBoth(effective);
                    if (a.configuration().equals(effective)) {
                        health = next;
                        config = effective;
                    }
                }
            }
            history.add(step);
            List<Association> ta = a.associations();
            List<Association> tb = b.associations();
            if (d == null && !ta.equals(tb)) {
                d = "association tables differ";
            }
            if (d == null && step instanceof CountersStep) {
                d = counterDifference("counters differ", counters(a), counters(b));
            }
            if (d == null) {
                d = serverFrameDifference(); // a configure or a restart keeps or restarts them alike
            }
            if (d == null) {
                return null;
            }
            history.add(AssociationsStep.exact(table(ta), s.assumes() != null));
            return new Divergence(number, step.kind(), d, null, null, ta, tb, a.name(), b.name());
        }

        /**
         * Restarts both; null if both could and came back with the configuration in force and the
         * same counters (their tables are compared next, as after every step).
         */
        private String restartBoth() {
            List<String> failed = new ArrayList<>();
            try {
                a = a.restart();
            } catch (RuntimeException e) {
                failed.add(a.name() + " cannot restart: " + e.getMessage());
            }
            try {
                b = b.restart();
            } catch (RuntimeException e) {
                failed.add(b.name() + " cannot restart: " + e.getMessage());
            }
            if (!failed.isEmpty()) {
                return String.join("; ", failed);
            }
            if (!a.configuration().equals(config) || !b.configuration().equals(config)) {
                return "configuration after the restart: " + config + " was in force, " + a.name() + " has "
                        + a.configuration() + ", " + b.name() + " has " + b.configuration();
            }
            return counterDifference("counters differ after the restart", counters(a), counters(b));
        }

        /** Null if both count the same frames forwarded and clients moved away per real server, else both counts. */
        private String serverFrameDifference() {
            Map<ServerRef, Long> fa = a.serverFrames();
            Map<ServerRef, Long> fb = b.serverFrames();
            if (!fa.equals(fb)) {
                return "frames forwarded per server differ: " + a.name() + " " + fa + ", " + b.name() + " " + fb;
            }
            Map<ServerRef, Long> ma = a.serverMoves();
            Map<ServerRef, Long> mb = b.serverMoves();
            return ma.equals(mb) ? null : "clients moved away per server differ: " + a.name() + " " + ma + ", "
                    + b.name() + " " + mb;
        }

        /** Null if {@code a}'s counters {@code ca} equal {@code b}'s {@code cb}, else {@code what} with both. */
        private String counterDifference(String what, Map<Reason, Counter> ca, Map<Reason, Counter> cb) {
            return ca.equals(cb) ? null : what + ": " + a.name() + " " + ca + ", " + b.name() + " " + cb;
        }

        /** Null if both accepted the configuration or both refused it. */
        private String configureBoth(DataplaneConfig c) {
            String ea = configure(a, c);
            String eb = configure(b, c);
            if ((ea == null) != (eb == null)) {
                return "configuration " + c + ": " + a.name() + " " + (ea == null ? "accepted it" : "refused it: " + ea)
                        + ", " + b.name() + " " + (eb == null ? "accepted it" : "refused it: " + eb);
            }
            return null;
        }

        private static String configure(Dataplane dp, DataplaneConfig c) {
            try {
                dp.configure(c);
                return null;
            } catch (RuntimeException e) {
                return e.getMessage();
            }
        }

        private DifferentialReport report(int stepsRun, Divergence div) {
            Scenario repro = new Scenario(s.name() + "-divergence", "Reproduces the divergence between " + a.name()
                    + " and " + b.name() + " in scenario '" + s.name() + "' at step " + div.step() + ": "
                    + div.difference() + ". Expectations are " + a.name() + "'s.", s.limits(), s.initialConfig(),
                    s.assumes(), history.isEmpty() ? List.of(AssociationsStep.exact(table(div.tableA()), false)) : history);
            return new DifferentialReport(s.name(), a.name(), b.name(), stepsRun, frames, div, repro, counters(a));
        }
    }

    /** Null if the two results are the same, else what differs. */
    static String resultDifference(Result ra, Result rb) {
        List<String> d = new ArrayList<>();
        if (ra.verdict() != rb.verdict()) {
            d.add("verdict " + ra.verdict() + " vs " + rb.verdict());
        }
        if (ra.reason() != rb.reason()) {
            d.add("reason " + ra.reason() + " vs " + rb.reason());
        }
        if (!ra.output().equals(rb.output())) {
            d.add("output bytes differ" + FrameCheck.difference(rb.output(), ra.output()));
        }
        return d.isEmpty() ? null : String.join("; ", d);
    }

    /** Null if the two dataplanes logged the same events for a frame, else what differs. */
    static String eventDifference(List<DataplaneEvent> ea, List<DataplaneEvent> eb) {
        return ea.equals(eb) ? null : "events differ: " + ea + " vs " + eb;
    }

    /** The expectation that the reference's result meets (for a reproducer). */
    static Expect expectFrom(Frame in, Result r) {
        if (r.verdict() != Verdict.TX) {
            return Expect.of(r.reason());
        }
        try {
            UdpFrame out = UdpFrame.parse(r.output());
            UdpFrame inf = UdpFrame.parse(in);
            Endpoint src = out.source().equals(inf.source()) ? null : out.source();
            Endpoint dst = out.destination().equals(inf.destination()) ? null : out.destination();
            if (src == null && dst == null) {
                dst = out.destination();
            }
            return new Expect(null, r.reason(), src, dst, null, null);
        } catch (IllegalArgumentException e) {
            return null; // unparseable TX output: the reproducer leaves this frame without an expectation
        }
    }

    /** A table as an exact check; clients are qualified by their service unless all are the seed's one. */
    static Map<AssociationsStep.Clients, IpAddress> table(List<Association> list) {
        boolean qualify = list.stream().anyMatch(x -> !x.service().equals(io.sbulb.api.Service.DEFAULT_NAME));
        Map<AssociationsStep.Clients, IpAddress> m = new LinkedHashMap<>();
        for (Association x : list) {
            m.put(new AssociationsStep.Clients(qualify ? x.service() : null, EndpointRange.of(x.client())), x.realServer());
        }
        return m;
    }

    static Map<Reason, Counter> counters(Dataplane dp) {
        Map<Reason, Counter> m = new EnumMap<>(Reason.class);
        dp.counters().forEach((r, c) -> {
            if (!Objects.equals(c, Counter.ZERO)) {
                m.put(r, c);
            }
        });
        return m;
    }
}
