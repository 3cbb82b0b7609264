package io.sbulb.xdp.pin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Where the data path's state lives in bpffs, so that it outlives the daemon (docs/design.md,
 * "State that outlives the process"): {@code DIR/maps/NAME} for each pinned map and
 * {@code DIR/link} for the BPF link that attaches the program to the interface. The directory
 * and everything in it are root's only (0700 and 0600): associations name every client.
 */
public record PinDir(Path dir) {

    /** Where bpffs is mounted on Debian/Ubuntu (systemd mounts it). */
    public static final Path BPFFS = Path.of("/sys/fs/bpf");
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    public PinDir {
        Objects.requireNonNull(dir, "dir");
    }

    /**
     * The default directory of interface {@code ifname}: {@code /sys/fs/bpf/sbulb/IFNAME} in the
     * host's network namespace; in another one, {@code /sys/fs/bpf/sbulb/netns-INODE/IFNAME}
     * (bpffs is shared by every namespace, interface names are not). A dot in the name becomes a
     * colon (bpffs refuses dots).
     *
     * @param netnsInode the inode of the caller's network namespace, or 0 for the host's
     */
    public static PinDir defaultFor(String ifname, long netnsInode) {
        Path base = BPFFS.resolve("sbulb");
        String name = bpffsName(ifname);
        return new PinDir(netnsInode == 0 ? base.resolve(name) : base.resolve("netns-" + netnsInode).resolve(name));
    }

    /**
     * {@code ifname} as a bpffs name: bpffs refuses names with a dot (EPERM), which interface
     * names may hold (VLANs: eth0.100); a dot becomes a colon, which interface names never hold.
     */
    static String bpffsName(String ifname) {
        return ifname.replace('.', ':');
    }

    public Path maps() {
        return dir.resolve("maps");
    }

    /** The pin of map {@code name}. */
    public Path map(String name) {
        return maps().resolve(name);
    }

    /** Where an upgrade makes the new layout's maps (a PinDir of its own) before they replace {@link #maps()}. */
    public PinDir staging() {
        return new PinDir(dir.resolve("next"));
    }

    /** Where an upgrade moves the old layout's maps, between the two renames that swap them. */
    public Path oldMaps() {
        return dir.resolve("maps-old");
    }

    /** The pin of the BPF link. */
    public Path link() {
        return dir.resolve("link");
    }

    /**
     * Creates the directories (root's only), checking that they are on bpffs. Where bpffs is not
     * mounted at its standard place, /sys/fs/bpf, it is mounted there (as systemd does at boot): a
     * directory under it then works.
     *
     * @throws io.sbulb.api.ConfigException when the directory is not on a bpf filesystem
     */
    public void create() {
        ensureBpffs();
        try {
            for (Path d : new Path[] {dir, maps()}) {
                if (!Files.isDirectory(d)) {
                    Files.createDirectories(d);
                }
                Files.setPosixFilePermissions(d, DIR_MODE);
            }
            Path parent = dir.getParent();
            while (parent != null && parent.startsWith(BPFFS) && !parent.equals(BPFFS)) {
                Files.setPosixFilePermissions(parent, DIR_MODE);
                parent = parent.getParent();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pinned-state directory " + dir + " ("
                    + e.getMessage() + "; is bpffs mounted at " + BPFFS + "? mount -t bpf bpf " + BPFFS + ")", e);
        }
    }

    /** The file system type of the nearest existing ancestor of the directory, mounting bpffs at /sys/fs/bpf if it is missing there. */
    private void ensureBpffs() {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new io.sbulb.api.ConfigException("no part of " + dir + " exists");
        }
        String type = fileSystemType(existing);
        if (type.equals("bpf")) {
            return;
        }
        if (existing.equals(BPFFS)) { // the directory is under /sys/fs/bpf, where nothing is mounted
            io.sbulb.xdp.bpf.LibC.mountBpffs(BPFFS.toString());
            return;
        }
        throw new io.sbulb.api.ConfigException(dir + " is not on a bpf filesystem (" + existing + " is on " + type
                + "): pinned state lives in bpffs; give a directory under " + BPFFS + ", or mount one (mount -t bpf "
                + "bpf DIR)");
    }

    private static String fileSystemType(Path p) {
        try {
            return Files.getFileStore(p).type();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell the file system of " + p + ": " + e.getMessage(), e);
        }
    }

    /** Whether a link is pinned here. */
    public boolean hasLink() {
        return Files.exists(link());
    }

    /** Sets every pin and directory here to root's only (0600, 0700). */
    public void lockDown() {
        try {
            Files.setPosixFilePermissions(dir, DIR_MODE);
            Files.setPosixFilePermissions(maps(), DIR_MODE);
            try (DirectoryStream<Path> pins = Files.newDirectoryStream(maps())) {
                for (Path p : pins) {
                    Files.setPosixFilePermissions(p, FILE_MODE);
                }
            }
            if (hasLink()) {
                Files.setPosixFilePermissions(link(), FILE_MODE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict " + dir + " to root: " + e.getMessage(), e);
        }
    }

    /** Removes the link's pin: the kernel detaches the program once no process holds the link. */
    public boolean unpinLink() {
        return delete(link());
    }

    /** Removes the map pins in {@code mapsDir} and the directory itself. */
    public static void purgeMaps(Path mapsDir) {
        if (Files.isDirectory(mapsDir)) {
            try (DirectoryStream<Path> pins = Files.newDirectoryStream(mapsDir)) {
                for (Path p : pins) {
                    delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + mapsDir + ": " + e.getMessage(), e);
            }
        }
        delete(mapsDir);
    }

    /** Removes every pin and the directories: the maps go once no program and no process holds them. */
    public void purge() {
        unpinLink();
        purgeMaps(maps());
        purgeMaps(oldMaps()); // an upgrade cut short
        if (Files.isDirectory(staging().dir())) {
            staging().purge();
        }
        delete(dir);
        Path parent = dir.getParent(); // a namespace's directory, once its last interface's is gone
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().startsWith("netns-")) {
            try (DirectoryStream<Path> rest = Files.newDirectoryStream(parent)) {
                if (!rest.iterator().hasNext()) {
                    delete(parent);
                }
            } catch (IOException | UncheckedIOException e) {
                // another interface's state, or already gone: leave it
            }
        }
    }

    private static boolean delete(Path p) {
        try {
            return Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
