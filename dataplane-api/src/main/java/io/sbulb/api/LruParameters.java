package io.sbulb.api;

import io.sbulb.api.host.HostFacts;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two facts about the running kernel that decide how a BPF LRU hash map evicts
 * (docs/kernel-lru.md §2.1): the number of <em>possible</em> CPUs and the rule for
 * the size of the common-LRU refill batch.
 *
 * @param possibleCpus the count in {@code /sys/devices/system/cpu/possible}; not the online count
 *                     and not {@link Runtime#availableProcessors()}, which shrinks under taskset
 *                     (the last resort of {@link HostFacts#possibleCpus()} when sysfs has no list)
 * @param batchRule    how the kernel sizes the batch of free nodes a CPU reserves at a refill
 */
public record LruParameters(int possibleCpus, BatchRule batchRule) {

    /** System property that overrides the detected possible-CPU count. */
    public static final String POSSIBLE_CPUS_PROPERTY = "sbulb.lru.possibleCpus";
    /** System property that overrides the detected batch rule ({@code SINCE_6_16} or {@code BEFORE_6_16}). */
    public static final String BATCH_RULE_PROPERTY = "sbulb.lru.batchRule";

    private static final Pattern KERNEL_VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** The kernel's rule for the common-LRU batch size {@code T}. */
    public enum BatchRule {
        /** Linux 6.16 and later (commit d4adf1c9ee77): {@code T = clamp((N / P) / 2, 1, 128)}. */
        SINCE_6_16,
        /** Linux before 6.16: {@code T = 128} whatever the map size. */
        BEFORE_6_16;

        /** The batch size for a common-LRU map of {@code maxEntries} on {@code possibleCpus} CPUs. */
        public int batch(int maxEntries, int possibleCpus) {
            if (this == BEFORE_6_16) {
                return 128;
            }
            return Math.max(1, Math.min((maxEntries / possibleCpus) / 2, 128));
        }

        /** The rule that applies to a kernel release string such as {@code 6.18.44-generic}. */
        public static BatchRule forKernelRelease(String release) {
            Matcher m = KERNEL_VERSION.matcher(release);
            if (!m.find()) {
                throw new IllegalArgumentException("cannot read a kernel version from '" + release + "'");
            }
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            return major > 6 || (major == 6 && minor >= 16) ? SINCE_6_16 : BEFORE_6_16;
        }
    }

    public LruParameters {
        if (possibleCpus < 1) {
            throw new IllegalArgumentException("possible CPUs must be at least 1, got " + possibleCpus);
        }
        if (batchRule == null) {
            throw new IllegalArgumentException("batch rule must be set");
        }
    }

    /** The batch size {@code T} of a common-LRU map of {@code maxEntries} under these parameters. */
    public int batch(int maxEntries) {
        return batchRule.batch(maxEntries, possibleCpus);
    }

    /**
     * Reads the parameters of this machine ({@link #detect(HostFacts)} of {@link HostFacts#SYSTEM}).
     */
    public static LruParameters detect() {
        return detect(HostFacts.SYSTEM);
    }

    /**
     * Reads the parameters of the host {@code host} describes: possible CPUs from sysfs (with
     * {@link HostFacts#possibleCpus()}' fallbacks), the batch rule from the kernel release
     * ({@link HostFacts#kernelRelease()}). Each can be overridden with a system property
     * ({@value #POSSIBLE_CPUS_PROPERTY}, {@value #BATCH_RULE_PROPERTY}). {@link #sources} says
     * where each came from.
     */
    public static LruParameters detect(HostFacts host) {
        String cpus = System.getProperty(POSSIBLE_CPUS_PROPERTY);
        int possible = cpus != null ? Integer.parseInt(cpus.trim()) : host.possibleCpus().value();
        String rule = System.getProperty(BATCH_RULE_PROPERTY);
        BatchRule batchRule = rule != null
                ? BatchRule.valueOf(rule.trim())
                : BatchRule.forKernelRelease(host.kernelRelease().value());
        return new LruParameters(possible, batchRule);
    }

    /** Where {@link #detect(HostFacts)} takes its two facts from on that host, in words. */
    public static String sources(HostFacts host) {
        return "possible CPUs: " + (System.getProperty(POSSIBLE_CPUS_PROPERTY) != null
                ? "-D" + POSSIBLE_CPUS_PROPERTY : host.possibleCpus().source())
                + "; kernel release: " + (System.getProperty(BATCH_RULE_PROPERTY) != null
                ? "-D" + BATCH_RULE_PROPERTY : host.kernelRelease().source());
    }

    /** Counts the CPUs in a sysfs CPU list such as {@code 0-3,6,8-9} ({@link HostFacts#countCpuList}). */
    public static int countCpuList(String list) {
        return HostFacts.countCpuList(list);
    }

    @Override
    public String toString() {
        return "possible CPUs " + possibleCpus + ", batch rule " + batchRule;
    }
}
