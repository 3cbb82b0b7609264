package io.sbulb.cli;

/** Exit statuses of the sbulb command line (listed in each command's --help). */
final class ExitCodes {
    static final int OK = 0;
    /** The command ran, but its expectation was not met (replay --expect). */
    static final int MISMATCH = 1;
    /** Bad command line, configuration or input file: the message names the value. */
    static final int BAD_INPUT = 2;
    /** The dataplane or the system failed (e.g. no BPF privileges, an output that cannot be written). */
    static final int FAILURE = 3;

    private ExitCodes() {
    }
}
