package io.sbulb.scenariofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scenario file's header: its limits and config, read strictly, its steps left to the scenario engine. */
class ScenarioFileTest {

    @TempDir
    Path dir;

    private static ScenarioFile.Header header(String yaml) {
        return ScenarioFile.header(ScenarioFile.parse(yaml, "t.yaml"), "t.yaml");
    }

    @Test
    void limitsAndConfigAreReadAndTheStepsAreNot() throws Exception {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, "name: fleet\ndescription: three servers\nlimits: {maxPorts: 2, maxAssociations: 16}\n"
                + "config:\n  vip: 198.18.0.1\n  ports: [5683]\n  realServers: [198.18.1.1, 198.18.1.2]\n"
                + "steps:\n  - whatever: the engine reads steps, not this reader\n");
        ScenarioFile.Header h = ScenarioFile.readHeader(f);
        assertThat(h.name()).isEqualTo("fleet");
        assertThat(h.description()).isEqualTo("three servers");
        assertThat(h.source()).isEqualTo(f.toString());
        assertThat(h.limits()).isEqualTo(new Limits(2, ScenarioFile.DEFAULT_LIMITS.maxRealServers(), 16,
                ScenarioFile.DEFAULT_LIMITS.maxServices()));
        assertThat(h.config()).isEqualTo(DataplaneConfig.of(IpAddress.parse("198.18.0.1"), List.of(5683),
                List.of(IpAddress.parse("198.18.1.1"), IpAddress.parse("198.18.1.2"))));
    }

    @Test
    void withoutLimitsOrConfigTheDefaultsHold() {
        ScenarioFile.Header h = header("name: bare\n");
        assertThat(h.limits()).isEqualTo(ScenarioFile.DEFAULT_LIMITS);
        assertThat(h.config()).isEqualTo(DataplaneConfig.empty());
        assertThat(header("name: novip\nconfig: {vip: none}\n").config()).isEqualTo(DataplaneConfig.empty());
        assertThatThrownBy(() -> header("name: novip\nconfig: {vip: none, ports: [1]}\n"))
                .hasMessageContaining("given without a vip");
    }

    @Test
    void servicesAreReadWithTheirWeights() {
        ScenarioFile.Header h = header("name: s\nlimits: {maxServices: 2}\nservices:\n"
                + "  - {name: a, vip: 198.18.0.1, ports: [5683], realServers: [198.18.1.1*3, 198.18.1.2]}\n"
                + "  - {name: b, vip: 'fd00::1', ports: [5684], realServers: ['fd00:1::1*0']}\n");
        assertThat(h.limits().maxServices()).isEqualTo(2);
        assertThat(h.config().services()).extracting(Object::toString).containsExactly(
                "a: vip=198.18.0.1 ports=[5683] realServers=[198.18.1.1*3, 198.18.1.2]",
                "b: vip=fd00::1 ports=[5684] realServers=[fd00:1::1*0]");
    }

    @Test
    void hostAddressesAreReadAndNeverAVip() {
        ScenarioFile.Header h = header("name: h\nconfig: {vip: 198.18.0.1, ports: [5683]}\n"
                + "hostAddresses: ['fd00::fe', 198.18.0.254]\n");
        assertThat(h.config().hostAddresses()).containsExactly(IpAddress.parse("198.18.0.254"), IpAddress.parse("fd00::fe"));
        assertThatThrownBy(() -> header("name: h\nconfig: {vip: 198.18.0.1}\nhostAddresses: [198.18.0.1]\n"))
                .hasMessage("t.yaml: config: host address 198.18.0.1 is the virtual server of service default: the "
                        + "balancer host's own addresses are never balanced");
        assertThatThrownBy(() -> header("name: h\nhostAddresses: [198.18.0.300]\n"))
                .hasMessageStartingWith("t.yaml: 'hostAddresses' item 1: ");
    }

    @Test
    void everyErrorNamesTheFileTheSectionAndTheValue() {
        assertThatThrownBy(() -> header("name: x\nlimit: {maxPorts: 2}\n")).isInstanceOf(ScenarioException.class)
                .hasMessage("t.yaml: unknown field 'limit' (known: name, description, limits, config, services, "
                        + "hostAddresses, assumes, steps)");
        assertThatThrownBy(() -> header("name: x\nlimits: {maxPorts: 0}\n"))
                .hasMessage("t.yaml: limits: 'maxPorts' is 0: outside 1.." + Limits.MAX_PORTS_LIMIT);
        assertThatThrownBy(() -> header("name: x\nconfig: {vip: 198.18.0.1, realServers: [198.18.1.256]}\n"))
                .hasMessageStartingWith("t.yaml: config: 'realServers' item 1: ");
        assertThatThrownBy(() -> header("name: x\nlimits: {maxRealServers: 1}\n"
                + "config: {vip: 198.18.0.1, realServers: [198.18.1.1, 198.18.1.2]}\n"))
                .hasMessageStartingWith("t.yaml: config: ").hasMessageContaining("2 real servers");
        assertThatThrownBy(() -> header("name: ' '\n")).hasMessageContaining("'name' is ' ': must not be blank");
        assertThatThrownBy(() -> header("description: no name\n")).hasMessage("t.yaml: 'name' is missing");
        assertThatThrownBy(() -> ScenarioFile.parse("name: [broken\n", "t.yaml"))
                .hasMessageStartingWith("t.yaml: not valid YAML at line ");
        assertThatThrownBy(() -> ScenarioFile.parse("name: a\nname: b\n", "t.yaml"))
                .hasMessageContaining("Duplicate field 'name'");
        assertThatThrownBy(() -> header("name: x\nconfig: {vip: 198.18.0.1}\nservices: []\n"))
                .hasMessageContaining("give 'config' (one service) or 'services', not both");
        assertThatThrownBy(() -> header("name: x\nservices: [{name: a, vip: 198.18.0.1, realServers: [198.18.1.1*x]}]\n"))
                .hasMessageContaining("the weight after '*' is not a number");
        assertThatThrownBy(() -> header("name: x\nservices: [{name: a, vip: 198.18.0.1}, {name: a, vip: fd00::1}]\n"))
                .hasMessageContaining("service name a is used twice");
        assertThatThrownBy(() -> header("name: x\nservices: [{name: a, vip: 198.18.0.1, port: [1]}]\n"))
                .hasMessageContaining("unknown field 'port'");
        assertThatThrownBy(() -> ScenarioFile.parse("", "t.yaml")).hasMessage("t.yaml: the file is empty");
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> ScenarioFile.readHeader(missing)).isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("cannot read scenario file " + missing + ": ");
    }
}
