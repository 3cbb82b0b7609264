package io.sbulb.pcap.testing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Scapy-made fixtures of {@code pcaps/fixtures/}, as listed in its {@code fixtures.json}
 * (written by {@code pcaps/generate.py}).
 */
public final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** One fixture: a configuration, an input pcap and what must come out of it. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Fixture(String name, String description, int family, String vip, List<Integer> ports,
                          List<String> realServers, String scenarioFile) {

        public Path input() {
            return dir().resolve(name + ".pcap");
        }

        public Path expected() {
            return dir().resolve(name + ".expected.pcap");
        }

        public Path expectedLog() {
            return dir().resolve(name + ".expected.jsonl");
        }

        /**
         * The replay options that configure it, default limits: the balancer's own ({@code -vs},
         * {@code -rs}, {@code -p}), or {@code --scenario} for a configuration they cannot give
         * (no real server: {@code -rs} needs one, and {@code -cfg} refuses an empty list).
         */
        public List<String> balancerArgs() {
            if (scenarioFile != null) {
                return List.of("--scenario", dir().resolve(scenarioFile).toString());
            }
            List<String> args = new ArrayList<>(List.of("-vs", vip, "-rs"));
            args.addAll(realServers);
            args.add("-p");
            ports.forEach(p -> args.add(Integer.toString(p)));
            return args;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The fixtures directory: {@code pcaps/fixtures} of this checkout, found from the working directory. */
    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("pcaps/fixtures");
            if (Files.isRegularFile(candidate.resolve("fixtures.json"))) {
                return candidate;
            }
            if (p.getFileName() != null && p.getFileName().toString().equals("pcaps")
                    && Files.isRegularFile(p.resolve("fixtures/fixtures.json"))) {
                return p.resolve("fixtures");
            }
        }
        throw new IllegalStateException("pcaps/fixtures/fixtures.json not found above " + Path.of("").toAbsolutePath());
    }

    /** Every fixture, in the manifest's order. */
    public static List<Fixture> all() {
        try {
            JsonNode root = JSON.readTree(dir().resolve("fixtures.json").toFile());
            List<Fixture> list = new ArrayList<>();
            for (JsonNode n : root.get("fixtures")) {
                list.add(JSON.treeToValue(n, Fixture.class));
            }
            if (list.isEmpty()) {
                throw new IllegalStateException("fixtures.json lists no fixture");
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The expected log lines of a fixture, parsed. */
    public static List<JsonNode> readJsonLines(Path file) {
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
