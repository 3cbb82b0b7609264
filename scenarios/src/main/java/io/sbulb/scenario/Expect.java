package io.sbulb.scenario;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;

/**
 * What a frame step expects of each frame it sends.
 *
 * @param verdict      the verdict, or null (then the reason's verdict)
 * @param reason       the reason; required
 * @param src          on TX, the source endpoint of the output, or null (then the input's)
 * @param dst          on TX, the destination endpoint of the output, or null (then the input's)
 * @param ttl          on TX, the TTL / hop limit of the output, or null (not checked beyond the oracle's input - 1)
 * @param associatedTo the real server the frame's foreign peer must be bound to afterwards, or null
 */
public record Expect(Verdict verdict, Reason reason, Endpoint src, Endpoint dst, Integer ttl, IpAddress associatedTo) {

    public Expect {
        if (reason == null) {
            throw new IllegalArgumentException("an expectation needs a reason");
        }
        if (verdict != null && verdict != reason.verdict()) {
            throw new IllegalArgumentException("verdict " + verdict + " contradicts reason " + reason
                    + ", which always gives " + reason.verdict());
        }
        if (reason.verdict() != Verdict.TX && (src != null || dst != null || ttl != null)) {
            throw new IllegalArgumentException("src, dst and ttl describe a rewritten (TX) frame, but reason "
                    + reason + " gives " + reason.verdict());
        }
        if (reason.verdict() == Verdict.TX && src == null && dst == null) {
            throw new IllegalArgumentException("a TX expectation (" + reason + ") must give the rewritten src or dst");
        }
    }

    public static Expect of(Reason reason) {
        return new Expect(null, reason, null, null, null, null);
    }

    /** The verdict that must be seen. */
    public Verdict expectedVerdict() {
        return verdict != null ? verdict : reason.verdict();
    }
}
