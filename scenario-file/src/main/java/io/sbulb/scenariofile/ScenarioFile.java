package io.sbulb.scenariofile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.DtlsCid;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import io.sbulb.api.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A scenario file (YAML, format in {@code scenarios/README.md}) as far as the shipped command
 * reads it: the YAML itself, its top-level fields, and the {@code limits} and {@code config}
 * sections ({@code sbulb replay --scenario}). The scenario engine's reader
 * ({@code io.sbulb.scenario.ScenarioReader}) starts here and goes on with the steps. Strict:
 * unknown fields, bad values and a config the limits refuse are {@link ScenarioException}s
 * naming the file, the section and the value.
 */
public final class ScenarioFile {

    /** The top-level fields of a scenario file. */
    public static final Set<String> TOP = YamlFields.keys("name", "description", "limits", "config", "services",
            "hostAddresses", "assumes", "steps");
    static final Set<String> LIMITS = YamlFields.keys("maxPorts", "maxRealServers", "maxAssociations", "maxServices");
    static final Set<String> CONFIG = YamlFields.keys("vip", "ports", "realServers");
    /** The fields of one service of a {@code services} list. */
    public static final Set<String> SERVICE = YamlFields.keys("name", "vip", "ports", "realServers", "dtlsCid");
    /** The fields of a service's {@code dtlsCid}: the services file's {@code dtls-cid}. */
    static final Set<String> DTLS_CID = YamlFields.keys("length", "nodeIdOffset", "nodeIdSize");

    /** Limits used when a scenario gives none: small, so nothing is sized for production. */
    public static final Limits DEFAULT_LIMITS = new Limits(4, 8, 64, 8);

    /** Longer scenario files are refused: the catalog's largest is a few kilobytes. */
    public static final long MAX_BYTES = 16L << 20;

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ScenarioFile() {
    }

    /**
     * What a scenario file says before its steps, its config checked against its limits.
     *
     * @param top    the top-level mapping, for the fields read after these (assumes, steps)
     * @param source names the file in errors
     */
    public record Header(YamlFields top, String source, String name, String description, Limits limits,
                         DataplaneConfig config) {
    }

    /** Reads the header of scenario file {@code file} (its steps are not read). */
    public static Header readHeader(Path file) {
        return header(parse(file), file.toString());
    }

