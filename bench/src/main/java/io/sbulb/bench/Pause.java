package io.sbulb.bench;

import io.sbulb.lab.LabException;

/** The benchmark's one way to wait: a sleep that turns an interrupt into a failure of the run. */
final class Pause {

    private Pause() {
    }

    static void ms(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
