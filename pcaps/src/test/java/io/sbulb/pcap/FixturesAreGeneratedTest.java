package io.sbulb.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.pcap.testing.ExternalTools;
import io.sbulb.pcap.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The committed fixtures are exactly what {@code pcaps/generate.py} writes today. */
class FixturesAreGeneratedTest {

    @Test
    @Timeout(120)
    void committedFixturesEqualAFreshRunOfTheGenerator(@TempDir Path out) throws IOException {
        Path dir = Fixtures.dir();
        Path script = dir.getParent().resolve("generate.py");
        ExternalTools.Run run = ExternalTools.run(List.of(ExternalTools.PYTHON, script.toString(), "--out", out.toString()));
        assertThat(run.exitCode()).as("generate.py failed: %s", run.stderr()).isZero();

        Set<String> generated = names(out);
        assertThat(generated).as("generate.py wrote nothing").isNotEmpty();
        assertThat(names(dir)).as("files in %s (commit what generate.py writes, nothing else)", dir)
                .isEqualTo(generated);
        for (String name : generated) {
            assertThat(Files.readAllBytes(dir.resolve(name)))
                    .as("%s differs from a fresh run of generate.py: regenerate with python3 pcaps/generate.py", name)
                    .isEqualTo(Files.readAllBytes(out.resolve(name)));
        }
    }

    @Test
    void everyFixtureOfTheManifestHasItsThreeFiles() {
        for (Fixtures.Fixture f : Fixtures.all()) {
            assertThat(f.input()).as(f.name()).isRegularFile();
            assertThat(f.expected()).as(f.name()).isRegularFile();
            assertThat(f.expectedLog()).as(f.name()).isRegularFile();
            assertThat(f.family()).as(f.name()).isIn(4, 6);
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }
}
