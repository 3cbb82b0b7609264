package io.sbulb.control.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon's command channel: a Unix stream socket (owner only, mode 0600) on which a
 * tool ({@code sbulb drain}) sends one line and reads the answer, one request per connection.
 * Its thread only reads and writes: each request is handed to {@code handler}, which answers it
 * on the daemon's thread (state changes stay there), within {@value #ANSWER_MILLIS} ms.
 *
 * <p>A line longer than {@value #MAX_LINE} bytes, or not ended within {@value #READ_MILLIS} ms,
 * is answered with an error: a silent or hostile client holds the channel that long at most.
 */
public final class ControlSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);
    static final int MAX_LINE = 1024;
    static final long READ_MILLIS = 2000;
    static final long ANSWER_MILLIS = 10_000;

    /** One command line, and where its one-line answer goes. */
    public record Request(String line, CompletableFuture<String> answer) {
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Object fileKey;
    private final Thread thread;
    private volatile boolean closed;

    private ControlSocket(Path path, ServerSocketChannel server, Object fileKey, Consumer<Request> handler) {
        this.path = path;
        this.server = server;
        this.fileKey = fileKey;
        this.thread = new Thread(() -> serve(handler), "sbulb-control");
        this.thread.setDaemon(true);
    }

    /**
     * Listens at {@code path} (its directory made if missing, mode 0700). A socket file left by a
     * process that is gone is replaced; one another process listens on is not.
     *
     * @throws UncheckedIOException naming the path and the cause when it cannot listen there
     */
    public static ControlSocket open(Path path, Consumer<Request> handler) {
        Objects.requireNonNull(handler, "handler");
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (listening(path)) {
                    throw new IOException("another process listens on it (is another sbulb running on this data path?)");
                }
                Files.delete(path); // left by a process that is gone
            }
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(path));
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
                Object key = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
                ControlSocket s = new ControlSocket(path, server, key, handler);
                s.thread.start();
                return s;
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
    }

    /** True if a process accepts connections at {@code path}. */
    static boolean listening(Path path) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends {@code line} to the daemon listening at {@code path} and returns its answer.
     *
     * @throws IOException when nobody listens there, or no answer came within the time a daemon takes
     */
    public static String ask(Path path, String line) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.configureBlocking(false);
            return readLine(c, READ_MILLIS + ANSWER_MILLIS, 64 * 1024, "the daemon's answer");
        }
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    private void serve(Consumer<Request> handler) {
        while (!closed) {
            try (SocketChannel c = server.accept()) {
                c.configureBlocking(false);
                String answer;
                try {
                    String line = readLine(c, READ_MILLIS, MAX_LINE, "a command");
                    CompletableFuture<String> future = new CompletableFuture<>();
                    handler.accept(new Request(line, future));
                    answer = future.get(ANSWER_MILLIS, TimeUnit.MILLISECONDS);
                } catch (IOException e) {
                    answer = "error: " + e.getMessage();
                } catch (TimeoutException e) {
                    answer = "error: the daemon did not answer within " + ANSWER_MILLIS + " ms";
                } catch (ExecutionException e) {
                    answer = "error: " + e.getCause().getMessage();
                }
                c.configureBlocking(true);
                ByteBuffer out = ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    c.write(out);
                }
            } catch (ClosedChannelException e) {
                return; // closed
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("control socket {}: {}", path, e.getMessage());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads up to a newline (not included), at most {@code max} bytes, within {@code millis}. */
    private static String readLine(SocketChannel c, long millis, int max, String what) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(max + 1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try (Selector selector = Selector.open()) {
            c.register(selector, SelectionKey.OP_READ);
            while (true) {
                for (int i = 0; i < in.position(); i++) {
                    if (in.get(i) == '\n') {
                        return new String(in.array(), 0, i, StandardCharsets.UTF_8);
                    }
                }
                if (!in.hasRemaining()) {
                    throw new IOException(what + " is longer than " + max + " bytes");
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException(what + " did not come within " + millis + " ms");
                }
                selector.select(left);
                if (c.read(in) < 0) {
                    throw new IOException(what + " ended before its end of line");
                }
            }
        }
    }

    /** Stops listening and removes the socket file, unless another process has put its own there since. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing: nothing more to do with it
        }
        try {
            Object key = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // gone already, or replaced: left alone
        }
        thread.interrupt();
    }
}
