package io.sbulb.control.config;

import io.sbulb.api.ConfigException;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.RealServerFile;
import io.sbulb.api.TextFiles;
import io.sbulb.control.health.ServiceHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Watches a configuration file for the balancer's main loop: the real-server file of {@code -cfg}
 * ({@link #realServers}) or the services file of {@code --config} ({@link #services}), each read
 * into the whole {@link DataplaneConfig} it asks for. It has no thread: the loop calls
 * {@link #poll()} when the file's directory reports a change (inotify, {@link FileChangeSignal}),
 * and every 100 ms (Daemon.POLL_MILLIS) in case a change is not reported (a symbolic link's
 * target elsewhere); each call says what, if anything, the loop must do.
 *
 * <p><b>Never missing a change.</b> A file of at most {@link #ALWAYS_READ_BYTES} (any sensible
 * list) is read on every poll and its bytes compared, so two writes of the same size within one
 * mtime tick are seen. A longer one is read when its size, mtime, ctime or inode changed, or
 * while its mtime is within {@link #RACY_MILLIS} of the last read (git's "racily clean" rule: a
 * later write in the same timestamp tick would leave the metadata as it was). The path is
 * followed at every poll, so a file replaced by a rename (editors) or a symlink retargeted
 * (Kubernetes ConfigMap volumes swap a {@code ..data} symlink) is read at its new target.
 *
 * <p><b>Settling.</b> The file may be written while it is read ({@code echo ... > file}
 * truncates, then writes). What a poll sees for the first time is only noted; it is acted on
 * when the next poll sees exactly the same (the same bytes, or missing again). A half-written
 * list is therefore never applied, and a file truncated and then written is never reported
 * invalid. While a new content settles ({@link #settling()}), the loop polls again
 * {@code Daemon.SETTLE_MILLIS} later, not a whole period: with the change reported by inotify,
 * a change takes effect in about that time.
 *
 * <p><b>What {@link #poll()} returns</b>, once per settled state:
 * <ul>
 *   <li>{@link Changed}: a valid configuration different from the running one; it becomes the
 *       running one (see {@link #reject} if it cannot be applied).</li>
 *   <li>{@link Invalid}: the content cannot be used (parse error, not readable, or refused by
 *       the limits). The running configuration is kept. Reported once per
 *       distinct bad content: the same bad file is not reported again at every poll.</li>
 *   <li>{@link Missing}: the file is gone (or its symlink dangles). Reported once; the running
 *       configuration is kept. When it comes back it is judged like any new content.</li>
 *   <li>{@link Restored}: after Missing, Invalid or a rejection, the file is valid again and
 *       holds the running configuration: nothing to apply, but the loop may say the problem is over.</li>
 *   <li>{@link Unchanged}: anything else, including a new content that only differs in
 *       comments (or, in the INI file, other sections), and a new content still settling.</li>
 * </ul>
 *
 * <p>Not thread-safe: one loop polls it.
 */
public final class ConfigFileWatcher {

    /** Longer files are refused (as {@link RealServerFile#MAX_BYTES}). */
    public static final long MAX_BYTES = RealServerFile.MAX_BYTES;
    /** A file of at most this many bytes is read on every poll. */
    public static final long ALWAYS_READ_BYTES = 64 * 1024;
    /** A longer file is read again while its mtime is this close to the time of the last read. */
    public static final long RACY_MILLIS = 2000;

    /** What {@link #poll()} found. */
    public sealed interface Poll permits Unchanged, Changed, Restored, Invalid, Missing {
    }

    /** Nothing to do. */
    public record Unchanged() implements Poll {
    }

    /** A new configuration to apply, now the running one. */
    public record Changed(DataplaneConfig config) implements Poll {
    }

    /** The file is usable again and holds the running configuration: nothing to apply. */
    public record Restored(DataplaneConfig config) implements Poll {
    }

    /** The file cannot be used; the message names the file and, for a bad line, its number and text. */
    public record Invalid(ConfigException error) implements Poll {
    }

    /** The file is gone; the running configuration is kept. */
    public record Missing() implements Poll {
    }

    /**
     * Reads a file's text into the configuration it asks for, checked against the limits.
     * {@code source} names the file in messages.
     */
    @FunctionalInterface
    public interface Reader {
        /** @throws ConfigException naming the file and what is wrong */
        DataplaneConfig read(String text, String source);
    }

    private static final Poll UNCHANGED = new Unchanged();

    private final Path file;
    private final String kind;
    private final Reader reader;
    private final MetaReader metaReader;
    private DataplaneConfig current;
    private DataplaneConfig beforeChange; // the running configuration before the last Changed, until the next poll
    private boolean troubled; // the last report was Missing or Invalid, or a Changed was rejected
    private Snapshot settled; // what was last acted on
    private Snapshot pending; // seen by the last poll, not yet settled
    private Snapshot lastRead; // the last content read, with its metadata
    private long lastReadMillis;
    private int reads;

    /**
     * A watcher of {@code file} ({@code kind} names it in messages: "real-server file"), whose
     * content gave the running configuration {@code current}. Reads nothing yet.
     */
    ConfigFileWatcher(Path file, String kind, DataplaneConfig current, Reader reader, MetaReader metaReader) {
        this.file = Objects.requireNonNull(file, "file");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.current = Objects.requireNonNull(current, "current");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.metaReader = Objects.requireNonNull(metaReader, "metaReader");
    }

    /**
     * The real-server file of {@code -cfg} ({@link RealServerFile}): its list replaces the real
     * servers of {@code current}'s one service. A list {@code limits} refuse (longer than
     * {@code -mrs}, of the other address family) is reported as {@link Invalid} once, and never
     * handed to the dataplane.
     */
    public static ConfigFileWatcher realServers(Path file, DataplaneConfig current, Limits limits) {
        return realServers(file, current, limits, Meta::of);
    }

    static ConfigFileWatcher realServers(Path file, DataplaneConfig current, Limits limits, MetaReader metaReader) {
        return new ConfigFileWatcher(file, "real-server file", current, (text, source) -> {
            List<IpAddress> servers = RealServerFile.parse(text, source); // names the file
            try {
                DataplaneConfig next = current.withRealServers(servers);
                next.validate(limits);
                return next;
            } catch (ConfigException e) {
                throw new ConfigException(source + ": " + e.getMessage(), e);
            }
        }, metaReader);
    }

    /**
     * The services file of {@code --config} ({@link ServicesFile}): it gives the whole
     * configuration; its limits must be {@code limits}, those the data path runs with.
     */
    public static ConfigFileWatcher services(Path file, DataplaneConfig current, Limits limits) {
        return services(file, current, limits, health -> { });
    }

    /**
     * The same, handing {@code health} the health sections of each content it judges valid, just
     * before the poll that returns it: after a {@link Changed}, {@link Restored} or {@link Unchanged}
     * that read the file, the last sections handed are the file's (a change of the health sections
     * alone leaves the configuration unchanged).
     */
    public static ConfigFileWatcher services(Path file, DataplaneConfig current, Limits limits,
                                             Consumer<Map<String, ServiceHealth>> health) {
        return new ConfigFileWatcher(file, "services file", current, (text, source) -> {
            ServicesFile.Contents c = ServicesFile.parse(text, source);
            c.requireLimits(limits);
            health.accept(c.health());
            return c.config();
        }, Meta::of);
    }

    public Path file() {
        return file;
    }

    /** The running configuration: the constructor's, or that of the last {@link Changed} not rejected. */
    public DataplaneConfig current() {
        return current;
    }

    /** Whether the last poll saw a new content that the next one must confirm: poll again soon. */
    public boolean settling() {
        return pending != null;
    }

    /** Looks at the file once; see the class comment for what comes back. */
    public Poll poll() {
        beforeChange = null;
        Snapshot seen = observe();
        if (seen.sameAs(settled)) {
            pending = null;
            return UNCHANGED;
        }
        if (!seen.sameAs(pending)) {
            pending = seen;
            return UNCHANGED;
        }
        pending = null;
        settled = seen;
        return judge(seen);
    }

    /**
     * The caller could not apply the configuration of the {@link Changed} the last {@link #poll()}
     * returned (the dataplane refused it): the running one is the one before it again, and the
     * file's present content counts as reported, so it is not reported again until it changes.
     * Call it before the next poll.
     *
     * @return the {@link Invalid} to report: {@code reason}, its message prefixed with the file's name
     * @throws IllegalStateException when the last poll did not return {@link Changed}
     */
    public Invalid reject(ConfigException reason) {
        Objects.requireNonNull(reason, "reason");
        if (beforeChange == null) {
            throw new IllegalStateException("reject() follows a Changed returned by the last poll()");
        }
        current = beforeChange;
        beforeChange = null;
        troubled = true;
        return new Invalid(new ConfigException(file + ": " + reason.getMessage(), reason));
    }

    /** How many times the file's content was read (for tests of the large-file rule). */
    int reads() {
        return reads;
    }

    private Poll judge(Snapshot s) {
        if (s.missing()) {
            troubled = true;
            return new Missing();
        }
        if (s.error() != null) {
            troubled = true;
            return new Invalid(s.error());
        }
        DataplaneConfig config;
        try {
            config = reader.read(TextFiles.decode(s.bytes()), file.toString()); // names the file
        } catch (TextFiles.Unreadable e) {
            troubled = true;
            return new Invalid(new ConfigException(unreadable(e.getMessage()), e));
        } catch (ConfigException e) {
            troubled = true;
            return new Invalid(e);
        }
        if (config.equals(current)) {
            boolean wasTroubled = troubled;
            troubled = false;
            return wasTroubled ? new Restored(config) : UNCHANGED;
        }
        beforeChange = current;
        current = config;
        troubled = false;
        return new Changed(config);
    }

    /** What the file holds now: missing, unreadable, or its bytes (with the metadata they were read at). */
    private Snapshot observe() {
        Meta meta;
        try {
            meta = metaReader.read(file);
        } catch (NoSuchFileException e) {
            return Snapshot.MISSING;
        } catch (IOException e) {
            return Snapshot.error(unreadable(e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        if (meta.size() > ALWAYS_READ_BYTES && meta.regularFile() && lastRead != null && meta.equals(lastRead.meta())
                && lastReadMillis - meta.mtime().toMillis() >= RACY_MILLIS) {
            return lastRead;
        }
        long now = System.currentTimeMillis();
        try {
            reads++;
            Snapshot s = Snapshot.content(TextFiles.readBytes(file, MAX_BYTES), meta);
            lastRead = s;
            lastReadMillis = now;
            return s;
        } catch (TextFiles.Unreadable e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return Snapshot.MISSING; // gone between the stat and the open
            }
            return Snapshot.error(unreadable(e.getMessage()), e);
        }
    }

    private String unreadable(String why) {
        return "cannot read " + kind + " " + file + ": " + why;
    }

    /** What changes when a file is written or replaced; the path is followed. */
    record Meta(long size, FileTime mtime, FileTime ctime, Object fileKey, boolean regularFile) {
        static Meta of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            FileTime ctime;
            try {
                ctime = (FileTime) Files.getAttribute(file, "unix:ctime");
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                ctime = null; // not Linux: size, mtime and inode must do
            }
            return new Meta(a.size(), a.lastModifiedTime(), ctime, a.fileKey(), a.isRegularFile());
        }
    }

    /** Reads a file's {@link Meta}. */
    @FunctionalInterface
    interface MetaReader {
        Meta read(Path file) throws IOException;
    }

    /** One observation: exactly one of missing, an error, or bytes. */
    private record Snapshot(boolean missing, ConfigException error, byte[] bytes, Meta meta) {
        static final Snapshot MISSING = new Snapshot(true, null, null, null);

        static Snapshot error(String message, Exception cause) {
            return new Snapshot(false, new ConfigException(message, cause), null, null);
        }

        static Snapshot content(byte[] bytes, Meta meta) {
            return new Snapshot(false, null, bytes, meta);
        }

        /** Same state: both missing, the same error text, or the same bytes (metadata aside). */
        boolean sameAs(Snapshot o) {
            if (o == null || missing != o.missing) {
                return false;
            }
            if (error != null || o.error != null) {
                return error != null && o.error != null && error.getMessage().equals(o.error.getMessage());
            }
            return missing || Arrays.equals(bytes, o.bytes);
        }
    }
}
