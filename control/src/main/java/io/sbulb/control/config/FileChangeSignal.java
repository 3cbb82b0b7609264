package io.sbulb.control.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the daemon's loop, at once, that a watched file's directory changed, so that a change is
 * read when it happens rather than at the next 100 ms poll. Java's WatchService is inotify on
 * Linux (its events come from a thread blocked in poll(2) on the inotify descriptor: no polling
 * interval). It watches the file's directory (a write, a rename over the file, a symbolic link
 * retargeted: a Kubernetes ConfigMap swaps {@code ..data}) and the directory of the file it
 * resolves to, when that is elsewhere; any event there wakes the loop, which then reads the file
 * as the poll would ({@link ConfigFileWatcher}): the signal says "look now", never what changed.
 * When a directory cannot be watched, it says so once and the loop's poll still sees changes.
 */
public final class FileChangeSignal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileChangeSignal.class);

    private final Path file;
    private final Runnable onChange;
    private final WatchService service;
    private final Set<Path> watched = new LinkedHashSet<>();
    private final Thread thread;

    private FileChangeSignal(Path file, Runnable onChange, WatchService service) {
        this.file = file.toAbsolutePath();
        this.onChange = onChange;
        this.service = service;
        watchDirectories();
        this.thread = new Thread(this::loop, "sbulb-file-change");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Calls {@code onChange} (on a thread of its own: it must only wake the loop) whenever the
     * directory of {@code file}, or of the file it resolves to, changes.
     */
    public static FileChangeSignal watch(Path file, Runnable onChange) {
        Objects.requireNonNull(onChange, "onChange");
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot watch {} for changes ({}); it is read every poll instead", file, e.getMessage());
            service = null;
        }
        return new FileChangeSignal(file, onChange, service);
    }

    /** The directories watched (for tests). */
    synchronized Set<Path> watched() {
        return Set.copyOf(watched);
    }

    /** Watches the file's directory and its target's, once each; re-resolved after every event. */
    private synchronized void watchDirectories() {
        if (service == null) {
            return;
        }
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(file.getParent());
        try {
            dirs.add(file.toRealPath().getParent());
        } catch (IOException e) {
            // missing or dangling now: its directory is watched, the target's again after the next event
        }
        for (Path d : dirs) {
            if (d != null && !watched.contains(d) && Files.isDirectory(d)) {
                try {
                    d.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                            StandardWatchEventKinds.ENTRY_MODIFY);
                    watched.add(d);
                } catch (IOException e) {
                    LOG.warn("cannot watch {} for changes of {} ({}); it is read every poll instead", d, file,
                            e.getMessage());
                }
            }
        }
    }

    private void loop() {
        if (service == null) {
            return;
        }
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents(); // what changed does not matter: the file is read again
                if (!key.reset()) {
                    synchronized (this) {
                        watched.remove((Path) key.watchable()); // the directory is gone: watched again if it comes back
                    }
                }
                watchDirectories();
                onChange.run();
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                LOG.debug("closing the watch of {}: {}", file, e.getMessage());
            }
        }
    }
}
