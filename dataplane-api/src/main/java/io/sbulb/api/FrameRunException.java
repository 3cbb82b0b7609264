package io.sbulb.api;

/**
 * A frame of a batch ({@link Dataplane#processAll}) that the dataplane could not run; the frames
 * before it were run, the ones after it were not.
 */
public final class FrameRunException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int index;

    public FrameRunException(int index, RuntimeException cause) {
        super("frame " + index + " of the batch cannot be run: " + cause.getMessage(), cause);
        this.index = index;
    }

    /** The failing frame's position in the batch, from 0. */
    public int index() {
        return index;
    }
}
