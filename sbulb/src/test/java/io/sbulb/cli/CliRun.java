package io.sbulb.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One run of the sbulb command line, in this JVM, with what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sbulb.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    static CliRun of(Object... args) {
        List<String> list = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof List<?> l) {
                l.forEach(x -> list.add(String.valueOf(x)));
            } else if (a instanceof Path p) {
                list.add(p.toString());
            } else {
                list.add(String.valueOf(a));
            }
        }
        return of(list);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
