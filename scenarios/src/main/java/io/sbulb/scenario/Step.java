package io.sbulb.scenario;

/**
 * One step of a scenario. Frame steps send frames and hold the expected outcome; the others
 * change the configuration or a server's health, restart the dataplane or check its state between frames.
 */
public sealed interface Step permits FrameStep, ConfigureStep, HealthStep, RestartStep, AssociationsStep, CountersStep {

    /** The step's kind as written in a file ({@code frame}, {@code hex}, {@code configure}, ...). */
    String kind();

    /** A free-text note, or null. */
    String note();

    /** True if its expectations hold only under the scenario's {@code assumes} (kernel LRU eviction). */
    default boolean dependsOnLru() {
        return false;
    }
}
