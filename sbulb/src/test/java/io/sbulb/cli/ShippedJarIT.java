package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What ships is the product: the runnable jar {@code target/sbulb.jar}, as the shade plugin made it
 * at {@code package}, holds the command and what it runs, and nothing of the test side: no lab,
 * scenario engine, benchmark or testing kit, no test class, no test framework, no BPF object but
 * sbulb's own. Run by maven-failsafe after the jar is built ({@code mvn verify}).
 */
class ShippedJarIT {

    /** Where {@code mvn verify} builds the jar (failsafe passes it; target/sbulb.jar by default). */
    private static final Path JAR = Path.of(System.getProperty("sbulb.jar", "target/sbulb.jar"));

    /** Packages of the test side: the lab, the scenario engine, the benchmarks, the test frameworks. */
    private static final List<String> TEST_SIDE_PACKAGES = List.of("io/sbulb/lab/", "io/sbulb/scenario/",
            "io/sbulb/bench/", "org/junit/", "org/assertj/", "net/jqwik/", "org/opentest4j/", "org/apiguardian/");
    /** The one BPF object the command loads. */
    private static final String PROGRAM = "io/sbulb/xdp/sbulb.bpf.o";

    private static List<String> entries;

    @BeforeAll
    static void list() throws IOException {
        assertThat(JAR).as("the shaded jar (built at package)").isRegularFile();
        List<String> names = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            jar.stream().map(ZipEntry::getName).forEach(names::add);
        }
        entries = Collections.unmodifiableList(names);
    }

    /** Why {@code entry} must not ship, or null if it may. */
    static String refusal(String entry) {
        for (String p : TEST_SIDE_PACKAGES) {
            if (entry.startsWith(p)) {
                return "test side (" + p + ")";
            }
        }
        if (entry.startsWith("io/sbulb/") && entry.contains("/testing/")) {
            return "a testing kit";
        }
        String file = entry.substring(entry.lastIndexOf('/') + 1);
        String outer = file.endsWith(".class") ? file.substring(0, file.length() - ".class".length()).split("\\$")[0] : "";
        if (outer.endsWith("Test") || outer.endsWith("IT") || entry.startsWith("io/sbulb/") && outer.endsWith("Tests")) {
            return "a test class";
        }
        if (file.endsWith(".bpf.o") && !entry.equals(PROGRAM)) {
            return "a BPF object other than " + PROGRAM + " (a test's, the lab's or the benchmark's)";
        }
        if (file.equals("logback-test.xml") || file.equals("junit-platform.properties")) {
            return "a test configuration";
        }
        return null;
    }

    @Test
    void itHoldsNothingOfTheTestSide() {
        List<String> refused = new ArrayList<>();
        for (String e : entries) {
            String why = refusal(e);
            if (why != null) {
                refused.add(e + ": " + why);
            }
        }
        assertThat(refused).as("entries of %s that must not ship", JAR).isEmpty();
    }

    @Test
    void itHoldsTheCommandItsProgramAndBothDataplanes() throws IOException {
        assertThat(entries).contains("io/sbulb/cli/Sbulb.class", "io/sbulb/cli/ReplayCommand.class", PROGRAM,
                "logback.xml", "META-INF/services/io.sbulb.api.DataplaneProvider");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Manifest m = jar.getManifest();
            assertThat(m.getMainAttributes().getValue("Main-Class")).isEqualTo(Sbulb.class.getName());
            String providers = new String(jar.getInputStream(jar.getEntry("META-INF/services/io.sbulb.api.DataplaneProvider"))
                    .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(providers.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")))
                    .containsExactlyInAnyOrder("io.sbulb.xdp.XdpDataplaneProvider", "io.sbulb.sim.ReferenceDataplaneProvider");
        }
    }

    /** The check itself can fail: every kind of test-side entry is refused, the product's are not. */
    @Test
    void theCheckRefusesEachKindOfTestSideEntry() {
        assertThat(List.of("io/sbulb/lab/Lab.class", "io/sbulb/scenario/ScenarioRunner.class",
                "io/sbulb/bench/LabBenchmark.class", "io/sbulb/xdp/testing/Netns.class",
                "io/sbulb/xdp/testing/xdp_pass.bpf.o", "io/sbulb/api/testing/Privileges.class",
                "io/sbulb/pcap/testing/Fixtures.class", "io/sbulb/cli/ReplayCommandTest.class",
                "io/sbulb/cli/ReplayCommandTest$1.class", "io/sbulb/cli/ShippedJarIT.class",
                "io/sbulb/sim/bench/ModelBenchmarkTests.class", "org/junit/jupiter/api/Test.class",
                "org/assertj/core/api/Assertions.class", "net/jqwik/api/Arbitrary.class",
                "io/sbulb/xdp/xdp_pass.bpf.o", "io/sbulb/bench/lab_gen.bpf.o", "io/sbulb/xdp/rejected.bpf.o",
                "logback-test.xml"))
                .allSatisfy(e -> assertThat(refusal(e)).as(e).isNotNull());
        assertThat(List.of(PROGRAM, "io/sbulb/cli/Sbulb.class", "io/sbulb/scenariofile/ScenarioFile.class",
                "io/sbulb/xdp/bpf/BpfProgram$TestRun.class", "ch/qos/logback/core/testUtil/EnvUtilForTests.class",
                "logback.xml")).allSatisfy(e -> assertThat(refusal(e)).as(e).isNull());
        assertThat(Files.exists(JAR)).isTrue();
    }
}