    /** The YAML of scenario file {@code file}: a tree, not yet checked against the format. */
    public static JsonNode parse(Path file) {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES);
        } catch (TextFiles.Unreadable e) {
            throw new ScenarioException("cannot read scenario file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** The YAML of a scenario; {@code source} names it in errors. Duplicate keys are errors. */
    public static JsonNode parse(String yaml, String source) {
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
        return root;
    }

    /** Reads the top-level fields and the limits and config sections of a parsed scenario. */
    public static Header header(JsonNode root, String source) {
        YamlFields top = YamlFields.of(root, source, TOP);
        String name = top.requiredText("name");
        if (name.isBlank()) {
            throw top.error("name", "must not be blank");
        }
        String description = top.text("description");
        Limits limits = limits(top, source);
        DataplaneConfig config = config(top, source);
        List<IpAddress> hosts = top.addresses("hostAddresses");
        if (hosts != null) {
            config = config.withHostAddresses(new java.util.LinkedHashSet<>(hosts));
        }
        try {
            config.validate(limits);
        } catch (ConfigException e) {
            throw new ScenarioException(source + ": config: " + e.getMessage(), e);
        }
        return new Header(top, source, name, description, limits, config);
    }

    /** {@code vip: <address>} or {@code vip: none} / {@code vip: null} (none). */
    public static IpAddress vip(YamlFields f) {
        JsonNode v = f.raw("vip");
        if (v == null || v.isNull() || (v.isTextual() && v.asText().trim().equalsIgnoreCase("none"))) {
            return null;
        }
        return f.parsed("vip", IpAddress::parse);
    }

    private static Limits limits(YamlFields top, String source) {
        Limits d = DEFAULT_LIMITS;
        if (!top.has("limits")) {
            return d;
        }
        YamlFields l = YamlFields.of(top.raw("limits"), source + ": limits", LIMITS);
        Integer mp = l.integer("maxPorts", 1, Limits.MAX_PORTS_LIMIT);
        Integer mrs = l.integer("maxRealServers", 1, Limits.MAX_REAL_SERVERS_LIMIT);
        Integer ma = l.integer("maxAssociations", 1, Limits.MAX_ASSOCIATIONS_LIMIT);
        Integer ms = l.integer("maxServices", 1, Limits.MAX_SERVICES_LIMIT);
        return new Limits(mp != null ? mp : d.maxPorts(), mrs != null ? mrs : d.maxRealServers(),
                ma != null ? ma : d.maxAssociations(), ms != null ? ms : d.maxServices());
    }

    private static DataplaneConfig config(YamlFields top, String source) {
        if (top.has("config") && top.has("services")) {
            throw top.error("services", "give 'config' (one service) or 'services', not both");
        }
        if (top.has("services")) {
            return DataplaneConfig.of(services(top, "services", source));
        }
        if (!top.has("config")) {
            return DataplaneConfig.empty();
        }
        YamlFields c = YamlFields.of(top.raw("config"), source + ": config", CONFIG);
        IpAddress vip = vip(c);
        List<Integer> ports = c.integers("ports", 0, 65535);
        List<RealServer> rs = c.realServers("realServers");
        try {
            if (vip == null) {
                if (ports != null || rs != null) {
                    throw c.error(ports != null ? "ports" : "realServers",
                            "given without a vip: a service needs its virtual server (omit config for no service)");
                }
                return DataplaneConfig.empty();
            }
            return DataplaneConfig.of(List.of(Service.of(Service.DEFAULT_NAME, vip, ports == null ? List.of() : ports,
                    rs == null ? List.of() : rs)));
        } catch (ConfigException e) {
            throw new ScenarioException(source + ": config: " + e.getMessage(), e);
        }
    }

    /**
     * A {@code services} list: each {@code {name, vip, ports, realServers, dtlsCid}}, real servers as
     * {@link YamlFields#realServers}, {@code dtlsCid} optional: {@code {length, nodeIdOffset: 0, nodeIdSize: 1}}. Each service is checked on its own here (names, families,
     * duplicates); the whole list against the limits by the caller.
     */
    public static List<Service> services(YamlFields f, String key, String source) {
        List<JsonNode> items = f.sequence(key);
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String where = f.where() + ": " + key + " item " + (i + 1);
            YamlFields s = YamlFields.of(items.get(i), where, SERVICE);
            String name = s.requiredText("name");
            IpAddress vip = s.parsed("vip", IpAddress::parse);
            if (vip == null) {
                throw s.error("vip", "is missing: a service needs its virtual server address");
            }
            List<Integer> ports = s.integers("ports", 0, 65535);
            List<RealServer> rs = s.realServers("realServers");
            try {
                DtlsCid cid = null;
                if (s.has("dtlsCid")) {
                    YamlFields c = YamlFields.of(s.raw("dtlsCid"), where + ": dtlsCid", DTLS_CID);
                    Integer length = c.integer("length", 1, DtlsCid.MAX_LENGTH);
                    if (length == null) {
                        throw new ScenarioException(where + ": dtlsCid: 'length' is missing");
                    }
                    Integer offset = c.integer("nodeIdOffset", 0, DtlsCid.MAX_LENGTH);
                    Integer size = c.integer("nodeIdSize", 1, DtlsCid.MAX_NODE_ID_SIZE);
                    cid = new DtlsCid(length, offset == null ? DtlsCid.DEFAULT_NODE_ID_OFFSET : offset,
                            size == null ? DtlsCid.DEFAULT_NODE_ID_SIZE : size);
                }
                out.add(Service.of(name, vip, ports == null ? List.of() : ports, rs == null ? List.of() : rs, cid));
            } catch (ConfigException e) {
                throw new ScenarioException(where + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
