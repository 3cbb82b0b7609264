package io.sbulb.lab;

import io.sbulb.xdp.bpf.LibC;
import io.sbulb.xdp.pin.PinDir;
import io.sbulb.xdp.pin.PinOwner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A lab's directory for sbulb's pinned state on a bpffs of the host, so that the state outlives
 * an sbulb process. {@code ip netns exec}, which starts sbulb in the lab, gives the process a
 * mount namespace of its own and mounts a new sysfs there: its {@code /sys/fs/bpf}, where sbulb
 * would pin by default, is a bpffs of that process alone, gone (with the pinned BPF link, hence
 * the program) when it exits. A bpffs mounted on the host outside {@code /sys},
 * {@value #BPFFS_TEXT}, is seen by every process the lab starts (their mount namespaces are
 * copies of the host's, and later host mounts reach them).
 *
 * <p>One bpffs serves every lab (mounted once, root's only); each lab has a directory of its own
 * there, named after it, removed with everything in it by {@link #remove()}.
 */
public final class HostPins {

    /** The labs' directory on the host: root's only. */
    public static final Path ROOT = Path.of("/run/sbulb-lab");
    private static final String BPFFS_TEXT = "/run/sbulb-lab/bpffs";
    /** The bpffs the labs pin in. */
    public static final Path BPFFS = Path.of(BPFFS_TEXT);

    private final Path dir;

    private HostPins(Path dir) {
        this.dir = dir;
    }

    /**
     * The directory of lab {@code name} under {@link #BPFFS}, made (0700) with the bpffs under it
     * when it is not mounted yet.
     */
    static HostPins create(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("'" + name + "' cannot name a directory of " + BPFFS);
        }
        mountBpffs();
        Path dir = BPFFS.resolve(name);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PinDir.DIR_MODE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the lab's pin directory " + dir + ": " + e.getMessage(), e);
        }
        HostPins pins = new HostPins(dir);
        pins.clear(); // what a lab of the same name left (a JVM killed before its cleanup)
        return pins;
    }

    /** Mounts a bpffs at {@link #BPFFS} (mode 0700) unless one is there. */
    private static synchronized void mountBpffs() {
        try {
            Files.createDirectories(BPFFS);
            Files.setPosixFilePermissions(ROOT, PinDir.DIR_MODE);
            if (!Files.getFileStore(BPFFS).type().equals("bpf")) {
                LibC.mountBpffs(BPFFS.toString()); // mount(2) of a bpffs, mode 0700; fails unless it is mounted
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mount bpffs at " + BPFFS + ": " + e.getMessage(), e);
        }
    }

    /** The lab's directory. */
    public Path dir() {
        return dir;
    }

    /** The pin directory ({@code --pin-dir}) for sbulb on interface {@code ifname}. */
    public Path of(String ifname) {
        return dir.resolve(ifname);
    }

    /**
     * Removes every pin and directory in the lab's directory, by unlinking the files (not through
     * sbulb): a pinned BPF link that no process holds then detaches its program, and maps that
     * nothing holds go. Also removes the owner lock files sbulb left under
     * {@link PinOwner#LOCKS} for those pin directories, unless a live process still holds one.
     * Idempotent.
     */
    public void clear() {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(p -> !p.equals(dir)).sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        for (Path p : all) {
            if (dir.equals(p.getParent()) && Files.isDirectory(p)) { // a pin directory of the lab
                removeLock(new PinDir(p));
            }
            delete(p);
        }
    }

    /** {@link #clear()}, then the lab's directory. Idempotent. */
    public void remove() {
        clear();
        delete(dir);
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    private static void removeLock(PinDir pin) {
        if (PinOwner.ownerOf(pin).isPresent()) {
            return; // an sbulb still runs it: its lock is its own
        }
        try {
            Files.deleteIfExists(PinOwner.lockFileOf(pin));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + PinOwner.lockFileOf(pin) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
