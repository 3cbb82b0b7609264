package io.sbulb.pcap;

import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a replay did.
 *
 * @param dataplane   the dataplane's name
 * @param frames      input frames run
 * @param verdicts    frames per verdict
 * @param reasons     frames per reason (reasons never seen are absent)
 * @param cutFrames   input frames the capture holds only part of (snap length): run as captured
 * @param mismatch    with an expected pcap, its first difference from what was transmitted
 */
public record ReplayReport(String dataplane, long frames, Map<Verdict, Long> verdicts, Map<Reason, Long> reasons,
                           long cutFrames, Optional<String> mismatch) {

    public ReplayReport {
        verdicts = Map.copyOf(verdicts);
        reasons = Map.copyOf(reasons);
    }

    public long count(Verdict v) {
        return verdicts.getOrDefault(v, 0L);
    }

    /** "12 frames through xdp: 7 TX, 3 PASS, 2 DROP" and one line per reason. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(frames).append(frames == 1 ? " frame" : " frames").append(" through ").append(dataplane).append(": ")
                .append(count(Verdict.TX)).append(" TX, ").append(count(Verdict.PASS)).append(" PASS, ")
                .append(count(Verdict.DROP)).append(" DROP");
        String perReason = reasons.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> String.format("  %-26s %d", e.getKey().name(), e.getValue()))
                .collect(Collectors.joining("\n"));
        if (!perReason.isEmpty()) {
            s.append('\n').append(perReason);
        }
        if (cutFrames > 0) {
            s.append('\n').append(cutFrames).append(cutFrames == 1 ? " frame was" : " frames were")
                    .append(" captured shorter than on the wire (snap length) and run as captured");
        }
        return s.toString();
    }
}
