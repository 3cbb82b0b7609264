package io.sbulb.control.daemon;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the service is doing ({@code Type=notify}): the {@code sd_notify(3)}
 * protocol, spoken directly. Each call sends one datagram of newline-separated UTF-8
 * assignments ({@code READY=1\nSTATUS=...}) to the AF_UNIX socket named by
 * {@code $NOTIFY_SOCKET}, a path or an abstract {@code @name}. Without the variable, every call
 * does nothing. ({@code MAINPID=} is not sent: this process is the main one.)
 *
 * <p>A notification that cannot be sent is logged, at WARN the first time and at DEBUG after,
 * and never thrown: the balancer must not stop balancing because systemd's socket went away.
 * Each call opens its own socket and sends without blocking, as {@code sd_notify} does; a full
 * queue at systemd's end loses that notification instead of stalling the caller.
 *
 * <p>Thread-safe.
 */
public final class SdNotify {

    /** The variable systemd sets for a {@code Type=notify} service. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    /**
     * The largest datagram sent: systemd reads notifications into a buffer of this size
     * ({@code NOTIFY_BUFFER_MAX}, PIPE_BUF), so a longer status is cut to fit.
     */
    public static final int MAX_DATAGRAM_BYTES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);
    private static final SdNotify DISABLED = new SdNotify(null);

    private final String address;
    private final AtomicBoolean warned = new AtomicBoolean();

    private SdNotify(String address) {
        this.address = address;
    }

    /** The notifier {@code $NOTIFY_SOCKET} names; disabled when it is unset or empty. */
    public static SdNotify fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The notifier {@code env}'s {@code NOTIFY_SOCKET} names; disabled when it is unset or
     * empty, or (with a WARN) when it is neither an absolute path nor {@code @name} (systemd's
     * {@code vsock:} addresses are not supported), or does not fit {@code sun_path}.
     */
    public static SdNotify fromEnvironment(Map<String, String> env) {
        String value = env.get(NOTIFY_SOCKET);
        if (value == null || value.isEmpty()) {
            return DISABLED;
        }
        if (!value.startsWith("/") && !value.startsWith("@")) {
            LOG.warn("{}={} is neither an absolute path nor an @abstract name: systemd will not be notified",
                    NOTIFY_SOCKET, value);
            return DISABLED;
        }
        try {
            return to(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: {}: systemd will not be notified", NOTIFY_SOCKET, e.getMessage());
            return DISABLED;
        }
    }

    /**
     * A notifier sending to {@code address}: a path, or {@code @name} for an abstract socket.
     *
     * @throws IllegalArgumentException when the address does not fit {@code sun_path}
     */
    public static SdNotify to(String address) {
        UnixDatagram.sockaddr(address); // checked now, not at the first notification
        return new SdNotify(address);
    }

    /** A notifier that sends nothing. */
    public static SdNotify disabled() {
        return DISABLED;
    }

    /** True when notifications are sent somewhere. */
    public boolean enabled() {
        return address != null;
    }

    /** Where notifications go, when enabled. */
    public Optional<String> address() {
        return Optional.ofNullable(address);
    }

    /** Startup is complete: {@code READY=1} and the status. */
    public void ready(String status) {
        send("READY=1\n", status);
    }

    /** The status line systemd shows ({@code systemctl status}). */
    public void status(String status) {
        send("", status);
    }

    /** Shutdown has begun: {@code STOPPING=1} and the status. */
    public void stopping(String status) {
        send("STOPPING=1\n", status);
    }

    /**
     * The datagram for these assignments and status: the status is flattened to one line (each
     * line end becomes a space) and cut, on a character boundary, so that the whole fits in
     * {@link #MAX_DATAGRAM_BYTES}.
     */
    static byte[] datagram(String assignments, String status) {
        Objects.requireNonNull(status, "status");
        String line = status.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        byte[] head = (assignments + "STATUS=").getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(MAX_DATAGRAM_BYTES).put(head);
        // an encoder stops before a character that does not fit: never half a UTF-8 sequence
        StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).encode(CharBuffer.wrap(line), out, true);
        return Arrays.copyOf(out.array(), out.position());
    }

    private void send(String assignments, String status) {
        byte[] datagram = datagram(assignments, status);
        if (address == null) {
            return;
        }
        try (UnixDatagram socket = UnixDatagram.open()) {
            socket.send(address, datagram);
        } catch (UnixSocketException | RuntimeException e) {
            String first = new String(datagram, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            if (warned.compareAndSet(false, true)) {
                LOG.warn("cannot notify systemd ({}, further failures are logged at DEBUG): {}", first, e.getMessage());
            } else {
                LOG.debug("cannot notify systemd ({}): {}", first, e.getMessage());
            }
        } catch (LinkageError e) { // no libc through JNA: the balancer runs on without systemd
            if (warned.compareAndSet(false, true)) {
                LOG.warn("cannot notify systemd: {}", e.toString());
            }
        }
    }
}
