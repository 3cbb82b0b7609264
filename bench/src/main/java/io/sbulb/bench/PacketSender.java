package io.sbulb.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.sbulb.xdp.bpf.BpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The generator's fallback for kernels that refuse live frames: the same frames from an
 * AF_PACKET SOCK_RAW socket bound to the interface, a batch at a time with sendmmsg(2), paced
 * in user space (a busy wait on {@link System#nanoTime()}, CLOCK_MONOTONIC). The frames pass
 * through the sending side's stack (an skb each, the device's transmit path), so the top rate is
 * lower than live frames'; what it reached is reported. Open it on a thread inside the
 * interface's network namespace; one thread sends.
 */
final class PacketSender implements AutoCloseable {

    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCKADDR_LL_SIZE = 20;
    private static final int IOVEC_SIZE = 16;   // struct iovec of x86-64 / arm64: base, len
    private static final int MMSGHDR_SIZE = 64; // struct mmsghdr: a 56-byte msghdr, msg_len, padding
    private static final int MSG_IOV_OFF = 16;
    private static final int MSG_IOVLEN_OFF = 24;
    private static final int ENOBUFS = 105;
    private static final int EINTR = 4;
    /** As GEN_MAX_LAG_FRAMES of lab_bench.h: how far behind the schedule before the lag is dropped. */
    static final int MAX_LAG_FRAMES = 32;

    static {
        Native.register(PacketSender.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int socket(int domain, int type, int protocol);

    private static native int bind(int fd, byte[] addr, int len);

    private static native int sendmmsg(int fd, Pointer msgvec, int vlen, int flags);

    private static native int close(int fd);

    private final int fd;
    private final int ifindex;
    private final int frameLength;
    private final int batch;
    private final Memory frames;
    private final Memory msgs;
    private final Memory iovs;

    private PacketSender(int fd, int ifindex, byte[] frame, int batch) {
        this.fd = fd;
        this.ifindex = ifindex;
        this.frameLength = frame.length;
        this.batch = batch;
        frames = new Memory((long) batch * frame.length);
        iovs = new Memory((long) batch * IOVEC_SIZE);
        msgs = new Memory((long) batch * MMSGHDR_SIZE);
        msgs.clear();
        for (int i = 0; i < batch; i++) {
            frames.write((long) i * frame.length, frame, 0, frame.length);
            iovs.setPointer((long) i * IOVEC_SIZE, frames.share((long) i * frame.length));
            iovs.setLong((long) i * IOVEC_SIZE + 8, frame.length);
            msgs.setPointer((long) i * MMSGHDR_SIZE + MSG_IOV_OFF, iovs.share((long) i * IOVEC_SIZE));
            msgs.setLong((long) i * MMSGHDR_SIZE + MSG_IOVLEN_OFF, 1);
        }
    }

    /**
     * Opens a socket that sends {@code frame} (whole, Ethernet header included) out of interface
     * {@code ifindex} of the calling thread's network namespace, {@code batch} frames a call.
     * Protocol 0: the socket receives nothing.
     */
    static PacketSender open(int ifindex, byte[] frame, int batch) {
        if (batch < 1 || frame.length < Generator.HEADER_LEN) {
            throw new IllegalArgumentException("a batch of " + batch + " frames of " + frame.length
                    + " bytes: need at least 1 frame of at least " + Generator.HEADER_LEN);
        }
        int fd = socket(AF_PACKET, SOCK_RAW, 0);
        if (fd < 0) {
            throw new BpfException("open an AF_PACKET SOCK_RAW socket", Native.getLastError());
        }
        ByteBuffer sll = ByteBuffer.allocate(SOCKADDR_LL_SIZE).order(ByteOrder.nativeOrder());
        sll.putShort(0, (short) AF_PACKET); // sll_protocol 0 (network order) at 2: send only
        sll.putInt(4, ifindex);
        if (bind(fd, sll.array(), SOCKADDR_LL_SIZE) != 0) {
            int errno = Native.getLastError();
            close(fd);
            throw new BpfException("bind an AF_PACKET socket to interface " + ifindex, errno);
        }
        return new PacketSender(fd, ifindex, frame, batch);
    }

    /**
     * Sends {@code frames} frames, the UDP source port of frame k being {@code basePort + k %
     * clients}, {@code pps} a second (0: as fast as it can), a batch at a time, each batch when
     * its last frame is due (as live frames flush a batch); nothing after {@code maxSeconds}. A
     * sender more than {@link #MAX_LAG_FRAMES} frames behind its schedule drops the lag (counted
     * in {@link Generator.Run#late()}) instead of bursting. Frames the interface refused (ENOBUFS:
     * the peer's ring was full) count as sent and as {@link Generator.Run#refused()}.
     */
    Generator.Run run(int basePort, int clients, double pps, int frames, double maxSeconds) {
        long interval = pps > 0 ? Math.round(1e9 / pps) : 0;
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        long next = 0;
        long sent = 0;
        long late = 0;
        long refused = 0;
        long first = 0;
        long last = 0;
        while (sent < frames) {
            int n = (int) Math.min(batch, frames - sent);
            long now = System.nanoTime();
            if (now > deadline) {
                break;
            }
            if (interval > 0) {
                if (next == 0 || now > next + MAX_LAG_FRAMES * interval) {
                    late += next == 0 ? 0 : 1;
                    next = now;
                }
                long due = next + (n - 1) * interval;
                while (now < due && now < deadline) { // bounded: by the due time and the deadline
                    Thread.onSpinWait();
                    now = System.nanoTime();
                }
                next += n * interval;
            }
            for (int i = 0; i < n; i++) {
                setPort(i, basePort + (int) ((sent + i) % clients));
            }
            refused += send(n);
            if (sent == 0) {
                first = now;
            }
            last = now;
            sent += n;
        }
        return new Generator.Run(sent, (last - first) / 1e9, late, refused);
    }

    private void setPort(int i, int port) {
        long off = (long) i * frameLength + Generator.UDP_SPORT_OFF;
        frames.setByte(off, (byte) (port >> 8)); // network byte order
        frames.setByte(off + 1, (byte) port);
    }

    /** Sends the first {@code n} frames of the batch; how many the interface refused. */
    private int send(int n) {
        int done = 0;
        int refused = 0;
        while (done < n) {
            int rc = sendmmsg(fd, msgs.share((long) done * MMSGHDR_SIZE), n - done, 0);
            if (rc > 0) {
                done += rc;
                continue;
            }
            int errno = Native.getLastError();
            if (errno == ENOBUFS) {
                refused++; // the frame at `done` was dropped: go on with the next
                done++;
            } else if (errno != EINTR) {
                throw new BpfException("sendmmsg of " + (n - done) + " frames on an AF_PACKET socket of interface "
                        + ifindex, errno);
            }
        }
        return refused;
    }

    @Override
    public void close() {
        close(fd);
    }
}
