package io.sbulb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.host.HostFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's readings on fake roots: cpuidle, else /proc/stat, else a reason naming both. */
class MachineTest {

    @TempDir
    Path root;

    private void write(String absolute, String text) throws IOException {
        Path p = root.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private Machine machine() {
        return new Machine(new HostFacts(root));
    }

    @Test
    void idleTimeIsTheSumOfTheCpuidleStates() throws IOException {
        write("/sys/devices/system/cpu/cpu1/cpuidle/state0/time", "1000\n");
        write("/sys/devices/system/cpu/cpu1/cpuidle/state1/time", "2500\n");
        write("/proc/stat", "cpu1 10 0 10 999 0 0 0 3 0 0\n");
        HostFacts.Fact<Long> idle = machine().idleNs(1);
        assertThat(idle.value()).isEqualTo(3_500_000L);
        assertThat(idle.source()).contains("/sys/devices/system/cpu/cpu1/cpuidle");
        assertThat(CpuMeter.precise(machine(), 1)).isTrue();
    }

    @Test
    void withoutCpuidleIdleTimeComesFromProcStatInTicksOfTenMs() throws IOException {
        // user nice system idle iowait irq softirq steal guest guest_nice
        write("/proc/stat", "cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\ncpu1 10 0 10 400 7 0 0 3 0 0\n");
        Machine m = machine();
        assertThat(m.idleNs(1).value()).isEqualTo(407 * 10_000_000L);
        assertThat(m.stealNs(1)).isEqualTo(3 * 10_000_000L);
        assertThat(CpuMeter.source(m, 1)).isEqualTo("n/a (no cpuidle: busy time from /proc/stat, 10 ms resolution)");
        assertThat(CpuMeter.precise(m, 1)).isFalse();
        assertThat(CpuMeter.read(m, 1, List.of()).idleNs()).isEqualTo(407 * 10_000_000L);
    }

    @Test
    void anEmptyRootMakesTheBusyTimeUnavailableNotAFailure() {
        Machine m = machine();
        assertThatThrownBy(() -> m.idleNs(1)).isInstanceOf(HostFacts.MissingFact.class)
                .hasMessageContaining("/sys/devices/system/cpu/cpu1/cpuidle").hasMessageContaining("/proc/stat");
        assertThat(CpuMeter.source(m, 1)).startsWith("unavailable: ").contains("/proc/stat");
        CpuMeter.Reading a = CpuMeter.read(m, 1, List.of(42L));
        CpuMeter.Reading b = CpuMeter.read(m, 1, List.of(42L));
        assertThat(b.busySince(a)).as("unavailable").isEqualTo(-1);
        assertThat(b.tasksSince(a)).isZero();
        assertThat(m.stealNs(1)).isZero();
        assertThat(m.rssKb(42)).isEqualTo(-1);
        assertThat(m.root()).isFalse();
        assertThat(m.cpusAllowed()).isEmpty();
        assertThat(m.tasksNamed("napi/")).isEmpty();
        assertThat(m.cpuModel()).contains("unknown CPU", "/proc/cpuinfo");
        assertThat(m.kernel()).isEqualTo("Linux " + System.getProperty("os.version"));
    }

    @Test
    void tasksAreFoundByNameAndReadForTimeAndMemory() throws IOException {
        write("/proc/7/comm", "napi/lb0-8193\n");
        write("/proc/7/schedstat", "123456 0 9\n");
        write("/proc/8/comm", "java\n");
        write("/proc/8/status", "Name:\tjava\nVmRSS:\t  2048 kB\n");
        write("/proc/self/status", "Uid:\t0\t0\t0\t0\nCpus_allowed_list:\t0\n");
        Machine m = machine();
        assertThat(m.tasksNamed("napi/lb0-")).containsExactly(7L);
        assertThat(m.runNs(7)).isEqualTo(123456);
        assertThat(m.rssKb(8)).isEqualTo(2048);
        assertThat(m.root()).isTrue();
        assertThat(m.cpusAllowed()).isEqualTo("0");
    }

    @Test
    void aReportWithoutBusyTimeSaysNotApplicable() {
        LoadRig.Step s = new LoadRig.Step(100e3, 100, 100e3, 100, 0, 1_000_000L, -1, 5, java.util.Map.of(), 0, 0, 0);
        assertThat(LabReport.describe(s, Double.NaN)).contains("balancer core n/a busy (idle n/a)");
        LabReport.Run r = new LabReport.Run("x", "x", 0);
        assertThat(r.corePerPacket(s)).isNaN();
        assertThat(LabReport.nanos(Double.NaN)).isEqualTo("n/a");
    }
}
