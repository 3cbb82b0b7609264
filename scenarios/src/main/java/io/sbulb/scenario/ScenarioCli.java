package io.sbulb.scenario;

import io.sbulb.api.Dataplane;
import io.sbulb.api.LruParameters;
import io.sbulb.scenariofile.ScenarioException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs scenario files from the command line:
 * {@code ScenarioCli [xdp|sim|diff] FILE_OR_DIR...}. Exit status 0 if all passed, 1 if any
 * failed or diverged, 2 on a usage or file error.
 */
public final class ScenarioCli {

    private ScenarioCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length < 2 || !List.of("xdp", "sim", "diff").contains(args[0])) {
            System.err.println("usage: ScenarioCli xdp|sim|diff FILE_OR_DIRECTORY...");
            return 2;
        }
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path p = Path.of(args[i]);
            if (!Files.exists(p)) {
                System.err.println("no scenario file or directory " + p.toAbsolutePath());
                return 2;
            }
            files.addAll(Files.isDirectory(p) ? ScenarioReader.list(p) : List.of(p));
        }
        int failed = 0;
        for (Path file : files) {
            Scenario s;
            try {
                s = ScenarioReader.read(file);
            } catch (ScenarioException | java.io.UncheckedIOException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            if (args[0].equals("diff")) {
                DifferentialReport r = new DifferentialRunner(Dataplanes::model, Dataplanes::xdp).run(s);
                System.out.println(r.agreed() ? r.summary() : r.message());
                failed += r.agreed() ? 0 : 1;
            } else {
                try (Dataplane dp = Dataplanes.byName(args[0]).create(s.limits())) {
                    ScenarioReport r = ScenarioRunner.run(s, dp, LruParameters.detect());
                    System.out.println(r.summary());
                    r.notApplicable().forEach(n -> System.out.println("  not applicable: " + n));
                    if (!r.passed()) {
                        System.out.println(r.failure());
                        failed++;
                    }
                }
            }
        }
        System.out.println(files.size() - failed + " of " + files.size() + " passed");
        return failed == 0 ? 0 : 1;
    }
}
