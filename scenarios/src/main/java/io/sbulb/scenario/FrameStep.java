package io.sbulb.scenario;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;

/**
 * Sends a frame (by fields, or raw hex for malformed frames) {@code repeat} times and checks
 * each outcome against {@code expect}. With {@code srcPortStep} k, repetition i is sent from
 * source port + i·k: a quick way to bring in many distinct clients.
 *
 * @param fields       the frame by fields, or null when {@code hex} is given
 * @param hex          the raw frame as hex (normalised), or null when {@code fields} is given
 * @param repeat       how many frames to send (at least 1)
 * @param srcPortStep  source port increment between repetitions (fields only), 0 = the same frame
 * @param expect       the expected outcome of every repetition; null only in generated step lists
 * @param dependsOnLru true if {@code expect} holds only under the scenario's {@code assumes}
 * @param note         free text, or null
 */
public record FrameStep(FrameSpec fields, String hex, int repeat, int srcPortStep, Expect expect,
                        boolean dependsOnLru, String note) implements Step {

    public FrameStep {
        if ((fields == null) == (hex == null)) {
            throw new IllegalArgumentException("a frame step has either fields or hex");
        }
        hex = hex == null ? null : FrameSpec.normaliseHex(hex);
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat " + repeat + " must be at least 1");
        }
        if (srcPortStep != 0 && fields == null) {
            throw new IllegalArgumentException("srcPortStep needs a frame by fields, not hex");
        }
        if (srcPortStep < 0) {
            throw new IllegalArgumentException("srcPortStep " + srcPortStep + " is negative");
        }
        if (fields != null && fields.src().port() + (long) srcPortStep * (repeat - 1) > 65535) {
            throw new IllegalArgumentException("source port " + fields.src().port() + " + " + srcPortStep + " x "
                    + (repeat - 1) + " repetitions passes 65535");
        }
    }

    /** One frame by fields, sent once. */
    public static FrameStep of(FrameSpec fields, Expect expect) {
        return new FrameStep(fields, null, 1, 0, expect, false, null);
    }

    /** One raw frame, sent once (e.g. from a random test), with or without an expectation. */
    public static FrameStep of(Frame frame, Expect expect) {
        return new FrameStep(null, frame.toHex(), 1, 0, expect, false, null);
    }

    @Override
    public String kind() {
        return fields != null ? "frame" : "hex";
    }

    /** The fields of repetition {@code i} (0-based), or null for a hex frame. */
    public FrameSpec fieldsAt(int i) {
        if (fields == null || srcPortStep == 0) {
            return fields;
        }
        Endpoint s = fields.src();
        return fields.withSrc(new Endpoint(s.address(), s.port() + i * srcPortStep));
    }

    /** The frame of repetition {@code i} (0-based). */
    public Frame frameAt(int i) {
        return fields != null ? fieldsAt(i).toFrame() : Frame.ofHex(hex);
    }

    /** A short description of repetition {@code i} for messages. */
    public String describe(int i) {
        String what = fields != null ? "frame " + fieldsAt(i) : "hex frame of " + hex.length() / 2 + " bytes";
        return repeat > 1 ? what + " (repetition " + (i + 1) + " of " + repeat + ")" : what;
    }
}
