package io.sbulb.api.testing;

import io.sbulb.api.host.HostFacts;
import java.math.BigInteger;
import org.opentest4j.TestAbortedException;

/**
 * Honest skips for tests that need the kernel: without the capability a test skips with the
 * reason, but under CI ({@code CI=true}) the same condition fails the test, so a CI machine that
 * lost BPF cannot turn the XDP suite green by skipping it.
 */
public final class Privileges {

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private Privileges() {
    }

    /** True when running under CI (environment variable {@code CI=true}). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, under CI, fails) unless this process may load BPF programs and run them. */
    public static void requireBpf() {
        String missing = missingBpf();
        if (missing != null) {
            skipOrFail("needs BPF: " + missing);
        }
    }

    /** Skips (or, under CI, fails) unless this process may create network namespaces and attach XDP. */
    public static void requireNetAdmin() {
        requireBpf();
        BigInteger caps = effectiveCapabilities(HostFacts.SYSTEM);
        if (caps == null || !caps.testBit(CAP_NET_ADMIN) || !caps.testBit(CAP_SYS_ADMIN)) {
            skipOrFail("needs CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root) for network namespaces");
        }
    }

    /** Skips with {@code reason}; under CI fails with it instead. */
    public static void skipOrFail(String reason) {
        if (inCi()) {
            throw new AssertionError("CI=true, so this is a failure, not a skip: " + reason);
        }
        throw new TestAbortedException(reason); // JUnit and jqwik report it as skipped, with the reason
    }

    /** Null if BPF is usable, else why not. */
    public static String missingBpf() {
        return missingBpf(HostFacts.SYSTEM);
    }

    /** Null if BPF is usable on the host {@code host} describes, else why not (naming the path it missed). */
    public static String missingBpf(HostFacts host) {
        BigInteger caps = effectiveCapabilities(host);
        if (caps == null) {
            return "cannot read capabilities from /proc/self/status";
        }
        boolean bpf = caps.testBit(CAP_SYS_ADMIN) || (caps.testBit(CAP_BPF) && caps.testBit(CAP_PERFMON));
        if (!bpf) {
            return "the process has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON (run as root)";
        }
        if (!host.exists("/sys/kernel/btf") && !host.exists("/sys/kernel/btf/vmlinux")) {
            return "the kernel exposes no BTF (/sys/kernel/btf/vmlinux)";
        }
        return null;
    }

    private static BigInteger effectiveCapabilities(HostFacts host) {
        try {
            return host.status("self", "CapEff").map(v -> new BigInteger(v, 16)).orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
