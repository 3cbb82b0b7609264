package io.sbulb.control.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sbulb.api.ConfigException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML document read into nodes that remember where they are (line and column), so that every
 * error about a value can name its line. Jackson's tree model drops the locations its parser
 * knows; this reads the parser's tokens instead. Strict: a key given twice, a second document
 * and an empty file are errors.
 */
final class YamlTree {

    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    /** A place in the file, 1-based. */
    record At(int line, int column) {
        static At of(JsonLocation l) {
            return new At(l.getLineNr(), l.getColumnNr());
        }

        @Override
        public String toString() {
            return "line " + line + ", column " + column;
        }
    }

    /** A node of the document. */
    sealed interface Node permits Scalar, Sequence, Mapping {
        At at();
    }

    /**
     * A scalar: its text as written, and the kind YAML gives it ({@link JsonToken#VALUE_STRING},
     * {@link JsonToken#VALUE_NUMBER_INT}, ...).
     */
    record Scalar(String text, JsonToken kind, At at) implements Node {
    }

    record Sequence(List<Node> items, At at) implements Node {
    }

    /** A key with its place and its value. */
    record Entry(String key, At keyAt, Node value) {
    }

    record Mapping(Map<String, Entry> entries, At at) implements Node {
        Entry get(String key) {
            return entries.get(key);
        }
    }

    private final String source;
    private final JsonParser parser;

    private YamlTree(String source, JsonParser parser) {
        this.source = source;
        this.parser = parser;
    }

    /**
     * The document of {@code text}; {@code source} names it in errors.
     *
     * @throws ConfigException for YAML that cannot be read, naming the line and column
     */
    static Node parse(String text, String source) {
        try (JsonParser p = YAML.createParser(text)) {
            YamlTree t = new YamlTree(source, p);
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ConfigException(source + ": the file is empty");
            }
            Node root = t.node(first);
            JsonToken more = p.nextToken();
            if (more != null) {
                throw t.error(At.of(p.currentTokenLocation()), "a second YAML document: the file holds one");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + syntaxError(e), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    private static final Pattern MARK = Pattern.compile("^ in '[^']*', line (\\d+), column (\\d+):");

    /**
     * " line L, column C: not valid YAML: PROBLEM": SnakeYAML's message is a context, the
     * problem, each followed by its mark and an excerpt of the line; the problem and its mark say
     * what is wrong where (Jackson's location is the context's).
     */
    private static String syntaxError(JsonProcessingException e) {
        String problem = "";
        At at = e.getLocation() == null ? null : At.of(e.getLocation());
        for (String line : e.getOriginalMessage().split("\n")) {
            Matcher m = MARK.matcher(line);
            if (m.find()) {
                at = new At(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            } else if (!line.isBlank() && !line.startsWith(" ")) {
                problem = line.strip();
            }
        }
        return (at == null ? "" : " " + at) + ": not valid YAML: " + problem;
    }

    private Node node(JsonToken t) throws IOException {
        At at = At.of(parser.currentTokenLocation());
        if (t == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (JsonToken k = parser.nextToken(); k != JsonToken.END_OBJECT; k = parser.nextToken()) {
                String key = parser.currentName();
                At keyAt = At.of(parser.currentTokenLocation());
                Node value = node(parser.nextToken());
                Entry before = entries.putIfAbsent(key, new Entry(key, keyAt, value));
                if (before != null) {
                    throw error(keyAt, "key '" + key + "' is given twice (first at line " + before.keyAt().line() + ")");
                }
            }
            return new Mapping(Collections.unmodifiableMap(entries), at);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            for (JsonToken i = parser.nextToken(); i != JsonToken.END_ARRAY; i = parser.nextToken()) {
                items.add(node(i));
            }
            return new Sequence(List.copyOf(items), at);
        }
        return new Scalar(t == JsonToken.VALUE_NULL ? "" : parser.getText(), t, at);
    }

    private ConfigException error(At at, String message) {
        return new ConfigException(source + " " + at + ": " + message);
    }
}
