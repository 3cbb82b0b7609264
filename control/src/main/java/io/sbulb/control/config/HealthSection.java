package io.sbulb.control.config;

import com.fasterxml.jackson.core.JsonToken;
import io.sbulb.control.config.YamlTree.At;
import io.sbulb.control.config.YamlTree.Entry;
import io.sbulb.control.config.YamlTree.Mapping;
import io.sbulb.control.config.YamlTree.Node;
import io.sbulb.control.config.YamlTree.Scalar;
import io.sbulb.control.health.HealthCheck;
import io.sbulb.control.health.Probe;
import io.sbulb.control.health.ServiceHealth;
import io.sbulb.control.health.ServiceHealth.AllDown;
import io.sbulb.control.health.ServiceHealth.OnDown;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's optional {@code health:} section in the services file (README, "Health checks"):
 *
 * <pre>
 * health:
 *   probe: coap            # udp | coap | dtls; required
 *   port: 5683             # default: the service's lowest port
 *   payload: "ping"        # udp only, one of payload (text) or payload-hex; required for udp
 *   expect: "pong"         # udp only, one of expect or expect-hex: the reply's first bytes; default: any reply
 *   interval: 2s           # ms, s, m or h
 *   timeout: 1s            # at most the interval
 *   rise: 2
 *   fall: 3
 *   on-down: move          # move | keep
 *   all-down: drop         # drop | keep
 *   drain-quiet: 30s
 * </pre>
 *
 * As strict as the rest of the file: each error names the line and column of the value.
 */
final class HealthSection {

    static final List<String> KEYS = List.of("probe", "port", "payload", "payload-hex", "expect", "expect-hex",
            "interval", "timeout", "rise", "fall", "on-down", "all-down", "drain-quiet");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    private final ServicesFile file;

    HealthSection(ServicesFile file) {
        this.file = file;
    }

    /** The section of service {@code service}, whose lowest port is {@code defaultPort}. */
    ServiceHealth read(Entry section, String service, int defaultPort) {
        Mapping m = file.mapping(section.value(), "the health section of service " + service, Set.copyOf(KEYS));
        Entry kindEntry = file.required(m, "probe", "the health section of service " + service);
        String kind = word(kindEntry, List.of("udp", "coap", "dtls"));
        Probe probe;
        if (kind.equals("udp")) {
            byte[] payload = bytes(m, "payload", null);
            if (payload == null) {
                throw file.error(m.at(), "service " + service + ": a udp probe needs 'payload' (text) or 'payload-hex'");
            }
            if (payload.length == 0 || payload.length > 1024) {
                throw file.error(either(m, "payload").value().at(), either(m, "payload").key() + ": "
                        + payload.length + " bytes, expected 1..1024");
            }
            byte[] expect = bytes(m, "expect", new byte[0]);
            probe = new Probe.Udp(payload, expect);
        } else {
            for (String udpOnly : List.of("payload", "payload-hex", "expect", "expect-hex")) {
                Entry e = m.get(udpOnly);
                if (e != null) {
                    throw file.error(e.keyAt(), udpOnly + " is for udp probes; a " + kind + " probe sends its own");
                }
            }
            probe = kind.equals("coap") ? new Probe.Coap() : new Probe.Dtls();
        }
        Entry portEntry = m.get("port");
        int port = portEntry == null ? defaultPort : file.integer(portEntry, 1, 65535);
        Duration interval = duration(m, "interval", HealthCheck.DEFAULT_INTERVAL);
        Duration timeout = duration(m, "timeout", HealthCheck.DEFAULT_TIMEOUT);
        int rise = m.get("rise") == null ? HealthCheck.DEFAULT_RISE : file.integer(m.get("rise"), 1, HealthCheck.MAX_RUN);
        int fall = m.get("fall") == null ? HealthCheck.DEFAULT_FALL : file.integer(m.get("fall"), 1, HealthCheck.MAX_RUN);
        HealthCheck check;
        try {
            check = new HealthCheck(probe, port, interval, timeout, rise, fall);
        } catch (IllegalArgumentException e) {
            throw file.error(locate(m, e.getMessage()), "service " + service + ": " + e.getMessage(), e);
        }
        Entry onDown = m.get("on-down");
        Entry allDown = m.get("all-down");
        Entry quiet = m.get("drain-quiet");
        try {
            return new ServiceHealth(check,
                    onDown == null ? OnDown.MOVE : OnDown.valueOf(upper(word(onDown, List.of("move", "keep")))),
                    allDown == null ? AllDown.DROP : AllDown.valueOf(upper(word(allDown, List.of("drop", "keep")))),
                    duration(m, "drain-quiet", ServiceHealth.DEFAULT_DRAIN_QUIET));
        } catch (IllegalArgumentException e) {
            throw file.error(quiet == null ? m.at() : quiet.value().at(), "service " + service + ": " + e.getMessage(), e);
        }
    }

    /** The value's line: a check's message starts with the key it is about; else the section's. */
    private static At locate(Mapping m, String message) {
        int colon = message.indexOf(':');
        Entry e = colon < 0 ? null : m.get(message.substring(0, colon));
        return e == null ? m.at() : e.value().at();
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    private String word(Entry e, List<String> allowed) {
        String w = text(e);
        if (!allowed.contains(w)) {
            throw file.error(e.value().at(), e.key() + ": '" + w + "' is not one of " + String.join(", ", allowed));
        }
        return w;
    }

    private String text(Entry e) {
        if (!(e.value() instanceof Scalar s) || s.kind() != JsonToken.VALUE_STRING) {
            throw file.error(e.value().at(), e.key() + ": expected text, got " + ServicesFile.show(e.value()));
        }
        return s.text();
    }

    /** {@code key} (text, UTF-8) or {@code key-hex} (hex digits), not both. */
    private byte[] bytes(Mapping m, String key, byte[] absent) {
        Entry text = m.get(key);
        Entry hex = m.get(key + "-hex");
        if (text != null && hex != null) {
            throw file.error(hex.keyAt(), "give " + key + " or " + key + "-hex, not both (" + key + " at line "
                    + text.keyAt().line() + ")");
        }
        if (text != null) {
            return text(text).getBytes(StandardCharsets.UTF_8);
        }
        if (hex != null) {
            try {
                return HexFormat.of().parseHex(text(hex).replace(" ", ""));
            } catch (IllegalArgumentException e) {
                throw file.error(hex.value().at(), hex.key() + ": '" + text(hex) + "' is not an even number of hex digits", e);
            }
        }
        return absent;
    }

    private static Entry either(Mapping m, String key) {
        Entry e = m.get(key);
        return e != null ? e : m.get(key + "-hex");
    }

    private Duration duration(Mapping m, String key, Duration absent) {
        Entry e = m.get(key);
        if (e == null) {
            return absent;
        }
        Node n = e.value();
        Matcher x = n instanceof Scalar s && s.kind() == JsonToken.VALUE_STRING ? DURATION.matcher(s.text()) : null;
        if (x == null || !x.matches()) {
            throw file.error(n.at(), key + ": expected a duration like 500ms, 2s, 5m or 1h, got " + ServicesFile.show(n));
        }
        long v = Long.parseLong(x.group(1));
        return switch (x.group(2)) {
            case "ms" -> Duration.ofMillis(v);
            case "s" -> Duration.ofSeconds(v);
            case "m" -> Duration.ofMinutes(v);
            default -> Duration.ofHours(v);
        };
    }
}
