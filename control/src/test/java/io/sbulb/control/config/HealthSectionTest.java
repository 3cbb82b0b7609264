package io.sbulb.control.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.ConfigException;
import io.sbulb.control.health.HealthCheck;
import io.sbulb.control.health.Probe;
import io.sbulb.control.health.ServiceHealth;
import io.sbulb.control.health.ServiceHealth.AllDown;
import io.sbulb.control.health.ServiceHealth.OnDown;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A service's health section: what it means (built with the constructors), and one row per refusal. */
class HealthSectionTest {

    /** A service at line 2 whose health section starts at line 6 (its keys at column 7). */
    private static final String SVC = "services:\n  - name: a\n    vip: 198.18.0.10\n    ports: [5684, 5683]\n"
            + "    real-servers: [198.18.2.11]\n    health:\n";

    private static ServiceHealth health(String section) {
        return ServicesFile.parse(SVC + section, "svc.yaml").health().get("a");
    }

    @Test
    void aCoapProbeAloneTakesEveryDefaultAndTheLowestPort() {
        assertThat(health("      probe: coap\n")).isEqualTo(ServiceHealth.of(HealthCheck.of(new Probe.Coap(), 5683)));
        ServiceHealth d = ServiceHealth.of(HealthCheck.of(new Probe.Dtls(), 1));
        assertThat(d.check().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.check().timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.check().rise()).isEqualTo(2);
        assertThat(d.check().fall()).isEqualTo(3);
        assertThat(d.onDown()).isEqualTo(OnDown.MOVE);
        assertThat(d.allDown()).isEqualTo(AllDown.DROP);
        assertThat(d.drainQuiet()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyKeyIsRead() {
        assertThat(health("""
                      probe: dtls
                      port: 5684
                      interval: 500ms
                      timeout: 200ms
                      rise: 1
                      fall: 5
                      on-down: keep
                      all-down: keep
                      drain-quiet: 2m
                """)).isEqualTo(new ServiceHealth(new HealthCheck(new Probe.Dtls(), 5684, Duration.ofMillis(500),
                Duration.ofMillis(200), 1, 5), OnDown.KEEP, AllDown.KEEP, Duration.ofMinutes(2)));
        assertThat(health("      probe: udp\n      payload: ping\n      expect-hex: '706f 6e67'\n      interval: 1h\n"
                + "      timeout: 1m\n").check()).isEqualTo(new HealthCheck(new Probe.Udp(ascii("ping"), ascii("pong")),
                5683, Duration.ofHours(1), Duration.ofMinutes(1), 2, 3));
        assertThat(health("      probe: udp\n      payload-hex: 00ff\n").check().probe())
                .isEqualTo(new Probe.Udp(new byte[] {0, (byte) 0xff}, new byte[0]));
    }

    @Test
    void aServiceWithoutASectionHasNone() {
        assertThat(ServicesFile.parse(SVC.replace("    health:\n", ""), "svc.yaml").health()).isEmpty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no probe", "      fall: 2\n",
                        "svc.yaml line 7, column 7: the health section of service a: 'probe' is missing"),
                Arguments.of("an unknown probe", "      probe: http\n",
                        "svc.yaml line 7, column 14: probe: 'http' is not one of udp, coap, dtls"),
                Arguments.of("an unknown key", "      probe: coap\n      inter: 2s\n",
                        "svc.yaml line 8, column 7: unknown key 'inter' in the health section of service a (known: "
                                + "all-down, drain-quiet, expect, expect-hex, fall, interval, on-down, payload, "
                                + "payload-hex, port, probe, rise, timeout)"),
                Arguments.of("not a mapping", "      - coap\n",
                        "svc.yaml line 7, column 7: the health section of service a is a mapping"),
                Arguments.of("a udp probe without payload", "      probe: udp\n",
                        "svc.yaml line 7, column 7: service a: a udp probe needs 'payload' (text) or 'payload-hex'"),
                Arguments.of("payload and payload-hex", "      probe: udp\n      payload: a\n      payload-hex: 61\n",
                        "svc.yaml line 9, column 7: give payload or payload-hex, not both (payload at line 8)"),
                Arguments.of("bad hex", "      probe: udp\n      payload-hex: 6g\n",
                        "svc.yaml line 8, column 20: payload-hex: '6g' is not an even number of hex digits"),
                Arguments.of("a payload for coap", "      probe: coap\n      payload: a\n",
                        "svc.yaml line 8, column 7: payload is for udp probes; a coap probe sends its own"),
                Arguments.of("a duration without its unit", "      probe: coap\n      interval: 2\n",
                        "svc.yaml line 8, column 17: interval: expected a duration like 500ms, 2s, 5m or 1h, got '2'"),
                Arguments.of("an interval too short", "      probe: coap\n      interval: 50ms\n",
                        "svc.yaml line 8, column 17: service a: interval: 50ms is outside 100ms..1h"),
                Arguments.of("a timeout longer than the interval", "      probe: coap\n      timeout: 3s\n",
                        "svc.yaml line 8, column 16: service a: timeout: 3s is outside 10ms..the interval (2s)"),
                Arguments.of("a fall of 0", "      probe: coap\n      fall: 0\n",
                        "svc.yaml line 8, column 13: fall: 0 is outside 1..100"),
                Arguments.of("a port out of range", "      probe: coap\n      port: 0\n",
                        "svc.yaml line 8, column 13: port: 0 is outside 1..65535"),
                Arguments.of("an unknown on-down", "      probe: coap\n      on-down: drain\n",
                        "svc.yaml line 8, column 16: on-down: 'drain' is not one of move, keep"),
                Arguments.of("an unknown all-down", "      probe: coap\n      all-down: move\n",
                        "svc.yaml line 8, column 17: all-down: 'move' is not one of drop, keep"),
                Arguments.of("a drain-quiet too short", "      probe: coap\n      drain-quiet: 500ms\n",
                        "svc.yaml line 8, column 20: service a: drain-quiet: 500ms is outside 1s..24h"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aBadSectionIsOneErrorNamingTheLineAndTheValue(String what, String section, String message) {
        assertThatThrownBy(() -> ServicesFile.parse(SVC + section, "svc.yaml")).isInstanceOf(ConfigException.class)
                .message().startsWith(message);
    }
}
