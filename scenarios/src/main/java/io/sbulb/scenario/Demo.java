package io.sbulb.scenario;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.Dataplane;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The balancer at work on a built-in network: a VIP, three real servers, a few clients. The
 * frames go through the real XDP program in the kernel (BPF_PROG_TEST_RUN; needs root) and,
 * in lockstep, through the reference model; each line says what the program did and whether
 * the model agrees.
 */
public final class Demo {

    private static final IpAddress VIP = IpAddress.parse("198.18.0.1");
    private static final int PORT = 5683;
    private static final List<IpAddress> SERVERS = List.of(
            IpAddress.parse("198.18.1.1"), IpAddress.parse("198.18.1.2"), IpAddress.parse("198.18.1.3"));

    private final Dataplane primary;
    private final Dataplane model;
    private int disagreements;

    private Demo(Dataplane primary, Dataplane model) {
        this.primary = primary;
        this.model = model;
    }

    public static void main(String[] args) {
        Limits limits = new Limits(4, 8, 1024);
        try (Dataplane model = Dataplanes.model(limits)) {
            Dataplane xdp;
            try {
                xdp = Dataplanes.xdp(limits);
            } catch (RuntimeException e) {
                System.out.println("Cannot load the XDP program here (run as root?): " + e.getMessage().lines().findFirst().orElse(""));
                System.out.println("Showing the reference model only.\n");
                new Demo(model, null).play();
                return;
            }
            int disagreements;
            try (xdp) {
                System.out.println("The sbulb XDP program is loaded into the running kernel; every frame below runs through it");
                System.out.println("(BPF_PROG_TEST_RUN) and through the Java reference model, which must agree.");
                disagreements = new Demo(xdp, model).play();
            }
            if (disagreements != 0) {
                System.exit(1);
            }
        }
    }

    /** Plays the demo on {@code primary}, comparing with {@code model} if not null; returns the disagreements. */
    static int play(Dataplane primary, Dataplane model) {
        return new Demo(primary, model).play();
    }

    private int play() {
        configure("VIP " + VIP + ", UDP port " + PORT + ", real servers " + SERVERS,
                DataplaneConfig.of(VIP, Set.of(PORT), SERVERS));

        section("New clients are spread round robin; each keeps its server");
        Endpoint alice = Endpoint.of("198.18.2.1", 40001);
        Endpoint bob = Endpoint.of("198.18.2.2", 40002);
        Endpoint carol = Endpoint.of("198.18.2.3", 40003);
        Endpoint bob2 = Endpoint.of("198.18.2.2", 40099);
        for (Endpoint c : List.of(alice, bob, carol, bob2, alice, bob)) {
            send(UdpFrame.builder().source(c).destination(VIP, PORT).payload("hello".getBytes()).build());
        }

        section("Servers answer through the VIP; only a client's own server may talk to it");
        send(UdpFrame.builder().source(SERVERS.get(0), PORT).destination(alice).payload("welcome".getBytes()).build());
        send(UdpFrame.builder().source(SERVERS.get(2), PORT).destination(alice).payload("intruder".getBytes()).build());

        section("A server starts a conversation with a new client: it claims that client");
        Endpoint dave = Endpoint.of("198.18.2.4", 5683);
        send(UdpFrame.builder().source(SERVERS.get(1), PORT).destination(dave).payload("ping".getBytes()).build());
        send(UdpFrame.builder().source(dave).destination(VIP, PORT).payload("pong".getBytes()).build());

        section("Live reconfiguration: 198.18.1.2 leaves; its clients move, the others stay");
        configure("real servers " + List.of(SERVERS.get(0), SERVERS.get(2)),
                DataplaneConfig.of(VIP, Set.of(PORT), List.of(SERVERS.get(0), SERVERS.get(2))));
        for (Endpoint c : List.of(alice, bob, carol, dave)) {
            send(UdpFrame.builder().source(c).destination(VIP, PORT).payload("again".getBytes()).build());
        }

        section("Traffic that is not ours, and a broken frame");
        send(UdpFrame.builder().source(alice).destination(VIP, 53).build());
        send(UdpFrame.builder().source(alice).destination(VIP, PORT).ttl(0).build());

        section("Association table");
        for (Association a : primary.associations()) {
            System.out.printf("  %-22s -> %s%n", a.client(), a.realServer());
        }
        if (model != null && !model.associations().equals(primary.associations())) {
            disagreements++;
            System.out.println("  MODEL DISAGREES: " + model.associations());
        }
        section("Counters (frames per reason)");
        for (Map.Entry<Reason, Counter> e : primary.counters().entrySet()) {
            System.out.printf("  %-26s %3d  %s%n", e.getKey(), e.getValue().packets(), e.getKey().description());
        }
        System.out.println();
        System.out.println(model == null ? "Done (model only)."
                : disagreements == 0 ? "The XDP program and the reference model agreed on every frame."
                : disagreements + " disagreement(s) between the XDP program and the model.");
        return disagreements;
    }

    private void configure(String what, DataplaneConfig c) {
        primary.configure(c);
        if (model != null) {
            model.configure(c);
        }
        System.out.println("configure: " + what);
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private void send(UdpFrame in) {
        Result r = primary.process(in.toFrame());
        String agree = "";
        if (model != null) {
            Result m = model.process(in.toFrame());
            boolean same = m.equals(r);
            agree = same ? "  [model agrees]" : "  [MODEL DISAGREES: " + m.verdict() + " " + m.reason() + "]";
            disagreements += same ? 0 : 1;
        }
        String outcome;
        if (r.verdict() == Verdict.TX) {
            UdpFrame out = UdpFrame.parse(r.output());
            outcome = "sent on as " + out.source() + " -> " + out.destination() + ", TTL " + out.ttl();
        } else {
            outcome = r.verdict() == Verdict.DROP ? "dropped" : "passed to the kernel";
        }
        System.out.printf("  %-22s -> %-20s %-20s %s (%s)%s%n", in.source(), in.destination(), r.reason(), outcome,
                r.reason().description(), agree);
    }
}
