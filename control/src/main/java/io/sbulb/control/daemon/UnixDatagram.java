package io.sbulb.control.daemon;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * An AF_UNIX datagram socket, through libc (JNA): what {@code sd_notify(3)} speaks, without
 * any systemd library. Not thread-safe.
 *
 * <p>An address is a filesystem path ({@code /run/systemd/notify}) or an abstract name written
 * {@code @name} (Linux: {@code sun_path} starts with a NUL, and no file exists). Either must fit
 * {@code sun_path}: 108 bytes, with the path's terminating NUL or the abstract name's leading one.
 *
 * <p>Assumes an LP64 Linux (x86-64, arm64): {@code size_t} and {@code ssize_t} are Java longs,
 * as in the rest of sbulb's JNA bindings.
 */
public final class UnixDatagram implements AutoCloseable {

    /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)} on Linux. */
    public static final int SUN_PATH_BYTES = 108;
    /** {@code offsetof(struct sockaddr_un, sun_path)}: the {@code sa_family_t} before it. */
    static final int SUN_PATH_OFFSET = 2;
    /** Longer datagrams are cut by {@link #receive}; sd_notify's are at most 4096 bytes. */
    public static final int RECEIVE_BUFFER_BYTES = 65536;

    private static final short AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final short POLLIN = 0x1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    static {
        Native.register(UnixDatagram.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int socket(int domain, int type, int protocol);

    private static native int bind(int fd, byte[] addr, int addrlen);

    private static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

    private static native long recv(int fd, byte[] buf, long len, int flags);

    private static native int poll(Pointer fds, long nfds, int timeoutMillis);

    private static native int close(int fd);

    private static native String strerror(int errnum);

    private int fd;
    private final String localAddress;

    private UnixDatagram(int fd, String localAddress) {
        this.fd = fd;
        this.localAddress = localAddress;
    }

    /** An unbound socket, for sending. */
    public static UnixDatagram open() throws UnixSocketException {
        return new UnixDatagram(newSocket(), null);
    }

    /**
     * A socket bound to {@code address}, for receiving. A path is left in the filesystem when
     * the socket closes (as with any AF_UNIX socket): the caller removes it.
     *
     * @throws IllegalArgumentException when the address does not fit {@code sun_path}
     * @throws UnixSocketException when the kernel refuses (errno: the path exists, the directory is missing...)
     */
    public static UnixDatagram bind(String address) throws UnixSocketException {
        byte[] sockaddr = sockaddr(address);
        int fd = newSocket();
        if (bind(fd, sockaddr, sockaddr.length) != 0) {
            int errno = Native.getLastError();
            close(fd);
            throw error("bind " + address, errno);
        }
        return new UnixDatagram(fd, address);
    }

    /** The address this socket is bound to, if it is. */
    public Optional<String> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    /**
     * Sends one datagram to {@code address} without blocking: when the receiver's queue is full
     * the send fails with EAGAIN instead of stalling the caller.
     *
     * @throws IllegalArgumentException when the address does not fit {@code sun_path}
     * @throws UnixSocketException naming the address, with errno (ENOENT: no socket there;
     *     ECONNREFUSED: nobody bound to it; EAGAIN: its queue is full)
     */
    public void send(String address, byte[] datagram) throws UnixSocketException {
        byte[] sockaddr = sockaddr(address);
        long sent = sendto(checkOpen(), datagram, datagram.length, MSG_DONTWAIT | MSG_NOSIGNAL, sockaddr,
                sockaddr.length);
        if (sent < 0) {
            throw error("sendto " + address, Native.getLastError());
        }
        if (sent != datagram.length) { // a datagram socket sends all or nothing; kept as a check
            throw new IllegalStateException("sendto " + address + " sent " + sent + " of " + datagram.length
                    + " bytes");
        }
    }

    /**
     * The next datagram (cut to {@link #RECEIVE_BUFFER_BYTES}), or empty when none came within
     * {@code timeout}.
     */
    public Optional<byte[]> receive(Duration timeout) throws UnixSocketException {
        int fd = checkOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
        try (Memory pollfd = new Memory(8)) { // struct pollfd { int fd; short events; short revents; }
            while (true) {
                long left = Math.max(0, deadline - System.nanoTime());
                pollfd.setInt(0, fd);
                pollfd.setShort(4, POLLIN);
                pollfd.setShort(6, (short) 0);
                int ready = poll(pollfd, 1, (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
                if (ready < 0) {
                    int errno = Native.getLastError();
                    if (errno == EINTR) {
                        continue;
                    }
                    throw error("poll " + name(), errno);
                }
                if (ready > 0) {
                    long n = recv(fd, buffer, buffer.length, MSG_DONTWAIT);
                    if (n >= 0) {
                        return Optional.of(Arrays.copyOf(buffer, (int) n));
                    }
                    int errno = Native.getLastError();
                    if (errno != EAGAIN && errno != EINTR) {
                        throw error("recv " + name(), errno);
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    return Optional.empty();
                }
            }
        }
    }

    /** Closes the socket; a second close does nothing. */
    @Override
    public void close() {
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
    }

    /**
     * The {@code struct sockaddr_un} of an address, exactly as long as the length to pass with
     * it: {@code offsetof(sun_path)} plus the path and its NUL, or plus the abstract name's
     * leading NUL and the name (an abstract name is its bytes up to that length, not to a NUL).
     *
     * @throws IllegalArgumentException for an empty address, a NUL in it, or one too long for {@code sun_path}
     */
    static byte[] sockaddr(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("an AF_UNIX address is a path or @name, got nothing");
        }
        boolean abstractName = address.startsWith("@");
        byte[] name = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        if (abstractName && name.length == 0) {
            throw new IllegalArgumentException("abstract AF_UNIX name '@' is empty");
        }
        for (byte b : name) {
            if (b == 0) {
                throw new IllegalArgumentException("AF_UNIX address '" + address.replace("\0", "\\0")
                        + "' holds a NUL byte");
            }
        }
        int used = name.length + 1; // the path's terminating NUL, or the abstract name's leading NUL
        if (used > SUN_PATH_BYTES) {
            throw new IllegalArgumentException((abstractName ? "abstract AF_UNIX name '" : "AF_UNIX socket path '")
                    + address + "' is " + name.length + " bytes, longer than the " + (SUN_PATH_BYTES - 1)
                    + " that fit sun_path (" + SUN_PATH_BYTES + " bytes with its NUL)");
        }
        ByteBuffer b = ByteBuffer.allocate(SUN_PATH_OFFSET + used).order(ByteOrder.nativeOrder());
        b.putShort(AF_UNIX); // sa_family_t, host byte order
        if (abstractName) {
            b.put((byte) 0).put(name);
        } else {
            b.put(name).put((byte) 0);
        }
        return b.array();
    }

    private static int newSocket() throws UnixSocketException {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw error("socket(AF_UNIX, SOCK_DGRAM)", Native.getLastError());
        }
        return fd;
    }

    private int checkOpen() {
        if (fd < 0) {
            throw new IllegalStateException("the AF_UNIX socket " + name() + " is closed");
        }
        return fd;
    }

    private String name() {
        return localAddress != null ? localAddress : "(unbound)";
    }

    private static UnixSocketException error(String operation, int errno) {
        return new UnixSocketException(operation, errno, strerror(errno));
    }
}
