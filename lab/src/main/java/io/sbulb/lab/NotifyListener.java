package io.sbulb.lab;

import io.sbulb.control.daemon.UnixDatagram;
import io.sbulb.control.daemon.UnixSocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Plays systemd's side of sd_notify: a datagram socket at a path, whose messages are kept in
 * order. A path, not an abstract name: abstract names belong to a network namespace, and sbulb
 * runs in another one.
 */
public final class NotifyListener implements AutoCloseable {

    private final Path path;
    private final UnixDatagram socket;
    private final List<String> received = new ArrayList<>();

    public NotifyListener(Path path) {
        this.path = path;
        try {
            this.socket = UnixDatagram.bind(path.toString());
        } catch (UnixSocketException e) {
            throw new LabException("cannot listen for sd_notify messages at " + path + ": " + e.getMessage(), e);
        }
    }

    /** The value for $NOTIFY_SOCKET. */
    public String address() {
        return path.toString();
    }

    /**
     * The first message received from now on (or already received and not yet taken) that
     * {@code matches}, waiting at most {@code timeout}.
     */
    public synchronized Optional<String> await(Predicate<String> matches, Duration timeout) {
        for (int i = 0; i < received.size(); i++) {
            if (matches.test(received.get(i))) {
                return Optional.of(received.remove(i));
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<String> m;
            try {
                m = socket.receive(Duration.ofNanos(left)).map(b -> new String(b, StandardCharsets.UTF_8));
            } catch (UnixSocketException e) {
                throw new LabException("receiving sd_notify messages at " + path + ": " + e.getMessage(), e);
            }
            if (m.isPresent()) {
                if (matches.test(m.get())) {
                    return m;
                }
                received.add(m.get());
            }
        }
    }

    /** Every message received and not taken by {@link #await}. */
    public synchronized List<String> pending() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        socket.close();
    }
}
