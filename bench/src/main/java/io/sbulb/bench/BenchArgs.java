package io.sbulb.bench;

/**
 * A benchmark's command line, read strictly: a bad or unknown argument is one line on standard
 * error naming the program and the value, and exit status 2, before anything is set up.
 */
final class BenchArgs {

    private final String program;

    /** For program {@code program} ("LabBenchmark"), the first word of its messages. */
    BenchArgs(String program) {
        this.program = program;
    }

    /** Option {@code option}'s value {@code v} as a number within {@code min..max}, or a failure naming both. */
    double number(String option, String v, double min, double max) {
        try {
            double d = Double.parseDouble(v);
            if (d < min || d > max) {
                fail(option + " " + v + " is outside " + min + ".." + max);
            }
            return d;
        } catch (NumberFormatException | NullPointerException e) {
            fail(option + " needs a number, got " + v);
            return 0;
        }
    }

    /** Prints {@code PROGRAM: message} on standard error and exits with status 2. */
    void fail(String message) {
        System.err.println(program + ": " + message);
        System.exit(2);
    }
}
