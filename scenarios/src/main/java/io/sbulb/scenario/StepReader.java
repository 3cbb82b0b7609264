package io.sbulb.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Health;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;
import io.sbulb.api.frame.UdpFrame.ChecksumMode;
import io.sbulb.scenariofile.ScenarioException;
import io.sbulb.scenariofile.ScenarioFile;
import io.sbulb.scenariofile.YamlFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one step of a scenario file; see {@link ScenarioReader}. */
final class StepReader {

    static final List<String> KINDS = List.of("frame", "hex", "configure", "health", "restart", "expectAssociations", "expectAssociated",
            "expectNotAssociated", "expectAssociationCount", "expectCounters");
    static final Set<String> FRAME_STEP = YamlFields.keys("frame", "hex", "expect", "repeat", "srcPortStep",
            "dependsOnLru", "note");
    static final Set<String> FRAME = YamlFields.keys("src", "dst", "ttl", "payload", "payloadHex", "srcMac", "dstMac",
            "ipv4Options", "ipv4FlagsFragment", "udpChecksum", "truncateTo", "icmp");
    static final Set<String> ICMP = YamlFields.keys("from", "type", "code", "mtu", "quoteBytes");
    static final Set<String> EXPECT = YamlFields.keys("verdict", "reason", "src", "dst", "ttl", "associatedTo");
    static final Set<String> CONFIGURE = YamlFields.keys("service", "vip", "ports", "realServers", "addRealServers",
            "removeRealServers", "services");
    static final Set<String> HEALTH = YamlFields.keys("service", "server", "state", "onDown", "allDown");

    private final String source;

    StepReader(String source) {
        this.source = source;
    }

    Step step(JsonNode node, int number, Assumes assumes) {
        String kind = kindOf(node, number);
        String where = source + ": step " + number + " (" + kind + ")";
        try {
            return switch (kind) {
                case "frame", "hex" -> frameStep(node, where, kind, assumes);
                case "configure" -> configure(node, where);
                case "health" -> health(node, where);
                case "restart" -> restart(node, where);
                case "expectCounters" -> {
                    YamlFields f = YamlFields.of(node, where, YamlFields.keys(kind, "dependsOnLru", "note"));
                    yield new CountersStep(ScenarioReader.counters(f.mapping(kind), where), dependsOnLru(f, false, assumes),
                            f.text("note"));
                }
                default -> associations(node, where, kind, assumes);
            };
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(where + ": " + e.getMessage(), e);
        }
    }

