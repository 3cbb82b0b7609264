package io.sbulb.xdp.attach;

import java.util.Objects;

/**
 * How to attach.
 *
 * @param mode which XDP mode
 * @param replace whether a program already attached through netlink (ip link, xdp-loader) may
 *                be replaced; without it, an interface that has any XDP program is refused. A
 *                program held by a BPF link (another sbulb) is never replaced. Netlink cannot hand
 *                over to a link atomically: for the moment between the old program's detach and
 *                the new link, frames go to the kernel's stack as if there were no XDP program
 */
public record AttachOptions(ModeChoice mode, boolean replace) {

    /** Native where possible, generic elsewhere; refuses an interface that has a program. */
    public static final AttachOptions DEFAULT = new AttachOptions(ModeChoice.AUTO, false);

    public AttachOptions {
        Objects.requireNonNull(mode, "mode");
    }

    public static AttachOptions mode(ModeChoice mode) {
        return new AttachOptions(mode, false);
    }

    public AttachOptions withReplace(boolean replace) {
        return new AttachOptions(mode, replace);
    }
}
