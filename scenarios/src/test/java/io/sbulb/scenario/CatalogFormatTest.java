package io.sbulb.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every catalog file parses, round-trips through the writer, says what it proves, and stays in the test ranges. */
class CatalogFormatTest {

    static List<String> files() {
        return Catalog.names();
    }

    @Test
    void catalogHasAtLeastThirtyScenarios() {
        assertThat(files()).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void parsesAndRoundTripsThroughTheWriter(String name) {
        Scenario s = Catalog.read(name);
        String yaml = ScenarioWriter.toYaml(s);
        Scenario again = ScenarioReader.read(yaml, name + " (written back)");
        assertThat(again).as("scenario read back from:\n%s", yaml).isEqualTo(s);
        assertThat(ScenarioWriter.toYaml(again)).isEqualTo(yaml);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void startsWithACommentSayingWhatItProvesAndIsNamedAfterItsFile(String name) throws IOException {
        String text = Files.readString(Catalog.file(name));
        assertThat(text).startsWith("# ");
        Scenario s = Catalog.read(name);
        assertThat(s.name() + ".yaml").isEqualTo(name);
        assertThat(s.description()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void usesOnlyBenchmarkingAddresses(String name) {
        Scenario s = Catalog.read(name);
        for (IpAddress a : addresses(s)) {
            byte[] b = a.bytes();
            boolean ok = a.isIpv4() ? (b[0] & 0xff) == 198 && ((b[1] & 0xff) == 18 || (b[1] & 0xff) == 19)
                    : (b[0] & 0xff) == 0xfd;
            assertThat(ok || martian(a)).as("%s in %s is outside 198.18.0.0/15 and fd00::/8 and not martian", a, name)
                    .isTrue();
        }
    }

    /**
     * Addresses no host can have (the data path's martian set, docs/design.md §1): scenarios use
     * them as the spoofed sources and destinations the data path must drop.
     */
    private static boolean martian(IpAddress a) {
        byte[] b = a.bytes();
        int b0 = b[0] & 0xff;
        if (a.isIpv4()) {
            return b0 == 0 || b0 == 127 || (b0 == 169 && (b[1] & 0xff) == 254) || (b0 >= 224 && b0 <= 239)
                    || a.equals(IpAddress.parse("255.255.255.255"));
        }
        return b0 == 0xff || (b0 == 0xfe && (b[1] & 0xc0) == 0x80) || a.equals(IpAddress.parse("::"))
                || a.equals(IpAddress.parse("::1"));
    }

    static List<IpAddress> addresses(Scenario s) {
        List<IpAddress> out = new ArrayList<>();
        addresses(s.initialConfig().services(), out);
        for (Step step : s.steps()) {
            if (step instanceof FrameStep f) {
                if (f.fields() != null) {
                    out.add(f.fields().src().address());
                    out.add(f.fields().dst().address());
                    if (f.fields().icmp() != null) {
                        out.add(f.fields().icmp().from());
                    }
                } else {
                    out.addAll(hexAddresses(Frame.ofHex(f.hex())));
                }
                Expect e = f.expect();
                for (Endpoint ep : new Endpoint[] {e.src(), e.dst()}) {
                    if (ep != null) {
                        out.add(ep.address());
                    }
                }
                if (e.associatedTo() != null) {
                    out.add(e.associatedTo());
                }
            } else if (step instanceof ConfigureStep c) {
                if (c.vip() != null) {
                    out.add(c.vip());
                }
                for (List<io.sbulb.api.RealServer> l : List.of(listOrEmpty(c.realServers()), listOrEmpty(c.addRealServers()))) {
                    l.forEach(x -> out.add(x.address()));
                }
                out.addAll(listOrEmpty(c.removeRealServers()));
                if (c.services() != null) {
                    addresses(c.services(), out);
                }
            } else if (step instanceof AssociationsStep a) {
                a.bound().forEach((r, rs) -> {
                    out.add(r.range().address());
                    if (rs != null) {
                        out.add(rs);
                    }
                });
                a.unbound().forEach(r -> out.add(r.address()));
            }
        }
        return out;
    }

    private static <T> List<T> listOrEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static void addresses(List<io.sbulb.api.Service> services, List<IpAddress> out) {
        for (io.sbulb.api.Service svc : services) {
            out.add(svc.vip());
            out.addAll(svc.addresses());
        }
    }

    /** The IP addresses of a raw frame whose version field agrees with its EtherType. */
    private static List<IpAddress> hexAddresses(Frame f) {
        byte[] b = f.bytes();
        if (b.length >= 34 && b[12] == 0x08 && b[13] == 0x00 && (b[14] & 0xf0) == 0x40) {
            return List.of(IpAddress.read(b, 26, 4), IpAddress.read(b, 30, 4));
        }
        if (b.length >= 54 && (b[12] & 0xff) == 0x86 && (b[13] & 0xff) == 0xdd && (b[14] & 0xf0) == 0x60) {
            return List.of(IpAddress.read(b, 22, 6), IpAddress.read(b, 38, 6));
        }
        return List.of();
    }
}
