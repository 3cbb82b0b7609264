package io.sbulb.xdp.pin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The one daemon that owns a pinned data path: an exclusive lock on a file under
 * {@code /run/sbulb} named after the pin directory, holding the owner's PID. A second daemon for
 * the same data path is refused, naming the first; with {@code --replace} it asks the first to
 * hand over (a marker file, then SIGTERM): the first stops leaving the data path running, and
 * the second adopts it. The lock goes with the process, even when it is killed.
 */
public final class PinOwner implements AutoCloseable {

    /** Where the owners' lock files live: /run is shared by every network namespace's exec. */
    public static final Path LOCKS = Path.of("/run/sbulb");
    private static final long POLL_MILLIS = 50;

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private PinOwner(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of the data path pinned at {@code pin}. */
    public static Path lockFileOf(PinDir pin) {
        String name = pin.dir().toAbsolutePath().toString().replaceAll("^/+", "").replace('/', '_');
        return LOCKS.resolve(name + ".lock");
    }

    /** The control socket of the daemon running the data path pinned at {@code pin} (beside its lock file). */
    public static Path controlSocketOf(PinDir pin) {
        return lockFileOf(pin).resolveSibling(lockFileOf(pin).getFileName().toString().replaceAll("\\.lock$", ".sock"));
    }

    /** Where that daemon keeps the real servers drained by command (beside its lock file). */
    public static Path drainsFileOf(PinDir pin) {
        return lockFileOf(pin).resolveSibling(lockFileOf(pin).getFileName().toString().replaceAll("\\.lock$", ".drains"));
    }

    private static Path handoverFileOf(PinDir pin) {
        return lockFileOf(pin).resolveSibling(lockFileOf(pin).getFileName() + ".handover");
    }

    /**
     * Becomes the owner of {@code pin}'s data path.
     *
     * @param what    the data path in words, for messages ("eth0's data path")
     * @param replace take over from a running owner (it is asked to hand over and stop), waiting at most {@code wait}
     * @throws OwnedException when another process owns it (and {@code replace} is false, or it did not let go in time)
     */
    public static PinOwner acquire(PinDir pin, String what, boolean replace, Duration wait) {
        Path file = lockFileOf(pin);
        FileChannel ch = null;
        try {
            Files.createDirectories(LOCKS);
            Files.setPosixFilePermissions(LOCKS, PinDir.DIR_MODE);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                long owner = readPid(ch);
                if (!replace) {
                    throw new OwnedException("sbulb (PID " + owner + ") already runs " + what + " (state pinned at "
                            + pin + "): stop it, or give --replace to take over from it", owner);
                }
                Files.writeString(handoverFileOf(pin), Long.toString(ProcessHandle.current().pid()));
                ProcessHandle.of(owner).ifPresent(ProcessHandle::destroy); // SIGTERM: it hands over and stops
                long deadline = System.nanoTime() + wait.toNanos();
                while ((l = ch.tryLock()) == null && System.nanoTime() < deadline) {
                    Thread.sleep(POLL_MILLIS);
                }
                Files.deleteIfExists(handoverFileOf(pin));
                if (l == null) {
                    throw new OwnedException("sbulb (PID " + owner + ") did not let go of " + what + " within "
                            + wait.toMillis() + " ms; nothing was changed", owner);
                }
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new PinOwner(file, ch, l);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            closeQuietly(ch);
            Thread.currentThread().interrupt();
            throw new OwnedException("interrupted while waiting for the owner of " + what + " to let go", -1);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The PID of the process that owns {@code pin}'s data path now, if one does. */
    public static Optional<Long> ownerOf(PinDir pin) {
        Path file = lockFileOf(pin);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l != null) {
                l.release();
                return Optional.empty();
            }
            return Optional.of(readPid(ch));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether a process asked to take over from this owner ({@code --replace}): it then stops leaving the data path running. */
    public boolean handoverRequested() {
        return Files.exists(lockFile.resolveSibling(lockFile.getFileName() + ".handover"));
    }

    private static long readPid(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // the lock goes with the channel
            }
        }
    }

    /** Lets go (the next owner may come). Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            // the kernel drops the lock with the fd anyway
        }
    }

    /** Another process owns the data path. */
    public static final class OwnedException extends RuntimeException {
        private final long owner;

        public OwnedException(String message, long owner) {
            super(message);
            this.owner = owner;
        }

        public long owner() {
            return owner;
        }
    }
}
