package io.sbulb.control.health;

/** What a datagram received from a probed server says about the probe in flight. */
public record Answer(Kind kind, String error) {

    public enum Kind {
        /** The expected answer: the probe succeeded. */
        GOOD,
        /** An answer, but a wrong one: the probe failed, {@link #error} says why. */
        BAD,
        /** Not about the probe in flight (a late answer to an earlier one): ignored. */
        STALE
    }

    static final Answer GOOD = new Answer(Kind.GOOD, null);
    static final Answer STALE = new Answer(Kind.STALE, null);

    static Answer bad(String error) {
        return new Answer(Kind.BAD, error);
    }
}
