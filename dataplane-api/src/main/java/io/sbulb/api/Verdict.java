package io.sbulb.api;

/** What the data path does with a frame; the numeric values are the kernel's {@code enum xdp_action}. */
public enum Verdict {
    ABORTED(0),
    DROP(1),
    PASS(2),
    TX(3),
    REDIRECT(4);

    private final int xdpAction;

    Verdict(int xdpAction) {
        this.xdpAction = xdpAction;
    }

    public int xdpAction() {
        return xdpAction;
    }

    public static Verdict ofXdpAction(int action) {
        for (Verdict v : values()) {
            if (v.xdpAction == action) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown XDP action " + action);
    }
}
