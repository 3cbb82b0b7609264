package io.sbulb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code sbulb --help} and the errors of the command line itself: no root, nothing loaded. */
class BalancerHelpTest {

    @Test
    void helpIsTheOriginalsUsageWithEveryOptionExplained() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("usage: sbulb [-h] -vs VIRTUAL_SERVER\n");
        assertThat(run.out()).contains(
                "usage: sbulb [-h] -vs VIRTUAL_SERVER",
                "             (-rs REAL_SERVER [REAL_SERVER ...] | -cfg CONFIG_FILE) -p PORT",
                "             [PORT ...] [-d {0,1,2,3,4}]",
                "             [-l {CRITICAL,ERROR,WARNING,INFO,DEBUG,TRACE}] [-mp MAX_PORTS]",
                "             [-mrs MAX_REALSERVERS] [-ma MAX_ASSOCIATIONS]",
                "             ifnet",
                "network interface to load balance (e.g. eth0)",
                "-vs, --virtual_server=VIRTUAL_SERVER", "-rs, --real_server=REAL_SERVER",
                "-cfg, --config_file=CONFIG_FILE", "[Real Servers]",
                "-p, --port=PORT", "-d, --debug={0,1,2,3,4}", "Use to set bpf verbosity, 0 is minimal. (default: 0)",
                "-l, --loglevel={CRITICAL,ERROR,WARNING,INFO,DEBUG,TRACE}", "Use to set logging verbosity. (default: ERROR)",
                "-mp, --max_ports=MAX_PORTS", "-mrs, --max_realservers=MAX_REALSERVERS",
                "-ma, --max_associations=MAX_ASSOCIATIONS", "--replace", "--xdp-mode", "Exit status:", "Type=notify");
        // the descriptions, whatever the line breaks
        assertThat(run.out().replaceAll("\\s+", " ")).contains("File will be polled for modification",
                "Set the maximum number of port to load balance. (default: 16",
                "Set the maximum number of real servers. (default: 32",
                "Set the maximum number of associations. (default: 1048576",
                "This defined the maximum number of foreign peers supported at the same time.");
    }

    /**
     * The README's "Running the balancer" shows the help's usage lines as they are and has a row
     * for every option of the balancer; the usage line of sbulb detach names its options.
     */
    @Test
    void theReadmeShowsTheHelpsUsageAndEveryOption() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String intro = "The command line is the original sbulb's (`sbulb --help`):\n\n```\n";
        int at = readme.indexOf(intro);
        assertThat(at).as("the README's usage block, after: %s", intro).isNotNegative();
        String block = readme.substring(at + intro.length(), readme.indexOf("```", at + intro.length()));
        String help = CliRun.of("--help").out();
        String usage = help.substring(0, help.indexOf("\n\n") + 1);
        assertThat(block).as("README's usage block against sbulb --help").isEqualTo(usage);
        String table = readme.substring(at, readme.indexOf("\n\n", readme.indexOf("| option |", at)));
        CommandLine cl = new CommandLine(new Sbulb());
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            assertThat(o.names()).as("a row of the README's option table for %s", o.longestName())
                    .anyMatch(n -> table.contains("| `" + n + "`"));
        }
        String detach = usage.lines().filter(l -> l.contains("sbulb detach")).findFirst().orElse("");
        for (OptionSpec o : cl.getSubcommands().get("detach").getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                assertThat(detach).as("sbulb detach's %s in the usage lines", o.longestName())
                        .contains("[" + o.longestName());
            }
        }
    }

    @Test
    void withoutIfnetOrWithAnUnknownOptionItIsExitStatus2AndAHint() {
        CliRun none = CliRun.of("-vs", "198.18.0.10", "-rs", "198.18.2.11", "-p", "5683");
        assertThat(none.exitCode()).as("%s", none).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(none.err()).startsWith("sbulb: missing ifnet").contains("Try 'sbulb --help'");
        CliRun unknown = CliRun.of("eth0", "-vs", "198.18.0.10", "-rs", "198.18.2.11", "-p", "5683", "--bogus");
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("--bogus");
    }
}
