package io.sbulb.xdp.pin;

import io.sbulb.api.ConfigException;

/**
 * The pinned maps were made by a build with another layout (ABI) version: they cannot be reused
 * as they are; a migration copies them into the new layout.
 */
public final class PinnedLayoutException extends ConfigException {

    private final int pinnedAbi;
    private final int objectAbi;

    public PinnedLayoutException(PinDir dir, int pinnedAbi, int objectAbi) {
        super("the state pinned at " + dir + " has map layout version " + pinnedAbi + ", this build's program "
                + "version " + objectAbi);
        this.pinnedAbi = pinnedAbi;
        this.objectAbi = objectAbi;
    }

    public int pinnedAbi() {
        return pinnedAbi;
    }

    public int objectAbi() {
        return objectAbi;
    }
}
