package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * Assertions with an independent oracle: the expected output of a NAT is a frame built from
 * scratch with the rewritten fields, its checksums computed in full, never by the incremental
 * code under test.
 */
public final class Expect {

    private Expect() {
    }

    /** The expected frame after destination NAT to {@code server}: TTL - 1, MACs swapped. */
    public static UdpFrame dnat(UdpFrame in, IpAddress server) {
        return in.forwarded(in.source(), new Endpoint(server, in.destination().port()));
    }

    /** The expected frame after source NAT to {@code vip}: TTL - 1, MACs swapped. */
    public static UdpFrame snat(UdpFrame in, IpAddress vip) {
        return in.forwarded(new Endpoint(vip, in.source().port()), in.destination());
    }

    /** Sends {@code in}, expects TX with {@code reason} and output exactly {@code expected}. */
    public static void tx(Dataplane dp, UdpFrame in, Reason reason, UdpFrame expected) {
        Result r = dp.process(in.toFrame());
        assertThat(r.verdict()).as("verdict for %s (reason %s)", in, r.reason()).isEqualTo(Verdict.TX);
        assertThat(r.reason()).as("reason for %s", in).isEqualTo(reason);
        assertThat(r.output().toHex()).as("output bytes for %s: expected %s", in, expected).isEqualTo(expected.toFrame().toHex());
    }

    /** Sends {@code in} to the VIP, expects it NATed to {@code server} with {@code reason}. */
    public static void toServer(Dataplane dp, UdpFrame in, IpAddress server, Reason reason) {
        tx(dp, in, reason, dnat(in, server));
    }

    /** Sends {@code in} from a real server, expects it NATed to {@code vip} with {@code reason}. */
    public static void fromServer(Dataplane dp, UdpFrame in, IpAddress vip, Reason reason) {
        tx(dp, in, reason, snat(in, vip));
    }

    /** Sends {@code frame}, expects {@code verdict} with {@code reason} and the frame unchanged. */
    public static void untouched(Dataplane dp, Frame frame, Verdict verdict, Reason reason) {
        Result r = dp.process(frame);
        assertThat(r.reason()).as("reason for %s", frame).isEqualTo(reason);
        assertThat(r.verdict()).as("verdict for %s", frame).isEqualTo(verdict);
        assertThat(r.output()).as("a %s frame is not modified", verdict).isEqualTo(frame);
    }

    /**
     * Who is bound to whom: an association without its slot and epoch (which the differential
     * tests compare between dataplanes).
     */
    public record Binding(String service, Endpoint client, IpAddress realServer) {
        @Override
        public String toString() {
            return service + " " + client + " -> " + realServer;
        }
    }

    /** {@code client} bound to {@code server} in the seed's one service. */
    public static Binding bound(Endpoint client, IpAddress server) {
        return new Binding(Service.DEFAULT_NAME, client, server);
    }

    public static Binding bound(String service, Endpoint client, IpAddress server) {
        return new Binding(service, client, server);
    }

    /** The data path's associations as bindings, in its order. */
    public static List<Binding> bindings(DataplaneControl dp) {
        List<Binding> out = new ArrayList<>();
        for (Association a : dp.associations()) {
            out.add(new Binding(a.service(), a.client(), a.realServer()));
        }
        return out;
    }
}
