package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.scenariofile.ScenarioException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A malformed file gives a clear error naming the file, the step and the value. */
class ReaderErrorsTest {

    static final String HEAD = """
            name: bad
            config: {vip: 198.18.0.1, ports: [5683], realServers: [198.18.1.1]}
            steps:
              - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
            """;

    /** A service that routes DTLS CID records, for the rows that break it. */
    static final String CID = """
            name: bad
            services:
              - {name: d, vip: 198.18.0.1, ports: [5684], realServers: ["198.18.1.1@1", "198.18.1.2@2"], dtlsCid: {length: 6}}
            steps:
              - hex: ""
                expect: {reason: INVALID_ETH_SIZE}
            """;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("unknown top-level field", "name: x\nstesp: []\n",
                        new String[] {"bad.yaml", "unknown field 'stesp'", "known: name"}),
                Arguments.of("unknown frame field", HEAD + """
                          - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683", tll: 3}
                            expect: {reason: INGRESS_REUSED_NAT, dst: "198.18.1.1:5683"}
                        """, new String[] {"bad.yaml: step 2 (frame): frame", "unknown field 'tll'"}),
                Arguments.of("bad address", HEAD + """
                          - frame: {src: "198.18.2.300:1000", dst: "198.18.0.1:5683"}
                            expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
                        """, new String[] {"step 2 (frame)", "'src' is '198.18.2.300:1000'", "not an IPv4 or IPv6 address"}),
                Arguments.of("IPv6 endpoint without brackets", HEAD + """
                          - frame: {src: "fd00::1:1000", dst: "198.18.0.1:5683"}
                            expect: {reason: NOT_IP}
                        """, new String[] {"step 2", "'fd00::1:1000'", "[address]:port"}),
                Arguments.of("missing expect", HEAD + """
                          - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                        """, new String[] {"step 2 (frame)", "'expect' is missing"}),
                Arguments.of("missing reason", HEAD + """
                          - hex: "00"
                            expect: {verdict: DROP}
                        """, new String[] {"step 2 (hex): expect", "'reason' is missing"}),
                Arguments.of("TX without rewritten fields", HEAD + """
                          - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683"}
                            expect: {reason: INGRESS_REUSED_NAT}
                        """, new String[] {"step 2", "must give the rewritten src or dst"}),
                Arguments.of("verdict contradicting reason", HEAD + """
                          - hex: "00"
                            expect: {verdict: PASS, reason: INVALID_ETH_SIZE}
                        """, new String[] {"step 2", "verdict PASS contradicts reason INVALID_ETH_SIZE"}),
                Arguments.of("unknown reason", HEAD + """
                          - hex: "00"
                            expect: {reason: TOO_SHORT}
                        """, new String[] {"step 2", "'reason' is 'TOO_SHORT'", "not one of"}),
                Arguments.of("odd hex", HEAD + "  - hex: \"abc\"\n    expect: {reason: NOT_IP}\n",
                        new String[] {"step 2 (hex)", "'hex' is 'abc'"}),
                Arguments.of("unquoted numeric hex", HEAD + "  - hex: 1234\n    expect: {reason: NOT_IP}\n",
                        new String[] {"step 2 (hex)", "expected text (quote it)"}),
                Arguments.of("two kinds in one step", HEAD + """
                          - hex: "00"
                            configure: {ports: [1]}
                            expect: {reason: INVALID_ETH_SIZE}
                        """, new String[] {"step 2", "has both 'hex' and 'configure'"}),
                Arguments.of("no kind", HEAD + "  - expect: {reason: NOT_IP}\n",
                        new String[] {"step 2", "no step kind"}),
                Arguments.of("removing a server that is not configured", HEAD + """
                          - configure: {removeRealServers: [198.18.1.9]}
                        """, new String[] {"step 2 (configure)", "198.18.1.9 is not configured"}),
                Arguments.of("configuration beyond the limits", """
                        name: bad
                        limits: {maxRealServers: 1}
                        config: {vip: 198.18.0.1, ports: [5683], realServers: [198.18.1.1, 198.18.1.2]}
                        steps:
                          - hex: ""
                            expect: {reason: INVALID_ETH_SIZE}
                        """, new String[] {"bad.yaml: config", "2 real servers configured, at most 1"}),
                Arguments.of("dtlsCid with an unknown field", CID.replace("{length: 6}", "{length: 6, offset: 1}"),
                        new String[] {"bad.yaml: services item 1: dtlsCid", "unknown field 'offset'"}),
                Arguments.of("dtlsCid without its length", CID.replace("{length: 6}", "{nodeIdSize: 1}"),
                        new String[] {"bad.yaml: services item 1: dtlsCid: 'length' is missing"}),
                Arguments.of("dtlsCid length beyond 255", CID.replace("{length: 6}", "{length: 300}"),
                        new String[] {"services item 1: dtlsCid: 'length' is 300", "outside 1..255"}),
                Arguments.of("a node id that is not a number", CID.replace("198.18.1.2@2", "198.18.1.2@two"),
                        new String[] {"'realServers' item 2", "the node id after '@' is not a number"}),
                Arguments.of("a server without a node id in a dtlsCid service", CID.replace("198.18.1.2@2", "198.18.1.2"),
                        new String[] {"services item 1", "real server 198.18.1.2 has no node-id"}),
                Arguments.of("a node id without dtlsCid", CID.replace(", dtlsCid: {length: 6}", ""),
                        new String[] {"services item 1", "real server 198.18.1.1 has node-id 1 but the service has no dtls-cid"}),
                Arguments.of("mixed families", HEAD + """
                          - configure: {realServers: ["fd00::1:1"]}
                        """, new String[] {"step 2 (configure)", "is IPv6 but the virtual server 198.18.0.1 is IPv4"}),
                Arguments.of("dependsOnLru without assumes", HEAD + """
                          - expectAssociationCount: 1
                            dependsOnLru: true
                        """, new String[] {"step 2 (expectAssociationCount)", "needs an 'assumes' block"}),
                Arguments.of("client listed twice", HEAD + """
                          - expectNotAssociated: ["198.18.2.1:1-3", "198.18.2.1:2"]
                        """, new String[] {"step 2", "198.18.2.1:2 is listed twice"}),
                Arguments.of("restart with a field", HEAD + "  - restart: {crash: true}\n",
                        new String[] {"step 2 (restart)", "'restart' is {\"crash\":true}", "write 'restart: {}'"}),
                Arguments.of("restart without its mapping", HEAD + "  - restart:\n",
                        new String[] {"step 2 (restart)", "'restart' is null", "takes no fields"}),
                Arguments.of("restart with an unknown field beside it", HEAD + "  - restart: {}\n    expect: {reason: NOT_IP}\n",
                        new String[] {"step 2 (restart)", "unknown field 'expect'"}),
                Arguments.of("health of a server not configured", HEAD + "  - health: {server: 198.18.1.9, state: down}\n",
                        new String[] {"step 2 (health)", "server 198.18.1.9 is not a real server of service default"}),
                Arguments.of("health of an unknown service", HEAD + "  - health: {service: x, server: 198.18.1.1, state: down}\n",
                        new String[] {"step 2 (health)", "service x is not configured"}),
                Arguments.of("health without a state", HEAD + "  - health: {server: 198.18.1.1}\n",
                        new String[] {"step 2 (health)", "'state' is missing: down or up"}),
                Arguments.of("health with a bad policy", HEAD + "  - health: {server: 198.18.1.1, state: down, onDown: stay}\n",
                        new String[] {"step 2 (health)", "'onDown' is 'stay'", "not one of [MOVE, KEEP]"}),
                Arguments.of("health with an unknown field", HEAD + "  - health: {server: 198.18.1.1, state: down, weight: 0}\n",
                        new String[] {"step 2 (health)", "unknown field 'weight'"}),
                Arguments.of("bad counter", HEAD + "  - expectCounters: {INGRESS_NEW_NAT: -1}\n",
                        new String[] {"step 2 (expectCounters)", "INGRESS_NEW_NAT is -1"}),
                Arguments.of("truncation past the end", HEAD + """
                          - frame: {src: "198.18.2.1:1000", dst: "198.18.0.1:5683", truncateTo: 500}
                            expect: {reason: INVALID_UDP_SIZE}
                        """, new String[] {"step 2 (frame): frame", "truncateTo 500 is longer than the frame"}),
                Arguments.of("duplicate key", HEAD + """
                          - frame: {src: "198.18.2.1:1000", src: "198.18.2.1:1001", dst: "198.18.0.1:5683"}
                            expect: {reason: INGRESS_NEW_NAT, dst: "198.18.1.1:5683"}
                        """, new String[] {"bad.yaml: not valid YAML at line 6", "Duplicate field 'src'"}),
                Arguments.of("YAML syntax", "name: [unclosed\n", new String[] {"bad.yaml: not valid YAML at line"}),
                Arguments.of("empty file", "", new String[] {"bad.yaml: the file is empty"}),
                Arguments.of("no steps", "name: x\nsteps: []\n", new String[] {"bad.yaml: 'steps' is missing or empty"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedFileGivesAClearError(String what, String yaml, String[] fragments) {
        assertThatThrownBy(() -> ScenarioReader.read(yaml, "bad.yaml"))
                .isInstanceOf(ScenarioException.class)
                .message().contains(fragments);
    }
}
