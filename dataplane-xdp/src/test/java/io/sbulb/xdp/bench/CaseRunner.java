package io.sbulb.xdp.bench;

import io.sbulb.api.Counter;
import io.sbulb.api.Frame;
import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame;
import io.sbulb.xdp.bpf.BpfProgram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link BenchCases.Case} through the restoring wrapper and checks that every
 * repetition took the intended path: the verdict, the wrapper's counts (exactly {@code repeat}
 * tail calls, none refused or failed), for sbulb the reason counters (exactly {@code repeat}
 * frames and bytes under the case's reason, nothing under any other), and the output bytes
 * against a frame built from scratch (checksums computed in full).
 */
final class CaseRunner {

    /** A run: the kernel's average ns per repetition, and what did not match (empty: the intended path). */
    record Outcome(int durationNs, List<String> wrongPath) {
    }

    private final BenchWrapper wrapper;

    CaseRunner(BenchWrapper wrapper) {
        this.wrapper = wrapper;
    }

    /**
     * Runs the case. The kernel's timer covers the repetitions only (whole ns per repetition,
     * rounded down); each call also costs a fixed ~25 ms outside it (an XDP test run with repeat
     * > 1 registers the program with the XDP dispatcher and back), which is why no wall-clock
     * figure is derived here.
     */
    Outcome run(BenchCases.Case c) {
        wrapper.call(c.callee().fd());
        wrapper.frame(c.frame(), c.varyOffset(), c.varyMask());
        var dp = c.callee().counted();
        Map<Reason, Counter> before = dp == null ? Map.of() : dp.counters();
        BenchWrapper.Ctl ctlBefore = wrapper.ctl();
        BpfProgram.TestRun run = wrapper.run(c.repeat());
        BenchWrapper.Ctl ctl = wrapper.ctl().minus(ctlBefore);

        List<String> wrong = new ArrayList<>();
        // runs whose varied source is the VIP or a real server: refused by the loop guard
        long refused = dp == null ? 0 : balancerSources(c, dp.configuration(), ctlBefore.runs(), c.repeat());
        boolean lastRefused = dp != null && balancerSources(c, dp.configuration(), ctlBefore.runs() + c.repeat() - 1, 1) > 0;
        Verdict verdict = lastRefused ? Verdict.DROP : c.verdict();
        if (run.retval() != verdict.xdpAction()) {
            wrong.add("verdict " + run.retval() + ", expected " + verdict + " (" + verdict.xdpAction() + ")");
        }
        if (!ctl.equals(new BenchWrapper.Ctl(c.repeat(), 0, 0))) {
            wrong.add("wrapper counted " + ctl + ", expected " + c.repeat() + " runs and no failure");
        }
        if (dp != null) {
            Map<Reason, Counter> after = dp.counters();
            for (Reason r : Reason.values()) {
                Counter b = before.getOrDefault(r, Counter.ZERO);
                Counter a = after.getOrDefault(r, Counter.ZERO);
                long expected = r == c.reason() ? c.repeat() - refused : r == Reason.INGRESS_FROM_BALANCER ? refused : 0;
                if (a.packets() - b.packets() != expected || a.bytes() - b.bytes() != expected * c.frame().length()) {
                    wrong.add("counter " + r + " moved by " + (a.packets() - b.packets()) + " frames, expected "
                            + expected);
                }
            }
        }
        if (c.expectedOutput() != null) {
            if (!Arrays.equals(run.output(), c.expectedOutput().bytes())) {
                wrong.add("output " + Frame.of(run.output()).toHex() + ", expected " + c.expectedOutput().toHex());
            }
            if (c.verdict() == Verdict.TX && !UdpFrame.checksumsValid(Frame.of(run.output()))) {
                wrong.add("output checksums do not verify: " + Frame.of(run.output()).toHex());
            }
        }
        return new Outcome(run.durationNs(), List.copyOf(wrong));
    }

    /**
     * How many of the case's runs, from the wrapper's run number {@code firstRun} on, send from
     * an address of the balancer itself: the wrapper XORs (run number &amp; mask) into the IPv4
     * source address, which for large runs reaches the VIP and the real servers.
     */
    private static long balancerSources(BenchCases.Case c, io.sbulb.api.DataplaneConfig config, long firstRun, long runs) {
        if (c.varyMask() == 0 || c.varyOffset() != BenchCases.IPV4_SADDR_OFFSET || config.virtualServer().isEmpty()) {
            return 0;
        }
        java.util.Set<Integer> own = new java.util.HashSet<>();
        for (io.sbulb.api.IpAddress a : java.util.stream.Stream.concat(config.virtualServer().stream(),
                config.realServers().stream()).toList()) {
            if (a.isIpv4()) {
                own.add(java.nio.ByteBuffer.wrap(a.bytes()).getInt());
            }
        }
        int base = java.nio.ByteBuffer.wrap(c.frame().bytes(), c.varyOffset(), 4).getInt();
        long count = 0;
        for (long run = firstRun; run < firstRun + runs; run++) {
            if (own.contains(base ^ (int) (run & c.varyMask()))) {
                count++;
            }
        }
        return count;
    }

    /** What {@link #run} checked for this case, for the report. */
    static String checked(BenchCases.Case c) {
        StringBuilder s = new StringBuilder(c.verdict().toString());
        if (c.reason() != null) {
            s.append(", ").append(c.reason()).append(" +repeat, no other counter");
        }
        if (c.expectedOutput() != null) {
            s.append(c.verdict() == Verdict.TX ? ", output = the NATed frame, checksums recomputed in full"
                    : ", output = input");
        }
        return s.toString();
    }
}
