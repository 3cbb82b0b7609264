package io.sbulb.xdp.attach;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.testing.TestNetns;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The link dies with its process: a JVM killed with SIGKILL, which runs no cleanup, leaves no XDP program behind. */
@Timeout(90)
class ProcessDeathTest {

    private static final long BOUND_S = 30;

    private TestNetns ns;

    @BeforeEach
    void lab() {
        Privileges.requireNetAdmin();
        ns = TestNetns.create("death");
        ns.addVethPair("va", "vb");
    }

    @AfterEach
    void removeLab() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void aProcessKilledWithSigkillLeavesNoProgramAttached() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), AttachAndWait.class.getName(), ns.name(), "va")
                .redirectErrorStream(true).start();
        try {
            StringBuilder output = new StringBuilder();
            CompletableFuture<Integer> attached = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                        if (line.startsWith("ATTACHED ")) {
                            return Integer.parseInt(line.substring(9).trim());
                        }
                    }
                    return -1;
                } catch (java.io.IOException e) {
                    return -1;
                }
            });
            int id = attached.get(BOUND_S, TimeUnit.SECONDS);
            assertThat(id).as("the child attached; its output:%n%s", output).isPositive();
            ns.assertXdp("va", id, XdpMode.NATIVE.bpftoolWord(), XdpMode.NATIVE.attachedCode());

            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(BOUND_S, TimeUnit.SECONDS)).as("the child died").isTrue();
            assertThat(child.exitValue()).as("killed by signal 9").isEqualTo(128 + 9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
            while (!ns.bpftoolXdp("va").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            ns.assertNoXdp("va");
        } finally {
            child.destroyForcibly();
            child.waitFor(BOUND_S, TimeUnit.SECONDS);
        }
    }
}
