package io.sbulb.balancer;

/** The running balancer cannot go on (its program was detached, its interface is gone); it stops, detached. */
public class BalancerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BalancerException(String message) {
        super(message);
    }

    public BalancerException(String message, Throwable cause) {
        super(message, cause);
    }
}
