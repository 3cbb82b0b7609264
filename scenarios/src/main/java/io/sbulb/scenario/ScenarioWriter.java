package io.sbulb.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a scenario as a YAML file that {@link ScenarioReader} reads back to an equal scenario:
 * one step per list item, short mappings in flow style ({@code frame: {src: ..., dst: ...}}).
 * Used to turn a divergence found by {@link DifferentialRunner} into a reproducible file.
 */
public final class ScenarioWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BARE_KEY = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*$");
    private static final int FLOW_MAX_ENTRIES = 6;
    /** Enum constants (reasons, verdicts, batch rules) are written bare. */
    private static final Pattern ENUM_NAME = Pattern.compile("^[A-Z][A-Z0-9_]*$");
    /** Words YAML 1.1 would read as something other than a string. */
    private static final Pattern YAML_WORD = Pattern.compile("(?i)y|n|yes|no|on|off|true|false|null|~");

    private ScenarioWriter() {
    }

    /** The scenario as YAML text. */
    public static String toYaml(Scenario s) {
        StringBuilder out = new StringBuilder();
        out.append("# ").append(s.name()).append(" (written by ScenarioWriter)\n");
        for (String line : s.description().split("\n", -1)) {
            if (!line.isBlank()) {
                out.append("# ").append(line.stripTrailing()).append('\n');
            }
        }
        out.append("name: ").append(quote(s.name())).append('\n');
        if (!s.description().isEmpty()) {
            out.append("description: ").append(quote(s.description())).append('\n');
        }
        Limits l = s.limits();
        out.append("limits: {maxPorts: ").append(l.maxPorts()).append(", maxRealServers: ").append(l.maxRealServers())
                .append(", maxAssociations: ").append(l.maxAssociations()).append(", maxServices: ")
                .append(l.maxServices()).append("}\n");
        if (isSeedShape(s.initialConfig())) {
            out.append("config: ").append(flow(config(s.initialConfig()))).append('\n');
        } else {
            out.append("services:\n");
            for (JsonNode svc : services(s.initialConfig().services())) {
                out.append("  - ").append(flow(svc)).append('\n');
            }
        }
        if (!s.initialConfig().hostAddresses().isEmpty()) {
            ArrayNode hosts = NODES.arrayNode();
            s.initialConfig().hostAddresses().forEach(a -> hosts.add(a.toString()));
            out.append("hostAddresses: ").append(flow(hosts)).append('\n');
        }
        if (s.assumes() != null) {
            out.append("assumes: {possibleCpus: ").append(s.assumes().possibleCpus()).append(", batchRule: ")
                    .append(s.assumes().batchRule()).append("}\n");
        }
        out.append("steps:\n");
        for (Step step : s.steps()) {
            appendStep(out, stepNode(step, s.assumes() != null));
        }
        return out.toString();
    }

    /** Writes {@link #toYaml(Scenario)} to {@code file}. */
    public static void write(Scenario s, Path file) {
        try {
            Files.writeString(file, toYaml(s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write scenario to " + file, e);
        }
    }

    private static void appendStep(StringBuilder out, ObjectNode step) {
        boolean first = true;
        Iterator<Map.Entry<String, JsonNode>> it = step.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.append(first ? "  - " : "    ").append(key(e.getKey())).append(':');
            JsonNode v = e.getValue();
            if (v.isObject() && v.size() > FLOW_MAX_ENTRIES) {
                out.append('\n');
                v.fields().forEachRemaining(f -> out.append("        ").append(key(f.getKey())).append(": ")
                        .append(flow(f.getValue())).append('\n'));
            } else {
                out.append(' ').append(flow(v)).append('\n');
            }
            first = false;
        }
    }

    static ObjectNode stepNode(Step step, boolean hasAssumes) {
        ObjectNode n = NODES.objectNode();
        if (step instanceof FrameStep f) {
            if (f.fields() != null) {
                n.set("frame", frame(f.fields()));
            } else {
                n.put("hex", f.hex());
            }
            if (f.expect() != null) {
                n.set("expect", expect(f.expect()));
            }
            if (f.repeat() != 1) {
                n.put("repeat", f.repeat());
            }
            if (f.srcPortStep() != 0) {
                n.put("srcPortStep", f.srcPortStep());
            }
            if (f.dependsOnLru()) {
                n.put("dependsOnLru", true);
            }
        } else if (step instanceof ConfigureStep c) {
            n.set("configure", configure(c));
        } else if (step instanceof HealthStep h) {
            ObjectNode x = n.putObject("health");
            putIf(x, "service", h.service());
            x.put("server", h.server().toString());
            x.put("state", lower(h.state()));
            putIf(x, "onDown", h.onDown() == null ? null : lower(h.onDown()));
            putIf(x, "allDown", h.allDown() == null ? null : lower(h.allDown()));
        } else if (step instanceof RestartStep) {
            n.putObject("restart");
        } else if (step instanceof AssociationsStep a) {
            switch (a.check()) {
                case COUNT -> n.put(a.check().key(), a.count());
                case NOT_ASSOCIATED -> {
                    ArrayNode list = n.putArray(a.check().key());
                    a.unbound().forEach(r -> list.add(r.toString()));
                }
                default -> {
                    ObjectNode map = n.putObject(a.check().key());
                    a.bound().forEach((r, rs) -> map.put(r.toString(), rs == null ? AssociationsStep.STALE : rs.toString()));
                }
            }
            if (a.dependsOnLru() != hasAssumes) {
                n.put("dependsOnLru", a.dependsOnLru());
            }
        } else if (step instanceof CountersStep c) {
            ObjectNode map = n.putObject("expectCounters");
            for (Map.Entry<Reason, Long> e : c.packets().entrySet()) {
                map.put(e.getKey().name(), e.getValue());
            }
            if (c.dependsOnLru()) {
                n.put("dependsOnLru", true);
            }
        }
        if (step.note() != null) {
            n.put("note", step.note());
        }
        return n;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static ObjectNode frame(FrameSpec f) {
        ObjectNode n = NODES.objectNode();
        n.put("src", f.src().toString());
        n.put("dst", f.dst().toString());
        putIf(n, "ttl", f.ttl());
        putIf(n, "payload", f.payload());
        putIf(n, "payloadHex", f.payloadHex());
        putIf(n, "srcMac", f.srcMac());
        putIf(n, "dstMac", f.dstMac());
        putIf(n, "ipv4Options", f.ipv4Options());
        if (f.ipv4FlagsFragment() != null) {
            n.put("ipv4FlagsFragment", String.format("0x%04x", f.ipv4FlagsFragment()));
        }
        if (f.udpChecksum() != null) {
            n.put("udpChecksum", f.udpChecksum().name().toLowerCase(Locale.ROOT));
        }
        putIf(n, "truncateTo", f.truncateTo());
        if (f.icmp() != null) {
            ObjectNode i = n.putObject("icmp");
            i.put("from", f.icmp().from().toString());
            i.put("type", f.icmp().type());
            if (f.icmp().code() != 0) {
                i.put("code", f.icmp().code());
            }
            if (f.icmp().mtu() != 0) {
                i.put("mtu", f.icmp().mtu());
            }
            putIf(i, "quoteBytes", f.icmp().quoteBytes());
        }
        return n;
    }

    private static ObjectNode expect(Expect e) {
        ObjectNode n = NODES.objectNode();
        if (e.verdict() != null) {
            n.put("verdict", e.verdict().name());
        }
        n.put("reason", e.reason().name());
        putIf(n, "src", e.src() == null ? null : e.src().toString());
        putIf(n, "dst", e.dst() == null ? null : e.dst().toString());
        putIf(n, "ttl", e.ttl());
        putIf(n, "associatedTo", e.associatedTo() == null ? null : e.associatedTo().toString());
        return n;
    }

    private static ObjectNode configure(ConfigureStep c) {
        ObjectNode n = NODES.objectNode();
        if (c.services() != null) {
            n.set("services", services(c.services()));
            return n;
        }
        putIf(n, "service", c.service());
        if (c.setsVip()) {
            n.put("vip", c.vip() == null ? "none" : c.vip().toString());
        }
        if (c.ports() != null) {
            ArrayNode a = n.putArray("ports");
            c.ports().forEach(a::add);
        }
        realServers(n, "realServers", c.realServers());
        realServers(n, "addRealServers", c.addRealServers());
        addresses(n, "removeRealServers", c.removeRealServers());
        return n;
    }

    /** One service named as the seed's, of unweighted servers: written as {@code config}. */
    private static boolean isSeedShape(DataplaneConfig c) {
        return c.services().isEmpty() || (c.services().size() == 1
                && c.services().get(0).name().equals(io.sbulb.api.Service.DEFAULT_NAME)
                && c.services().get(0).dtlsCid().isEmpty());
    }

    private static ObjectNode config(DataplaneConfig c) {
        ObjectNode n = NODES.objectNode();
        if (c.services().isEmpty()) {
            n.put("vip", "none");
            return n;
        }
        io.sbulb.api.Service only = c.services().get(0);
        n.put("vip", only.vip().toString());
        ArrayNode ports = n.putArray("ports");
        only.ports().forEach(ports::add);
        realServers(n, "realServers", only.realServers());
        return n;
    }

    private static ArrayNode services(List<io.sbulb.api.Service> list) {
        ArrayNode out = NODES.arrayNode();
        for (io.sbulb.api.Service s : list) {
            ObjectNode n = out.addObject();
            n.put("name", s.name());
            n.put("vip", s.vip().toString());
            ArrayNode ports = n.putArray("ports");
            s.ports().forEach(ports::add);
            realServers(n, "realServers", s.realServers());
            s.dtlsCid().ifPresent(c -> n.putObject("dtlsCid").put("length", c.length())
                    .put("nodeIdOffset", c.nodeIdOffset()).put("nodeIdSize", c.nodeIdSize()));
        }
        return out;
    }

    private static void realServers(ObjectNode n, String key, List<io.sbulb.api.RealServer> list) {
        if (list != null) {
            ArrayNode a = n.putArray(key);
            list.forEach(x -> a.add(x.toString()));
        }
    }

    private static void addresses(ObjectNode n, String key, List<IpAddress> list) {
        if (list != null) {
            ArrayNode a = n.putArray(key);
            list.forEach(x -> a.add(x.toString()));
        }
    }

    private static void putIf(ObjectNode n, String key, Object v) {
        if (v instanceof Integer i) {
            n.put(key, i);
        } else if (v != null) {
            n.put(key, v.toString());
        }
    }

    /** A JSON rendering, which is valid YAML flow style; keys left bare where that is unambiguous. */
    static String flow(JsonNode v) {
        if (v.isObject()) {
            StringBuilder sb = new StringBuilder("{");
            v.fields().forEachRemaining(e -> {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(key(e.getKey())).append(": ").append(flow(e.getValue()));
            });
            return sb.append('}').toString();
        }
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            v.forEach(x -> {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(flow(x));
            });
            return sb.append(']').toString();
        }
        if (v.isTextual()) {
            String t = v.asText();
            return ENUM_NAME.matcher(t).matches() && !YAML_WORD.matcher(t).matches() ? t : quote(t);
        }
        return v.toString();
    }

    private static String key(String k) {
        return BARE_KEY.matcher(k).matches() && !YAML_WORD.matcher(k).matches() ? k : quote(k);
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
