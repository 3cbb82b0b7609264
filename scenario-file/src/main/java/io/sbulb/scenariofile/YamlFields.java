package io.sbulb.scenariofile;

import com.fasterxml.jackson.databind.JsonNode;
import io.sbulb.api.ConfigException;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RealServer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Strict, typed access to one YAML mapping. Every error names where it is ({@code where}: file,
 * step, field) and the offending value; unknown keys are errors listing the known ones.
 */
public final class YamlFields {

    private final JsonNode node;
    private final String where;

    private YamlFields(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    /** The mapping {@code node}; an error if it is not one, or has a key outside {@code allowed}. */
    public static YamlFields of(JsonNode node, String where, Set<String> allowed) {
        if (node == null || !node.isObject()) {
            throw new ScenarioException(where + ": expected a mapping (key: value), got " + show(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!allowed.contains(k)) {
                throw new ScenarioException(where + ": unknown field '" + k + "' (known: " + String.join(", ", allowed) + ")");
            }
        }
        return new YamlFields(node, where);
    }

    public static Set<String> keys(String... keys) {
        return new LinkedHashSet<>(List.of(keys));
    }

    public String where() {
        return where;
    }

    public boolean has(String key) {
        return node.has(key);
    }

    public JsonNode raw(String key) {
        return node.get(key);
    }

    public ScenarioException error(String key, String problem) {
        return new ScenarioException(where + ": '" + key + "' is " + show(node.get(key)) + ": " + problem);
    }

    /** A text value, or null if absent; a number or boolean is an error (hex and addresses must be quoted). */
    public String text(String key) {
        JsonNode v = present(key, JsonNode::isTextual, "expected text (quote it)");
        return v == null ? null : v.asText();
    }

    public String requiredText(String key) {
        String v = text(key);
        if (v == null) {
            throw new ScenarioException(where + ": '" + key + "' is missing");
        }
        return v;
    }

    /** An integer, or null if absent. Accepts {@code 0x...} text for bit fields. */
    public Integer integer(String key, long min, long max) {
        JsonNode v = node.get(key);
        if (v == null) {
            return null;
        }
        long value;
        if (v.isIntegralNumber()) {
            value = v.asLong();
        } else if (v.isTextual() && v.asText().trim().toLowerCase(java.util.Locale.ROOT).startsWith("0x")) {
            try {
                value = Long.parseLong(v.asText().trim().substring(2), 16);
            } catch (NumberFormatException e) {
                throw error(key, "not a hex number");
            }
        } else {
            throw error(key, "expected an integer");
        }
        if (value < min || value > max) {
            throw error(key, "outside " + min + ".." + max);
        }
        return (int) value;
    }

    public Boolean bool(String key) {
        JsonNode v = present(key, JsonNode::isBoolean, "expected true or false");
        return v == null ? null : v.asBoolean();
    }

    /** Parses a text value with {@code parser}; its IllegalArgumentException becomes a located error. */
    public <T> T parsed(String key, Function<String, T> parser) {
        String v = text(key);
        if (v == null) {
            return null;
        }
        try {
            return parser.apply(v);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        String v = text(key);
        if (v == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v.trim())) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        throw error(key, "not one of " + names);
    }

    /** A sequence of address literals, or null if absent. */
    public List<IpAddress> addresses(String key) {
        List<JsonNode> items = sequence(key);
        if (items == null) {
            return null;
        }
        List<IpAddress> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isTextual()) {
                throw new ScenarioException(where + ": '" + key + "' item " + (i + 1) + " is " + show(n) + ": expected an address");
            }
            try {
                out.add(IpAddress.parse(n.asText()));
            } catch (IllegalArgumentException e) {
                throw new ScenarioException(where + ": '" + key + "' item " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * A sequence of real servers, or null if absent: each an address literal, optionally with its
     * weight after a star and its DTLS connection-id node id after an at sign
     * ({@code 198.18.1.1*3}, {@code fd00::1*0}, {@code 198.18.1.1@7}, {@code 198.18.1.1*2@7}).
     */
    public List<RealServer> realServers(String key) {
        List<JsonNode> items = sequence(key);
        if (items == null) {
            return null;
        }
        List<RealServer> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isTextual()) {
                throw new ScenarioException(where + ": '" + key + "' item " + (i + 1) + " is " + show(n)
                        + ": expected an address, optionally with a weight and a node id like 198.18.1.1*3@7");
            }
            try {
                out.add(realServer(n.asText()));
            } catch (IllegalArgumentException | ConfigException e) {
                throw new ScenarioException(where + ": '" + key + "' item " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** {@code 198.18.1.1} (weight 1) or {@code 198.18.1.1*3}, then optionally {@code @} and a node id. */
    public static RealServer realServer(String text) {
        int at = text.indexOf('@');
        if (at >= 0) {
            String id = text.substring(at + 1).trim();
            if (!id.matches("\\d{1,10}")) {
                throw new IllegalArgumentException("'" + text + "': the node id after '@' is not a number");
            }
            return realServer(text.substring(0, at)).withNodeId(Long.parseLong(id));
        }
        int star = text.indexOf('*');
        if (star < 0) {
            return RealServer.of(IpAddress.parse(text));
        }
        String w = text.substring(star + 1).trim();
        if (!w.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("'" + text + "': the weight after '*' is not a number");
        }
        return new RealServer(IpAddress.parse(text.substring(0, star)), Integer.parseInt(w));
    }

    /** A sequence of integers in {@code min..max}, or null if absent. */
    public List<Integer> integers(String key, int min, int max) {
        List<JsonNode> items = sequence(key);
        if (items == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
                throw new ScenarioException(where + ": '" + key + "' item " + (i + 1) + " is " + show(n)
                        + ": expected an integer in " + min + ".." + max);
            }
            out.add(n.asInt());
        }
        return out;
    }

    public List<JsonNode> sequence(String key) {
        JsonNode v = present(key, JsonNode::isArray, "expected a list");
        if (v == null) {
            return null;
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    /** The entries of a mapping value, in file order, or null if absent. */
    public List<Map.Entry<String, JsonNode>> mapping(String key) {
        JsonNode v = present(key, JsonNode::isObject, "expected a mapping");
        if (v == null) {
            return null;
        }
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        v.fields().forEachRemaining(out::add);
        return out;
    }

    /** The value of {@code key}, or null if absent; an error saying {@code expected} if it is not of the kind {@code is} accepts. */
    private JsonNode present(String key, Predicate<JsonNode> is, String expected) {
        JsonNode v = node.get(key);
        if (v != null && !is.test(v)) {
            throw error(key, expected);
        }
        return v;
    }

    public static String show(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "'" + n.asText() + "'";
        }
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
