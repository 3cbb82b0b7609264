package io.sbulb.control.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The services file: what a valid one means (built independently with the API's constructors),
 * and one row per refusal, each naming the file, the line and column and the value.
 */
class ServicesFileTest {

    static final String EXAMPLE = """
            # two services, one per family
            limits:
              max-services: 8
              max-ports: 4
              max-real-servers: 6
              max-associations: 4096
            services:
              - name: coap-v4
                vip: 198.18.0.10
                ports: [5683, 5684]
                real-servers:
                  - 198.18.2.11            # weight 1
                  - {address: 198.18.2.12, weight: 3}
                  - address: 198.18.2.13
                    weight: 0              # draining
              - name: coap-v6
                vip: fd00::10
                ports: [5683]
                real-servers: [fd00:2::11, "fd00:2::12"]
            """;

    @TempDir
    Path dir;

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void theExampleIsTwoServicesWithWeightsAndItsLimits() {
        ServicesFile.Contents c = ServicesFile.parse(EXAMPLE, "svc.yaml");
        assertThat(c.limits()).isEqualTo(new Limits(4, 6, 4096, 8));
        assertThat(c.config()).isEqualTo(DataplaneConfig.of(List.of(
                Service.of("coap-v4", ip("198.18.0.10"), List.of(5683, 5684), List.of(
                        RealServer.of(ip("198.18.2.11")), new RealServer(ip("198.18.2.12"), 3),
                        new RealServer(ip("198.18.2.13"), 0))),
                Service.of("coap-v6", ip("fd00::10"), List.of(5683), List.of(
                        RealServer.of(ip("fd00:2::11")), RealServer.of(ip("fd00:2::12")))))));
    }

    @Test
    void aDtlsCidServiceHasItsLayoutAndEachServerItsNodeId() {
        ServicesFile.Contents c = ServicesFile.parse("""
                services:
                  - name: dtls
                    vip: 198.18.0.11
                    ports: [5684]
                    dtls-cid: {length: 6}
                    real-servers:
                      - {address: 198.18.2.21, node-id: 1}
                      - {address: 198.18.2.22, weight: 2, node-id: 255}
                  - name: wide
                    vip: fd00::11
                    ports: [5684]
                    dtls-cid: {length: 8, node-id-offset: 2, node-id-size: 4}
                    real-servers:
                      - {address: "fd00:2::21", node-id: 4294967295}
                """, "svc.yaml");
        assertThat(c.config()).isEqualTo(DataplaneConfig.of(List.of(
                Service.of("dtls", ip("198.18.0.11"), List.of(5684), List.of(new RealServer(ip("198.18.2.21"), 1, 1),
                        new RealServer(ip("198.18.2.22"), 2, 255)), new io.sbulb.api.DtlsCid(6, 0, 1)),
                Service.of("wide", ip("fd00::11"), List.of(5684), List.of(new RealServer(ip("fd00:2::21"), 1, 0xffffffffL)),
                        new io.sbulb.api.DtlsCid(8, 2, 4)))));
    }

    @Test
    void withoutLimitsTheDefaultsApplyAndAnEmptyListBalancesNothing() {
        ServicesFile.Contents c = ServicesFile.parse("services: []\n", "svc.yaml");
        assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
        assertThat(c.config()).isEqualTo(DataplaneConfig.empty());
    }

    @Test
    void theReadmesExampleIsValid() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String intro = "```yaml\n# /etc/sbulb/services.yaml";
        int at = readme.indexOf(intro);
        assertThat(at).as("the README's services file example, starting %s", intro).isNotNegative();
        String yaml = readme.substring(at + "```yaml\n".length(), readme.indexOf("```", at + intro.length()));
        ServicesFile.Contents c = ServicesFile.parse(yaml, "README.md");
        assertThat(c.config().services()).extracting(Service::name).containsExactly("coap-v4", "coap-v6");
    }

    static Stream<Arguments> refusals() {
        String svc = "services:\n  - name: a\n    vip: 198.18.0.10\n    ports: [5683]\n    real-servers: [198.18.2.11]\n";
        String cid = "services:\n  - name: d\n    vip: 198.18.0.10\n    ports: [5684]\n    real-servers:\n"
                + "      - {address: 198.18.2.21, node-id: 1}\n      - {address: 198.18.2.22, node-id: 2}\n";
        return Stream.of(
                Arguments.of("an unknown top-level key", "service:\n  - name: a\n",
                        "svc.yaml line 1, column 1: unknown key 'service' in the file (known: limits, services)"),
                Arguments.of("an unknown key in a service", svc + "    weight: 3\n",
                        "svc.yaml line 6, column 5: unknown key 'weight' in a service (known: dtls-cid, health, name, ports, "
                                + "real-servers, vip)"),
                Arguments.of("an unknown key in a real server",
                        svc.replace("[198.18.2.11]", "[{address: 198.18.2.11, wieght: 2}]"),
                        "svc.yaml line 5, column 43: unknown key 'wieght' in a real server (known: address, node-id, weight)"),
                Arguments.of("an unknown limit", "limits:\n  max-clients: 3\n" + svc,
                        "svc.yaml line 2, column 3: unknown key 'max-clients' in limits (known: max-associations, "
                                + "max-ports, max-real-servers, max-services)"),
                Arguments.of("a key twice", svc + "    ports: [5684]\n",
                        "svc.yaml line 6, column 5: key 'ports' is given twice (first at line 4)"),
                Arguments.of("no services key", "limits: {max-ports: 2}\n",
                        "svc.yaml line 1, column 1: no 'services' key"),
                Arguments.of("a bad VIP", svc.replace("198.18.0.10", "198.18.0.300"),
                        "svc.yaml line 3, column 10: vip: '198.18.0.300' is not an IPv4 or IPv6 address literal"),
                Arguments.of("a bad real server", svc.replace("[198.18.2.11]", "[198.18.2.11, 198.18.2.x]"),
                        "svc.yaml line 5, column 33: real-servers: '198.18.2.x' is not an IPv4 or IPv6 address literal"),
                Arguments.of("a port out of range", svc.replace("[5683]", "[5683, 70000]"),
                        "svc.yaml line 4, column 19: ports: 70000 is outside 1..65535"),
                Arguments.of("a port listed twice", svc.replace("[5683]", "[5683, 5683]"),
                        "svc.yaml line 4, column 19: service a: port 5683 is listed twice (first at line 4)"),
                Arguments.of("a port as text", svc.replace("[5683]", "[coap]"),
                        "svc.yaml line 4, column 13: ports: expected an integer in 1..65535, got 'coap'"),
                Arguments.of("no port", svc.replace("[5683]", "[]"),
                        "svc.yaml line 4, column 12: service a: no port"),
                Arguments.of("a weight out of range", svc.replace("[198.18.2.11]", "[{address: 198.18.2.11, weight: 256}]"),
                        "svc.yaml line 5, column 51: weight: 256 is outside 0..255"),
                Arguments.of("a server of the other family", svc.replace("[198.18.2.11]", "[198.18.2.11, fd00::2]"),
                        "svc.yaml line 5, column 33: service a: real server fd00::2 is IPv6 but the virtual server "
                                + "198.18.0.10 is IPv4"),
                Arguments.of("a missing VIP", "services:\n  - name: a\n    ports: [5683]\n    real-servers: []\n",
                        "svc.yaml line 2, column 5: service a: 'vip' is missing"),
                Arguments.of("a bad name", svc.replace("name: a", "name: 'a b'"),
                        "svc.yaml line 2, column 5: service name 'a b' is not 1 to 31 characters"),
                Arguments.of("a name used twice", svc + svc.substring("services:\n".length()).replace("198.18.0.10", "198.18.0.11"),
                        "svc.yaml line 6, column 5: service name 'a' is used twice (first at line 2)"),
                Arguments.of("more ports than the limit",
                        "limits: {max-ports: 1}\n" + svc.replace("[5683]", "[5683, 5684]"),
                        "svc.yaml line 3, column 5: service a: 2 ports configured, at most 1 allowed (limits: max-ports)"),
                Arguments.of("more services than the limit", "limits: {max-services: 1}\n" + svc
                                + svc.substring("services:\n".length()).replace("name: a", "name: b")
                                .replace("198.18.0.10", "198.18.0.11").replace("198.18.2.11", "198.18.2.12"),
                        "svc.yaml line 7, column 5: 2 services configured, at most 1 allowed (limits: max-services)"),
                Arguments.of("a VIP endpoint of two services", svc + svc.substring("services:\n".length())
                                .replace("name: a", "name: b").replace("198.18.2.11", "198.18.2.12"),
                        "svc.yaml line 6, column 5: services a and b both balance 198.18.0.10:5683"),
                Arguments.of("an address both VIP and server, said at the later service", svc
                                + svc.substring("services:\n".length()).replace("name: a", "name: b")
                                .replace("198.18.0.10", "198.18.2.11").replace("[198.18.2.11]", "[198.18.2.12]"),
                        "svc.yaml line 6, column 5: address 198.18.2.11 is the virtual server of service b and a real "
                                + "server of service a"),
                Arguments.of("a limit out of range", "limits: {max-real-servers: 0}\n" + svc,
                        "svc.yaml line 1, column 28: max-real-servers: 0 is outside 1..65536"),
                Arguments.of("an unknown key in dtls-cid", cid + "    dtls-cid: {length: 6, node-offset: 1}\n",
                        "svc.yaml line 8, column 27: unknown key 'node-offset' in dtls-cid of service d (known: length, "
                                + "node-id-offset, node-id-size)"),
                Arguments.of("dtls-cid without its length", cid + "    dtls-cid: {node-id-size: 1}\n",
                        "svc.yaml line 8, column 15: dtls-cid of service d: 'length' is missing"),
                Arguments.of("dtls-cid not a mapping", cid + "    dtls-cid: 6\n",
                        "svc.yaml line 8, column 15: dtls-cid of service d is a mapping (key: value), got '6'"),
                Arguments.of("a CID length of 0", cid + "    dtls-cid: {length: 0}\n",
                        "svc.yaml line 8, column 24: length: 0 is outside 1..255"),
                Arguments.of("a CID length above RFC 9146's 255", cid + "    dtls-cid: {length: 256}\n",
                        "svc.yaml line 8, column 24: length: 256 is outside 1..255"),
                Arguments.of("a node-id size of 0", cid + "    dtls-cid: {length: 6, node-id-size: 0}\n",
                        "svc.yaml line 8, column 41: node-id-size: 0 is outside 1..4"),
                Arguments.of("a node-id size above 4", cid + "    dtls-cid: {length: 6, node-id-size: 5}\n",
                        "svc.yaml line 8, column 41: node-id-size: 5 is outside 1..4"),
                Arguments.of("a node id past the CID's end", cid + "    dtls-cid: {length: 6, node-id-offset: 5, node-id-size: 2}\n",
                        "svc.yaml line 8, column 43: node-id-offset: 5 is outside 0..4"),
                Arguments.of("a node-id size above the length", cid + "    dtls-cid: {length: 2, node-id-size: 3}\n",
                        "svc.yaml line 8, column 41: service d: dtls-cid node-id-size 3 is more than the length 2 holds"),
                Arguments.of("a node id that the size does not hold",
                        cid.replace("node-id: 2}", "node-id: 256}") + "    dtls-cid: {length: 6}\n",
                        "svc.yaml line 7, column 41: service d: real server 198.18.2.22 has node-id 256, more than "
                                + "node-id-size 1 holds (at most 255)"),
                Arguments.of("a node id out of range",
                        cid.replace("node-id: 2}", "node-id: 4294967296}") + "    dtls-cid: {length: 6, node-id-size: 4}\n",
                        "svc.yaml line 7, column 41: node-id: 4294967296 is outside 0..4294967295"),
                Arguments.of("a node id given twice", cid.replace("node-id: 2}", "node-id: 1}") + "    dtls-cid: {length: 6}\n",
                        "svc.yaml line 7, column 41: service d: real server 198.18.2.22 has node-id 1, already real "
                                + "server 198.18.2.21's: node ids are unique in a service"),
                Arguments.of("two node ids with the same last byte", cid.replace("node-id: 2}", "node-id: 257}")
                                + "    dtls-cid: {length: 6, node-id-size: 2}\n",
                        "svc.yaml line 7, column 41: service d: real server 198.18.2.22 has node-id 257, whose last byte "
                                + "is real server 198.18.2.21's node id's: the node ids of a service differ in their last byte"),
                Arguments.of("a server without a node id in a CID service",
                        cid.replace("{address: 198.18.2.22, node-id: 2}", "198.18.2.22") + "    dtls-cid: {length: 6}\n",
                        "svc.yaml line 7, column 9: service d: real server 198.18.2.22 has no node-id: every real server "
                                + "of a service with dtls-cid needs"),
                Arguments.of("a node id without dtls-cid", cid,
                        "svc.yaml line 6, column 41: service d: real server 198.18.2.21 has node-id 1 but the service "
                                + "has no dtls-cid"),
                Arguments.of("a node id as text", cid.replace("node-id: 2}", "node-id: two}") + "    dtls-cid: {length: 6}\n",
                        "svc.yaml line 7, column 41: node-id: expected an integer in 0..4294967295, got 'two'"),
                Arguments.of("not YAML", "services: [a, \n",
                        "svc.yaml line 2, column 1: not valid YAML: expected the node content, but found '<stream end>'"),
                Arguments.of("two documents", svc + "---\n" + svc,
                        "svc.yaml line 7, column 1: a second YAML document"),
                Arguments.of("an empty file", "# nothing\n", "svc.yaml: the file is empty"),
                Arguments.of("a list at the top", "- a\n", "svc.yaml line 1, column 1: the file is a mapping"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aBadFileIsOneErrorNamingTheFileTheLineAndTheValue(String what, String yaml, String message) {
        assertThatThrownBy(() -> ServicesFile.parse(yaml, "svc.yaml")).isInstanceOf(ConfigException.class)
                .message().startsWith(message);
    }

    @Test
    void aLimitOtherThanTheRunningOneIsRefusedAtItsLine() {
        ServicesFile.Contents c = ServicesFile.parse(EXAMPLE, "svc.yaml");
        c.requireLimits(new Limits(4, 6, 4096, 8));
        assertThatThrownBy(() -> c.requireLimits(new Limits(4, 6, 8192, 8))).hasMessage("svc.yaml line 6, column 3: "
                + "max-associations is 4096 but the data path runs with 8192: the limits are fixed at start; restart "
                + "sbulb to change them");
        ServicesFile.Contents d = ServicesFile.parse("services: []\n", "svc.yaml");
        assertThatThrownBy(() -> d.requireLimits(new Limits(4, 32, 1 << 20, 64))).hasMessage("svc.yaml: max-ports is "
                + "16 (the default) but the data path runs with 4: the limits are fixed at start; restart sbulb to "
                + "change them");
    }

    @Test
    @Timeout(10)
    void aFifoIsRefusedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("svc.yaml");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThatThrownBy(() -> ServicesFile.read(fifo)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read services file " + fifo + ": it is not a regular file (a FIFO, a device or a "
                        + "socket?)");
        assertThatThrownBy(() -> ServicesFile.read(dir.resolve("none.yaml"))).hasMessageEndingWith(": no such file");
    }
}
