package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.LruParameters.BatchRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LruParametersTest {

    @ParameterizedTest(name = "''{0}'' = {1} CPUs")
    @CsvSource(delimiter = ';', value = {"0-1; 2", "0; 1", "0-3,6,8-9; 7", "0-63; 64"})
    void sysfsCpuListsAreCounted(String list, int count) {
        assertThat(LruParameters.countCpuList(list)).isEqualTo(count);
        assertThat(LruParameters.countCpuList(list + "\n")).as("as read from sysfs, newline included").isEqualTo(count);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"6.18.44-fc-v669, SINCE_6_16", "6.16.0, SINCE_6_16", "6.15.9-generic, BEFORE_6_16",
            "5.10.0-32-amd64, BEFORE_6_16", "7.0.1, SINCE_6_16"})
    void theBatchRuleFollowsTheKernelRelease(String release, BatchRule rule) {
        assertThat(BatchRule.forKernelRelease(release)).isEqualTo(rule);
    }

    /** docs/kernel-lru.md table B1 and §2.1. */
    @Test
    void batchSizesMatchTheMeasuredTable() {
        LruParameters here = new LruParameters(2, BatchRule.SINCE_6_16);
        assertThat(here.batch(4)).isEqualTo(1);
        assertThat(here.batch(8)).isEqualTo(2);
        assertThat(here.batch(13)).isEqualTo(3);
        assertThat(here.batch(64)).isEqualTo(16);
        assertThat(here.batch(1000)).isEqualTo(128);
        assertThat(new LruParameters(1, BatchRule.SINCE_6_16).batch(4)).isEqualTo(2);
        assertThat(new LruParameters(2, BatchRule.BEFORE_6_16).batch(4)).isEqualTo(128);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new LruParameters(0, BatchRule.SINCE_6_16)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> LruParameters.countCpuList("3-1")).hasMessageContaining("3-1");
        assertThatThrownBy(() -> BatchRule.forKernelRelease("linux")).hasMessageContaining("linux");
    }
}
