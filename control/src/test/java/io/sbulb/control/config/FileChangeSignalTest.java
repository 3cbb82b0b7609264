package io.sbulb.control.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** inotify, through the JDK's WatchService: a write, a rename over the file and a retargeted link each signal. */
@Timeout(30)
class FileChangeSignalTest {

    @TempDir
    Path dir;

    private final Semaphore signals = new Semaphore(0);

    private void expectASignal(String what) throws InterruptedException {
        assertThat(signals.tryAcquire(10, TimeUnit.SECONDS)).as("a signal after %s", what).isTrue();
        signals.drainPermits();
    }

    @Test
    void aWriteARenameOverTheFileAndASymlinkSwapEachSignal() throws IOException, InterruptedException {
        Path target = Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(target.resolve("services.yaml"), "services: []\n");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Path file = dir.resolve("services.yaml");
        Files.createSymbolicLink(file, Path.of("..data/services.yaml"));
        try (FileChangeSignal s = FileChangeSignal.watch(file, signals::release)) {
            assertThat(s.watched()).containsExactlyInAnyOrder(dir.toAbsolutePath(), target.toRealPath());
            assertThat(signals.availablePermits()).isZero();

            Files.writeString(target.resolve("services.yaml"), "services: []\n# edited\n");
            expectASignal("a write of the link's target");

            Path v2 = Files.createDirectory(dir.resolve("..v2"));
            Files.writeString(v2.resolve("services.yaml"), "services: []\n");
            signals.drainPermits();
            Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            expectASignal("a ConfigMap's ..data swap");
            for (int i = 0; i < 100 && !s.watched().contains(v2.toRealPath()); i++) {
                signals.tryAcquire(100, TimeUnit.MILLISECONDS); // the rename's event may follow the link's creation's
            }
            assertThat(s.watched()).as("the new target's directory").contains(v2.toRealPath());
            signals.drainPermits();

            Files.writeString(v2.resolve("services.yaml"), "services: []\n# v2 edited\n");
            expectASignal("a write of the new target");
        }
    }
}
