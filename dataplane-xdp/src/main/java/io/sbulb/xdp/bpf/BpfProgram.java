package io.sbulb.xdp.bpf;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A live program of a loaded {@link BpfObject}: run it with BPF_PROG_TEST_RUN, read its info. */
public final class BpfProgram {

    /** Room BPF_PROG_TEST_RUN gives an XDP frame without fragments: a page minus head- and tailroom. */
    public static final int MAX_TEST_FRAME = 4096 - 256 - 320;
    /** BPF_PROG_TEST_RUN refuses XDP input shorter than an Ethernet header. */
    private static final int ETH_HLEN = 14;
    private static final int XDP_MD_SIZE = 24; // struct xdp_md: data, data_end, data_meta, 3 more u32

    private final String name;
    private final int fd;

    BpfProgram(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** The outcome of one BPF_PROG_TEST_RUN. */
    public record TestRun(int retval, byte[] output, int durationNs) {
    }

    /**
     * Runs an XDP program on {@code frame}, as if it arrived on a NIC. The program sees exactly
     * {@code frame}, even one shorter than an Ethernet header (see the comment inside; this
     * needs a kernel that accepts {@code xdp_md.data_end} below the input size, as 6.18 does).
     *
     * @param repeat how many runs (each sees the previous run's output: see docs/design.md §4)
     */
    public TestRun testRunXdp(byte[] frame, int repeat) {
        if (frame.length > MAX_TEST_FRAME) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes exceeds the "
                    + MAX_TEST_FRAME + " bytes BPF_PROG_TEST_RUN accepts for XDP");
        }
        // Linux 6.18 refuses less than ETH_HLEN bytes of input, metadata excluded; it accepts a
        // linear part shorter than the input (data_end < data_size_in), the rest becoming a
        // fragment the program never reads. A short frame is run that way, padded to ETH_HLEN.
        int size = Math.max(frame.length, ETH_HLEN);
        Memory in = new Memory(size);
        in.clear();
        in.write(0, frame, 0, frame.length);
        Memory out = new Memory(size + 256L);
        Memory ctx = new Memory(XDP_MD_SIZE);
        ctx.clear();
        ctx.setInt(0, 0);            // data: the frame starts at once, no metadata
        ctx.setInt(4, frame.length); // data_end: the program sees exactly the frame
        LibBpf.TestRunOpts opts = new LibBpf.TestRunOpts();
        opts.data_in = in;
        opts.data_size_in = size;
        opts.data_out = out;
        opts.data_size_out = (int) out.size();
        opts.ctx_in = ctx;
        opts.ctx_size_in = XDP_MD_SIZE;
        opts.repeat = repeat;
        int rc = LibBpf.bpf_prog_test_run_opts(fd, opts);
        if (rc != 0) {
            throw new BpfException("BPF_PROG_TEST_RUN of " + name + " on a " + frame.length + "-byte frame", -rc);
        }
        int outLen = Math.min(opts.data_size_out, frame.length);
        byte[] output = out.getByteArray(0, outLen);
        return new TestRun(opts.retval, output, opts.duration);
    }

    /** BPF_F_TEST_XDP_LIVE_FRAMES of linux/bpf.h (Linux 5.18+). */
    private static final int BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;

    /**
     * Prepares runs of this XDP program in live-frames mode ({@code BPF_F_TEST_XDP_LIVE_FRAMES}):
     * each repetition runs the program on a frame that starts as a copy of {@code frame}, and
     * what it returns happens for real, as if the frame had arrived on interface
     * {@code ingressIfindex}: XDP_TX sends it out of that interface, XDP_REDIRECT where the
     * program redirected it, XDP_PASS hands it to the stack. A traffic generator without sockets.
     *
     * <p>Frames come from a page pool and are reused: a frame may start with what an earlier
     * repetition, or whoever received it, wrote into it. The kernel flushes the transmitted
     * frames every {@code batchSize} repetitions.
     *
     * @param ingressIfindex an interface of the network namespace of the threads that will call
     *                       {@link LiveFrames#run(int)}
     */
    public LiveFrames liveFrames(byte[] frame, int ingressIfindex, int batchSize) {
        if (frame.length < ETH_HLEN || frame.length > MAX_TEST_FRAME) {
            throw new IllegalArgumentException("a live frame has " + ETH_HLEN + ".." + MAX_TEST_FRAME
                    + " bytes, not " + frame.length);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " is below 1");
        }
        return new LiveFrames(frame, ingressIfindex, batchSize);
    }

    /** Live-frames runs of the program on one frame and interface ({@link #liveFrames}). */
    public final class LiveFrames {

        private final Memory in;
        private final Memory ctx;
        private final LibBpf.TestRunOpts opts = new LibBpf.TestRunOpts();
        private final int ifindex;

        private LiveFrames(byte[] frame, int ifindex, int batchSize) {
            this.ifindex = ifindex;
            in = new Memory(frame.length);
            in.write(0, frame, 0, frame.length);
            ctx = new Memory(XDP_MD_SIZE);
            ctx.clear();
            ctx.setInt(4, frame.length); // data_end
            ctx.setInt(12, ifindex);     // ingress_ifindex
            opts.data_in = in;
            opts.data_size_in = frame.length;
            opts.ctx_in = ctx;
            opts.ctx_size_in = XDP_MD_SIZE;
            opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
            opts.batch_size = batchSize;
        }

        /**
         * Runs the program {@code repeat} times, from the calling thread.
         *
         * @throws BpfException when the kernel refuses the run (errno: ENODEV when the interface
         *                      is not in the calling thread's network namespace, EINVAL on a
         *                      kernel without live frames)
         */
        public void run(int repeat) {
            opts.repeat = repeat;
            opts.data_size_out = 0;
            int rc = LibBpf.bpf_prog_test_run_opts(fd, opts);
            if (rc != 0) {
                throw new BpfException("BPF_PROG_TEST_RUN (live frames) of " + name + " on interface " + ifindex
                        + ", repeat " + repeat, -rc);
            }
        }
    }

    /** What the kernel reports about the loaded program. */
    public record Info(int id, int xlatedBytes, int jitedBytes, int verifiedInstructions) {
        /** Instructions after the verifier's rewrites (8 bytes each). */
        public int xlatedInstructions() {
            return xlatedBytes / 8;
        }
    }

    public Info info() {
        byte[] info = new byte[232]; // struct bpf_prog_info of Linux 6.x
        IntByReference len = new IntByReference(info.length);
        int rc = LibBpf.bpf_obj_get_info_by_fd(fd, info, len);
        if (rc != 0) {
            throw new BpfException("get info of program " + name, -rc);
        }
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
        int verified = len.getValue() >= 220 ? b.getInt(216) : -1; // verified_insns: Linux 5.16+
        return new Info(b.getInt(4), b.getInt(20), b.getInt(16), verified);
    }
}
