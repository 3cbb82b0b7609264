package io.sbulb.xdp.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sends whole Ethernet frames out of an interface through an AF_PACKET socket: the frame
 * leaves exactly as built (checksums included), with no checksum offload left to do, which
 * XDP_TX would lose. Runs in the calling thread's network namespace.
 */
public final class RawFrames {

    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOCKADDR_LL_SIZE = 20;

    static {
        Native.register(RawFrames.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int socket(int domain, int type, int protocol);

    private static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen);

    private static native int close(int fd);

    private RawFrames() {
    }

    /** Sends {@code frame} out of the interface with index {@code ifindex} (a socket of its own: about 10 ms, its close waits for RCU). */
    public static void send(int ifindex, byte[] frame) {
        try (Socket s = Socket.open(ifindex)) {
            s.send(frame);
        }
    }

    /** An AF_PACKET socket that sends frames out of one interface, for many frames; opened in the interface's netns. */
    public static final class Socket implements AutoCloseable {
        private final int fd;
        private final byte[] addr;
        private boolean closed;

        private Socket(int fd, byte[] addr) {
            this.fd = fd;
            this.addr = addr;
        }

        public static Socket open(int ifindex) {
            int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); // protocol 0: sends, receives nothing
            if (fd < 0) {
                throw new IllegalStateException("socket(AF_PACKET): errno " + Native.getLastError());
            }
            // struct sockaddr_ll: family u16, protocol u16 (network order), ifindex i32, hatype u16,
            // pkttype u8, halen u8, addr[8]; only family and ifindex matter for sending
            byte[] addr = ByteBuffer.allocate(SOCKADDR_LL_SIZE).order(ByteOrder.nativeOrder())
                    .putShort(0, (short) AF_PACKET).putInt(4, ifindex).array();
            return new Socket(fd, addr);
        }

        public void send(byte[] frame) {
            long sent = sendto(fd, frame, frame.length, 0, addr, addr.length);
            if (sent != frame.length) {
                throw new IllegalStateException("sendto(AF_PACKET) sent " + sent + " of " + frame.length
                        + " bytes: errno " + Native.getLastError());
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                RawFrames.close(fd);
            }
        }
    }
}
