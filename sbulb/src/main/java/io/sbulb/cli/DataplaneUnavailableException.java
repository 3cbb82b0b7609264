package io.sbulb.cli;

import io.sbulb.xdp.bpf.BpfException;

/** The chosen dataplane cannot be created here (for xdp: no privileges, no BPF). */
final class DataplaneUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final int EPERM = 1;
    private static final int EACCES = 13;

    DataplaneUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * One line for a failed load or attach: what needs root says so (the verifier's or libbpf's
     * log is logged at debug level, not printed).
     */
    static String explain(BpfException e) {
        String what = e.getMessage().lines().findFirst().orElse("");
        if (e.errno() == EPERM || e.errno() == EACCES) {
            return "loading and attaching the XDP program needs root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, or "
                    + "CAP_SYS_ADMIN): " + what;
        }
        return what;
    }
}
