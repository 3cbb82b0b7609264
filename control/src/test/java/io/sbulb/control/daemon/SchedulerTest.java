package io.sbulb.control.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The daemon's scheduler, driven with a fake clock. */
class SchedulerTest {

    private final List<String> ran = new ArrayList<>();

    private Scheduler.Task logs(String name, boolean more) {
        return () -> {
            ran.add(name);
            return more;
        };
    }

    @Test
    void eachTaskRunsAtItsOwnPeriodInRegistrationOrder() {
        Scheduler s = new Scheduler(1000).every("fast", 100, logs("fast", false)).every("slow", 250, logs("slow", false));
        assertThat(s.nextDue()).isEqualTo(1100);
        assertThat(s.runDue(1099)).isEqualTo(1100);
        assertThat(ran).isEmpty();
        for (long t = 1100; t <= 1500; t += 100) {
            s.runDue(t);
        }
        // slow is due at 1250 and runs on the first look after it (1300), then 250 ms later (1550)
        assertThat(ran).containsExactly("fast", "fast", "fast", "slow", "fast", "fast");
        assertThat(s.nextDue()).isEqualTo(1550);
        assertThat(s.names()).containsExactly("fast", "slow");
    }

    @Test
    void aTaskWithMoreWorkRunsAgainAtOnceWithoutStarvingTheOthers() {
        int[] budgetLeft = {3};
        Scheduler s = new Scheduler(0).every("events", 100, () -> {
            ran.add("events");
            return --budgetLeft[0] > 0;
        }).every("file", 100, logs("file", false));
        assertThat(s.runDue(100)).as("events has more: due at once").isEqualTo(100);
        assertThat(s.runDue(100)).isEqualTo(100);
        assertThat(s.runDue(100)).as("drained: back to its period").isEqualTo(200);
        assertThat(ran).containsExactly("events", "file", "events", "events");
    }

    @Test
    void aTasksExceptionPropagatesAndRunNowRunsOneByName() {
        Scheduler s = new Scheduler(0).every("watchdog", 1000, () -> {
            throw new IllegalStateException("detached");
        }).every("events", 100, logs("events", false));
        s.runDue(100);
        assertThatThrownBy(() -> s.runDue(1000)).isInstanceOf(IllegalStateException.class).hasMessage("detached");
        assertThat(s.runNow("events")).isFalse();
        assertThat(ran).containsExactly("events", "events");
        assertThatThrownBy(() -> s.runNow("stats")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no task 'stats' ([watchdog, events])");
    }

    @Test
    void aPeriodMustBePositive() {
        assertThatThrownBy(() -> new Scheduler(0).every("file", 0, logs("file", false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("file: period 0 ms is not positive");
    }
}
