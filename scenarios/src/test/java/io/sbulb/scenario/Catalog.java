package io.sbulb.scenario;

import io.sbulb.api.Dataplane;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.sim.ReferenceDataplane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The catalog of scenario files, for parameterized tests. */
final class Catalog {

    /** Where the catalog is; surefire runs tests in the module directory. */
    static final Path DIR = Path.of(System.getProperty("sbulb.scenarios.catalog", "catalog"));

    private Catalog() {
    }

    /** The file names, sorted: the parameter of every catalog test. */
    static List<String> names() {
        if (!Files.isDirectory(DIR)) {
            throw new IllegalStateException("scenario catalog not found at " + DIR.toAbsolutePath());
        }
        return ScenarioReader.list(DIR).stream().map(p -> p.getFileName().toString()).toList();
    }

    static Path file(String name) {
        return DIR.resolve(name);
    }

    static Scenario read(String name) {
        return ScenarioReader.read(file(name));
    }

    /** The reference model, evicting as the scenario assumes (else as this machine does). */
    static Dataplane modelFor(Scenario s) {
        return new ReferenceDataplane(s.limits(), lruFor(s), Dataplanes.ALL_EVENTS);
    }

    static LruParameters lruFor(Scenario s) {
        return s.assumption().map(Assumes::toLruParameters).orElseGet(LruParameters::detect);
    }

    static Dataplane model(Limits limits) {
        return new ReferenceDataplane(limits, LruParameters.detect(), Dataplanes.ALL_EVENTS);
    }
}
