package io.sbulb.scenario;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Limits;
import io.sbulb.scenariofile.ScenarioFile;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A scenario: a dataplane's limits, its configuration before the first step, and the steps
 * (frames with their expected outcome, configuration changes, association-table and counter
 * expectations). The file format is described in {@code scenarios/README.md}.
 *
 * @param name          short identifier, used in reports
 * @param description   what the scenario proves
 * @param limits        limits the dataplane is created with
 * @param initialConfig configuration applied before step 1
 * @param assumes       the kernel LRU parameters its LRU-dependent expectations were taken for; may be null
 * @param steps         the steps, run in order
 */
public record Scenario(String name, String description, Limits limits, DataplaneConfig initialConfig,
                       Assumes assumes, List<Step> steps) {

    /** Limits used when a scenario gives none: small, so nothing is sized for production. */
    public static final Limits DEFAULT_LIMITS = ScenarioFile.DEFAULT_LIMITS;

    public Scenario {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        limits = limits == null ? DEFAULT_LIMITS : limits;
        initialConfig = initialConfig == null ? DataplaneConfig.empty() : initialConfig;
        steps = List.copyOf(steps);
    }

    /** A scenario without a description or assumptions, e.g. for a generated list of steps. */
    public static Scenario of(String name, Limits limits, DataplaneConfig initialConfig, List<Step> steps) {
        return new Scenario(name, "", limits, initialConfig, null, steps);
    }

    public Optional<Assumes> assumption() {
        return Optional.ofNullable(assumes);
    }

    /** The same scenario with other steps. */
    public Scenario withSteps(List<Step> newSteps) {
        return new Scenario(name, description, limits, initialConfig, assumes, newSteps);
    }
}
