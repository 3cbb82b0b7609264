package io.sbulb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the report says of the machine it ran on. */
final class Machine {

    private Machine() {
    }

    static String cpuModel() {
        try {
            String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().orElse("model name: unknown CPU")
                    .replaceAll("^[^:]*:\\s*", "");
            return onlineCpus() + " x " + model;
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** CPUs online (not only those this process may run on, which taskset narrows). */
    static int onlineCpus() {
        try {
            int n = 0;
            for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).strip().split(",")) {
                String[] ends = range.split("-");
                n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return n;
        } catch (IOException | NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    static String kernel() {
        try {
            return "Linux " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "Linux (unknown release)";
        }
    }
}
