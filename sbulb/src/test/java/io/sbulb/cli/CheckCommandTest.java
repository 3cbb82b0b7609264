package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sbulb check, and what --config refuses before anything is loaded: no root needed. */
class CheckCommandTest {

    @TempDir
    Path dir;

    /** The README's services file example, and its sbulb check output as the README shows it. */
    private static String[] readmeExample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("```yaml\n# /etc/sbulb/services.yaml");
        String yaml = readme.substring(at + "```yaml\n".length(), readme.indexOf("```", at + 8));
        String intro = "$ sbulb check /etc/sbulb/services.yaml\n";
        int out = readme.indexOf(intro);
        assertThat(out).as("the README's sbulb check example").isNotNegative();
        return new String[] {yaml, readme.substring(out + intro.length(), readme.indexOf("```", out))};
    }

    @Test
    void aValidFileIsPrintedAsTheReadmeShowsIt() throws IOException {
        String[] example = readmeExample();
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, example[0]);
        CliRun run = CliRun.of("check", file);
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.out().replace(file.toString(), "/etc/sbulb/services.yaml")).isEqualTo(example[1]);
    }

    @Test
    void anInvalidFileIsOneLineAndExitStatus2() throws IOException {
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, "services:\n  - name: a\n    vip: 198.18.0.10\n    ports: [5683]\n"
                + "    real-servers: [198.18.2.11, fd00::1]\n");
        CliRun run = CliRun.of("check", file);
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("sbulb check: " + file + " line 5, column 33: service a: real server fd00::1 "
                + "is IPv6 but the virtual server 198.18.0.10 is IPv4\n");
        assertThat(run.out()).isEmpty();
        CliRun missing = CliRun.of("check", dir.resolve("none.yaml"));
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missing.err()).contains("cannot read services file", "no such file");
    }

    @Test
    void configIsExclusiveWithTheSeedsOptionsAndRefusesABadFileBeforeLoadingAnything() throws IOException {
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, "services: []\n");
        CliRun both = CliRun.of("lo", "--config", file, "-ma", "100");
        assertThat(both.exitCode()).as("%s", both).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(both.err()).startsWith("sbulb: --config gives the services and the limits");
        Files.writeString(file, "services: [\n");
        CliRun bad = CliRun.of("lo", "--config", file);
        assertThat(bad.exitCode()).as("%s", bad).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).startsWith("sbulb: " + file + " line 2, column 1: not valid YAML");
    }

    @Test
    void previewNamesTheRunningDataPathOneWay() throws IOException {
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, "services: []\n");
        CliRun neither = CliRun.of("preview", file);
        assertThat(neither.exitCode()).as("%s", neither).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(neither.err()).contains("by IFNET or by --pin-dir");
        CliRun both = CliRun.of("preview", file, "eth0", "--pin-dir", dir);
        assertThat(both.exitCode()).as("%s", both).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
