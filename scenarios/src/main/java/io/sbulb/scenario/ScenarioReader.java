package io.sbulb.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sbulb.api.TextFiles;
import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters.BatchRule;
import io.sbulb.api.Reason;
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
 * file, the step and the value ({@link ScenarioException}).
 */
public final class ScenarioReader {

    static final Set<String> TOP = YamlFields.keys("name", "description", "limits", "config", "assumes", "steps");
    static final Set<String> LIMITS = YamlFields.keys("maxPorts", "maxRealServers", "maxAssociations");
    static final Set<String> CONFIG = YamlFields.keys("vip", "ports", "realServers");
    static final Set<String> ASSUMES = YamlFields.keys("possibleCpus", "batchRule");

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ScenarioReader() {
    }

    /** Longer scenario files are refused: the catalog's largest is a few kilobytes. */
    public static final long MAX_BYTES = 16L << 20;

    /** Reads one scenario file. */
    public static Scenario read(Path file) {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES);
        } catch (TextFiles.Unreadable e) {
            throw new ScenarioException("cannot read scenario file " + file + ": " + e.getMessage(), e);
        }
        return read(text, file.toString());
    }

    /** Reads a scenario from YAML text; {@code source} names it in errors. */
    public static Scenario read(String yaml, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(yaml);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ScenarioException(source + ": not valid YAML" + at + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ScenarioException(source + ": the file is empty");
        }
        return new ScenarioReader.Parse(source).scenario(root);
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

        Scenario scenario(JsonNode root) {
            YamlFields top = YamlFields.of(root, source, TOP);
            String name = top.requiredText("name");
            if (name.isBlank()) {
                throw top.error("name", "must not be blank");
            }
            String description = top.text("description");
            Limits limits = limits(top);
            DataplaneConfig config = config(top);
            try {
                config.validate(limits);
            } catch (ConfigException e) {
                throw new ScenarioException(source + ": config: " + e.getMessage(), e);
            }
            Assumes assumes = assumes(top);
            List<JsonNode> items = top.sequence("steps");
            if (items == null || items.isEmpty()) {
                throw new ScenarioException(source + ": 'steps' is missing or empty");
            }
            List<Step> list = new ArrayList<>();
            DataplaneConfig running = config;
            for (int i = 0; i < items.size(); i++) {
                Step step = steps.step(items.get(i), i + 1, assumes);
                if (step instanceof ConfigureStep c) {
                    running = checkChange(c, running, limits, i + 1);
                }
                list.add(step);
            }
            return new Scenario(name, description, limits, config, assumes, list);
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

        private Limits limits(YamlFields top) {
            if (!top.has("limits")) {
                return Scenario.DEFAULT_LIMITS;
            }
            YamlFields l = YamlFields.of(top.raw("limits"), source + ": limits", LIMITS);
            Limits d = Scenario.DEFAULT_LIMITS;
            Integer mp = l.integer("maxPorts", 1, Limits.MAX_PORTS_LIMIT);
            Integer mrs = l.integer("maxRealServers", 1, Limits.MAX_REAL_SERVERS_LIMIT);
            Integer ma = l.integer("maxAssociations", 1, Limits.MAX_ASSOCIATIONS_LIMIT);
            return new Limits(mp != null ? mp : d.maxPorts(), mrs != null ? mrs : d.maxRealServers(),
                    ma != null ? ma : d.maxAssociations());
        }

        private DataplaneConfig config(YamlFields top) {
            if (!top.has("config")) {
                return DataplaneConfig.empty();
            }
            YamlFields c = YamlFields.of(top.raw("config"), source + ": config", CONFIG);
            IpAddress vip = vip(c);
            List<Integer> ports = c.integers("ports", 0, 65535);
            List<IpAddress> rs = c.addresses("realServers");
            try {
                return DataplaneConfig.of(vip, ports == null ? List.of() : ports, rs == null ? List.of() : rs);
            } catch (ConfigException e) {
                throw new ScenarioException(source + ": config: " + e.getMessage(), e);
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

    /** {@code vip: <address>} or {@code vip: none} / {@code vip: null}. */
    static IpAddress vip(YamlFields f) {
        JsonNode v = f.raw("vip");
        if (v == null || v.isNull() || (v.isTextual() && v.asText().trim().equalsIgnoreCase("none"))) {
            return null;
        }
        return f.parsed("vip", IpAddress::parse);
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
