package io.sbulb.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Health;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Reason;
import io.sbulb.scenariofile.ScenarioException;
import io.sbulb.scenariofile.ScenarioFile;
import io.sbulb.scenariofile.YamlFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads scenario files (YAML, format in {@code scenarios/README.md}) strictly: unknown fields,
 * bad addresses, missing expectations and configurations the limits refuse are errors naming the
 * file, the step and the value ({@link ScenarioException}). The YAML, the top-level fields, the
 * limits and the config are read by {@link ScenarioFile} (which the shipped replay command uses
 * too); this reader goes on with the assumptions and the steps.
 */
public final class ScenarioReader {

    static final Set<String> ASSUMES = YamlFields.keys("possibleCpus", "batchRule");

    private ScenarioReader() {
    }

    /** Reads one scenario file. */
    public static Scenario read(Path file) {
        return scenario(ScenarioFile.readHeader(file));
    }

    /** Reads a scenario from YAML text; {@code source} names it in errors. */
    public static Scenario read(String yaml, String source) {
        return scenario(ScenarioFile.header(ScenarioFile.parse(yaml, source), source));
    }

    private static Scenario scenario(ScenarioFile.Header header) {
        return new ScenarioReader.Parse(header.source()).scenario(header);
    }

    /** The scenario files ({@code *.yaml}) of a directory, sorted by name. */
    public static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list scenario directory " + dir, e);
        }
    }

    /** One file being read. */
    private static final class Parse {
        private final String source;
        private final StepReader steps;

        Parse(String source) {
            this.source = source;
            this.steps = new StepReader(source);
        }

        Scenario scenario(ScenarioFile.Header header) {
            YamlFields top = header.top();
            Limits limits = header.limits();
            DataplaneConfig config = header.config();
            Assumes assumes = assumes(top);
            List<JsonNode> items = top.sequence("steps");
            if (items == null || items.isEmpty()) {
                throw new ScenarioException(source + ": 'steps' is missing or empty");
            }
            List<Step> list = new ArrayList<>();
            DataplaneConfig running = config;
            Health health = Health.allUp();
            for (int i = 0; i < items.size(); i++) {
                Step step = steps.step(items.get(i), i + 1, assumes);
                if (step instanceof ConfigureStep c) {
                    running = checkChange(c, running, limits, i + 1);
                } else if (step instanceof HealthStep h) {
                    health = checkHealth(h, running, health, i + 1);
                }
                list.add(step);
            }
            return new Scenario(header.name(), header.description(), limits, config, assumes, list);
        }

        /** The health after {@code h}: its server must be one of the file's configuration then. */
        private Health checkHealth(HealthStep h, DataplaneConfig running, Health health, int number) {
            try {
                return h.applyTo(running, health);
            } catch (IllegalArgumentException e) {
                throw new ScenarioException(source + ": step " + number + " (health): " + e.getMessage(), e);
            }
        }

        private DataplaneConfig checkChange(ConfigureStep c, DataplaneConfig running, Limits limits, int number) {
            String where = source + ": step " + number + " (configure)";
            try {
                DataplaneConfig next = c.applyTo(running);
                next.validate(limits);
                return next;
            } catch (ConfigException | IllegalArgumentException e) {
                throw new ScenarioException(where + ": " + e.getMessage(), e);
            }
        }

        private Assumes assumes(YamlFields top) {
            if (!top.has("assumes")) {
                return null;
            }
            YamlFields a = YamlFields.of(top.raw("assumes"), source + ": assumes", ASSUMES);
            Integer cpus = a.integer("possibleCpus", 1, 8192);
            BatchRule rule = a.enumValue("batchRule", BatchRule.class);
            if (cpus == null || rule == null) {
                throw new ScenarioException(source + ": assumes: give both possibleCpus and batchRule");
            }
            return new Assumes(cpus, rule);
        }
    }

    /** Reason name to count, for {@code expectCounters}. */
    static Map<Reason, Long> counters(List<Map.Entry<String, JsonNode>> entries, String where) {
        Map<Reason, Long> out = new EnumMap<>(Reason.class);
        for (Map.Entry<String, JsonNode> e : entries) {
            Reason r;
            try {
                r = Reason.valueOf(e.getKey().trim());
            } catch (IllegalArgumentException x) {
                throw new ScenarioException(where + ": '" + e.getKey() + "' is not a reason (known: "
                        + java.util.Arrays.toString(Reason.values()) + ")");
            }
            JsonNode n = e.getValue();
            if (!n.isIntegralNumber() || n.asLong() < 0) {
                throw new ScenarioException(where + ": " + r + " is " + YamlFields.show(n) + ": expected a packet count >= 0");
            }
            out.put(r, n.asLong());
        }
        return out;
    }
}