    private String kindOf(JsonNode node, int number) {
        if (node == null || !node.isObject()) {
            throw new ScenarioException(source + ": step " + number + ": expected a mapping such as 'frame: {...}', got "
                    + YamlFields.show(node));
        }
        String found = null;
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (KINDS.contains(k)) {
                if (found != null) {
                    throw new ScenarioException(source + ": step " + number + ": has both '" + found + "' and '" + k
                            + "'; a step does one thing");
                }
                found = k;
            }
        }
        if (found == null) {
            throw new ScenarioException(source + ": step " + number + ": no step kind; give one of " + KINDS);
        }
        return found;
    }

    private FrameStep frameStep(JsonNode node, String where, String kind, Assumes assumes) {
        YamlFields f = YamlFields.of(node, where, FRAME_STEP);
        Integer repeat = f.integer("repeat", 1, 1_000_000);
        Integer portStep = f.integer("srcPortStep", 0, 65535);
        if (!f.has("expect")) {
            throw new ScenarioException(where + ": 'expect' is missing: every frame needs an expected outcome");
        }
        boolean lru = dependsOnLru(f, false, assumes);
        FrameSpec spec = null;
        String hex = null;
        if (kind.equals("frame")) {
            spec = frameSpec(YamlFields.of(f.raw("frame"), where + ": frame", FRAME));
        } else {
            hex = f.parsed("hex", FrameSpec::normaliseHex); // "" is legal: the empty frame
        }
        Expect expect = expect(YamlFields.of(f.raw("expect"), where + ": expect", EXPECT));
        if (hex != null && expect.associatedTo() != null) {
            throw new ScenarioException(where + ": expect: 'associatedTo' needs a frame by fields, not hex");
        }
        return new FrameStep(spec, hex, repeat == null ? 1 : repeat, portStep == null ? 0 : portStep, expect, lru,
                f.text("note"));
    }

    private FrameSpec frameSpec(YamlFields f) {
        Endpoint src = f.parsed("src", EndpointRange::parseEndpoint);
        Endpoint dst = f.parsed("dst", EndpointRange::parseEndpoint);
        if (src == null || dst == null) {
            throw new ScenarioException(f.where() + ": give both 'src' and 'dst' (like \"198.18.0.1:5683\" or \"[fd00::1]:5683\")");
        }
        Integer ttl = f.integer("ttl", 0, 255);
        String payload = f.text("payload");
        String payloadHex = f.parsed("payloadHex", FrameSpec::normaliseHex);
        String srcMac = f.parsed("srcMac", FrameSpec::normaliseMac);
        String dstMac = f.parsed("dstMac", FrameSpec::normaliseMac);
        String options = f.parsed("ipv4Options", FrameSpec::normaliseHex);
        Integer flags = f.integer("ipv4FlagsFragment", 0, 0xffff);
        ChecksumMode checksum = f.enumValue("udpChecksum", ChecksumMode.class);
        Integer truncate = f.integer("truncateTo", 0, 65535);
        IcmpSpec icmp = f.has("icmp") ? icmp(YamlFields.of(f.raw("icmp"), f.where() + ": icmp", ICMP)) : null;
        FrameSpec spec;
        try {
            spec = new FrameSpec(src, dst, ttl, payload, payloadHex, srcMac, dstMac, options, flags, checksum, truncate, icmp);
            spec.toFrame(); // every field combination the builder refuses is reported here, not at run time
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(f.where() + ": " + e.getMessage(), e);
        }
        return spec;
    }

    private static IcmpSpec icmp(YamlFields f) {
        IpAddress from = f.parsed("from", IpAddress::parse);
        Integer type = f.integer("type", 0, 255);
        if (from == null || type == null) {
            throw new ScenarioException(f.where() + ": give 'from' (the address reporting the error) and 'type'");
        }
        Integer code = f.integer("code", 0, 255);
        Long mtu = f.has("mtu") ? (long) f.integer("mtu", 0, Integer.MAX_VALUE) : null;
        try {
            return new IcmpSpec(from, type, code == null ? 0 : code, mtu == null ? 0 : mtu, f.integer("quoteBytes", 0, 65535));
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(f.where() + ": " + e.getMessage(), e);
        }
    }

    private Expect expect(YamlFields f) {
        Reason reason = f.enumValue("reason", Reason.class);
        if (reason == null) {
            throw new ScenarioException(f.where() + ": 'reason' is missing: say why the data path decides, e.g. INGRESS_NEW_NAT");
        }
        Verdict verdict = f.enumValue("verdict", Verdict.class);
        Endpoint src = f.parsed("src", EndpointRange::parseEndpoint);
        Endpoint dst = f.parsed("dst", EndpointRange::parseEndpoint);
        Integer ttl = f.integer("ttl", 0, 255);
        IpAddress rs = f.parsed("associatedTo", IpAddress::parse);
        try {
            return new Expect(verdict, reason, src, dst, ttl, rs);
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(f.where() + ": " + e.getMessage(), e);
        }
    }

    private ConfigureStep configure(JsonNode node, String where) {
        YamlFields f = YamlFields.of(node, where, YamlFields.keys("configure", "note"));
        YamlFields c = YamlFields.of(f.raw("configure"), where, CONFIGURE);
        boolean setsVip = c.has("vip");
        IpAddress vip = setsVip ? ScenarioFile.vip(c) : null;
        return new ConfigureStep(c.text("service"), setsVip, vip, c.integers("ports", 0, 65535),
                c.realServers("realServers"), c.realServers("addRealServers"), c.addresses("removeRealServers"),
                c.has("services") ? ScenarioFile.services(c, "services", source) : null, f.text("note"));
    }

    private HealthStep health(JsonNode node, String where) {
        YamlFields f = YamlFields.of(node, where, YamlFields.keys("health", "note"));
        YamlFields h = YamlFields.of(f.raw("health"), where, HEALTH);
        IpAddress server = h.parsed("server", IpAddress::parse);
        if (server == null) {
            throw new ScenarioException(h.where() + ": 'server' is missing: the real server's address, like 198.18.1.1");
        }
        Health.State state = h.enumValue("state", Health.State.class);
        if (state == null) {
            throw new ScenarioException(h.where() + ": 'state' is missing: down or up");
        }
        return new HealthStep(h.text("service"), server, state, h.enumValue("onDown", Health.OnDown.class),
                h.enumValue("allDown", Health.AllDown.class), f.text("note"));
    }

    /** {@code restart: {}}: takes no fields (the mapping is there to say so, and for fields to come). */
    private RestartStep restart(JsonNode node, String where) {
        YamlFields f = YamlFields.of(node, where, YamlFields.keys("restart", "note"));
        JsonNode v = f.raw("restart");
        if (!v.isObject() || v.size() != 0) {
            throw f.error("restart", "it takes no fields: write 'restart: {}'");
        }
        return new RestartStep(f.text("note"));
    }

    private AssociationsStep associations(JsonNode node, String where, String kind, Assumes assumes) {
        YamlFields f = YamlFields.of(node, where, YamlFields.keys(kind, "dependsOnLru", "note"));
        boolean lru = dependsOnLru(f, assumes != null, assumes);
        String note = f.text("note");
        AssociationsStep.Kind k = null;
        for (AssociationsStep.Kind x : AssociationsStep.Kind.values()) {
            if (x.key().equals(kind)) {
                k = x;
            }
        }
        switch (k) {
            case COUNT -> {
                Integer n = f.integer(kind, 0, Integer.MAX_VALUE);
                return new AssociationsStep(k, null, null, n, lru, note);
            }
            case NOT_ASSOCIATED -> {
                List<JsonNode> items = f.sequence(kind);
                List<EndpointRange> clients = new ArrayList<>();
                Set<io.sbulb.api.Endpoint> seen = new HashSet<>();
                for (int i = 0; i < items.size(); i++) {
                    JsonNode n = items.get(i);
                    if (!n.isTextual()) {
                        throw new ScenarioException(where + ": item " + (i + 1) + " is " + YamlFields.show(n)
                                + ": expected a client like \"198.18.2.1:40000\"");
                    }
                    EndpointRange r = range(n.asText(), where);
                    noDuplicates(r, seen, where);
                    clients.add(r);
                }
                return new AssociationsStep(k, null, clients, 0, lru, note);
            }
            default -> {
                Map<AssociationsStep.Clients, IpAddress> bound = new LinkedHashMap<>();
                Set<String> seen = new HashSet<>();
                for (Map.Entry<String, JsonNode> e : f.mapping(kind)) {
                    AssociationsStep.Clients r = clients(e.getKey(), where);
                    for (io.sbulb.api.Endpoint c : r.range().endpoints()) {
                        if (!seen.add(r.service() + " " + c)) {
                            throw new ScenarioException(where + ": client " + c + " is listed twice");
                        }
                    }
                    JsonNode v = e.getValue();
                    if (!v.isTextual()) {
                        throw new ScenarioException(where + ": client " + e.getKey() + " -> " + YamlFields.show(v)
                                + ": expected a real server address, or " + AssociationsStep.STALE);
                    }
                    try {
                        bound.put(r, v.asText().trim().equals(AssociationsStep.STALE) ? null : IpAddress.parse(v.asText()));
                    } catch (IllegalArgumentException x) {
                        throw new ScenarioException(where + ": client " + e.getKey() + ": " + x.getMessage(), x);
                    }
                }
                return new AssociationsStep(k, bound, null, 0, lru, note);
            }
        }
    }

    private static AssociationsStep.Clients clients(String text, String where) {
        try {
            return AssociationsStep.Clients.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(where + ": client " + e.getMessage(), e);
        }
    }

    private static EndpointRange range(String text, String where) {
        try {
            return EndpointRange.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(where + ": client " + e.getMessage(), e);
        }
    }

    private static void noDuplicates(EndpointRange r, Set<io.sbulb.api.Endpoint> seen, String where) {
        for (io.sbulb.api.Endpoint e : r.endpoints()) {
            if (!seen.add(e)) {
                throw new ScenarioException(where + ": client " + e + " is listed twice");
            }
        }
    }

    private static boolean dependsOnLru(YamlFields f, boolean byDefault, Assumes assumes) {
        Boolean v = f.bool("dependsOnLru");
        if (Boolean.TRUE.equals(v) && assumes == null) {
            throw f.error("dependsOnLru", "needs an 'assumes' block saying which kernel LRU parameters it was derived for");
        }
        return v != null ? v : byDefault;
    }
}
