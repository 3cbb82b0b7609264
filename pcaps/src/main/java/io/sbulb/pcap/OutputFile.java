package io.sbulb.pcap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One output of a replay, written whole or not at all: into a temporary file next to its target,
 * moved over the target only when the replay has finished ({@link #commit}). A symbolic link is
 * followed (the file it points to is replaced, not the link); a target that is not a regular file
 * (a device such as {@code /dev/null}, a pipe) is written directly, since it cannot be replaced.
 */
final class OutputFile {

    /** Mode of a new output (rw-r--r--), as a shell redirection with the usual umask would make it. */
    private static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final String role;
    private final Path target;
    private final Path temporary;

    private OutputFile(String role, Path target, Path temporary) {
        this.role = role;
        this.target = target;
        this.temporary = temporary;
    }

    /**
     * Checks that {@code path} can be written as the replay's {@code role} ("output pcap", "log"),
     * without creating anything; returns the file that will really be written (links followed).
     *
     * @throws OutputException naming the role, the path and the reason
     */
    static Path check(String role, Path path) {
        if (path.toString().isEmpty()) {
            throw new OutputException(role + ": the path is empty");
        }
        if (Files.isDirectory(path)) {
            throw new OutputException(role + " " + path + " is a directory");
        }
        if (Files.exists(path)) {
            try {
                Path real = path.toRealPath();
                if (!Files.isWritable(real)) {
                    throw new OutputException(role + " " + path + " is not writable");
                }
                return real;
            } catch (IOException e) {
                throw new OutputException(role + " " + path + " cannot be resolved: " + e.getMessage());
            }
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputException(role + " " + path + " is a symbolic link to a missing file");
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new OutputException(role + " " + path + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new OutputException(role + " " + path + ": directory " + dir + " is not writable");
        }
        return path.toAbsolutePath().normalize();
    }

    /** Prepares writing {@code path}: checks it and creates the temporary file (removed at exit if left over). */
    static OutputFile open(String role, Path path) {
        Path target = check(role, path);
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            return new OutputFile(role, target, null);
        }
        try {
            Path t = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            t.toFile().deleteOnExit(); // an interrupted replay (Ctrl-C, SIGTERM) leaves nothing behind
            return new OutputFile(role, target, t);
        } catch (IOException e) {
            throw new OutputException(role + " " + path + ": cannot create a file in " + target.getParent() + ": "
                    + e.getMessage());
        }
    }

    String role() {
        return role;
    }

    /** The file the user asked for (links followed). */
    Path target() {
        return target;
    }

    /** Where to write now: the temporary file, or the target itself when it is not a regular file. */
    Path writePath() {
        return temporary != null ? temporary : target;
    }

    /** Puts the finished output in place, with the mode of the file it replaces (or rw-r--r--). */
    void commit() throws IOException {
        if (temporary == null) {
            return;
        }
        Set<PosixFilePermission> mode = Files.isRegularFile(target) ? Files.getPosixFilePermissions(target) : NEW_FILE_MODE;
        Files.setPosixFilePermissions(temporary, mode);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the temporary file, if it is still there; the target is left as it was. */
    void discard() {
        if (temporary != null) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // best effort: the replay's own error is what the user needs to see; deleteOnExit retries
            }
        }
    }
}
