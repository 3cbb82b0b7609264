package io.sbulb.xdp.bench;

import io.sbulb.api.Frame;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.BpfProgram;
import io.sbulb.xdp.bpf.PackagedObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The loaded {@code bench_wrapper.bpf.o}: the restoring wrapper, the XDP_PASS baseline callee,
 * and their maps. All calls from the measuring thread.
 */
final class BenchWrapper implements AutoCloseable {

    static final String RESOURCE = "/io/sbulb/xdp/bench_wrapper.bpf.o";
    static final int CTL_SIZE = 32; // struct bench_ctl, _Static_assert'ed in the C file
    private static final byte[] KEY0 = new byte[4];

    private final BpfObject object;
    private final BpfProgram program;
    private final BpfProgram pass;
    private final BpfMap frameMap;
    private final BpfMap ctlMap;
    private final BpfMap callee;
    private final int frameLength;
    private byte[] frame;

    /** The wrapper's counts: see struct bench_ctl. */
    record Ctl(long runs, long refused, long tailCallFailures) {
        Ctl minus(Ctl o) {
            return new Ctl(runs - o.runs, refused - o.refused, tailCallFailures - o.tailCallFailures);
        }
    }

    private BenchWrapper(BpfObject object) {
        this.object = object;
        this.program = object.program("bench_wrapper");
        this.pass = object.program("bench_pass");
        this.frameMap = object.map("bench_frame");
        this.ctlMap = object.map("bench_ctl");
        this.callee = object.map("bench_callee");
        if (ctlMap.description().valueSize() != CTL_SIZE) {
            throw new IllegalStateException("bench_ctl values have " + ctlMap.description().valueSize()
                    + " bytes, this class reads " + CTL_SIZE);
        }
        this.frameLength = frameMap.description().valueSize(); // BENCH_FRAME_LEN, from the object
    }

    static BenchWrapper load() {
        return PackagedObject.read(BenchWrapper.class, RESOURCE).load("bench_wrapper", BenchWrapper::new);
    }

    /** The only frame length the wrapper restores (BENCH_FRAME_LEN). */
    int frameLength() {
        return frameLength;
    }

    int possibleCpus() {
        return object.possibleCpus();
    }

    /** Tail-call the program with this fd. */
    void call(int programFd) {
        callee.update(KEY0, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(programFd).array(),
                BpfMap.UpdateFlag.ANY);
    }

    /** Tail-call the baseline, bench_pass. */
    void callPass() {
        call(pass.fd());
    }

    /** The fd of the baseline callee, bench_pass. */
    int passFd() {
        return pass.fd();
    }

    /**
     * The frame restored before every run; with {@code varyMask} != 0 the 32-bit word at
     * {@code varyOffset} is XORed with the run number (big-endian) & mask, a new value every run.
     */
    void frame(Frame f, int varyOffset, int varyMask) {
        if (f.length() != frameLength) {
            throw new IllegalArgumentException("the wrapper restores frames of exactly " + frameLength
                    + " bytes, got " + f.length());
        }
        if (varyOffset < 0 || varyOffset > frameLength - 4) {
            throw new IllegalArgumentException("vary offset " + varyOffset + " is outside 0.." + (frameLength - 4));
        }
        frame = f.bytes();
        frameMap.update(KEY0, frame, BpfMap.UpdateFlag.ANY);
        ByteBuffer ctl = ByteBuffer.wrap(ctlMap.lookup(KEY0)).order(ByteOrder.nativeOrder());
        ctl.putInt(0, varyOffset).putInt(4, varyMask);
        ctlMap.update(KEY0, ctl.array(), BpfMap.UpdateFlag.ANY);
    }

    Ctl ctl() {
        ByteBuffer b = ByteBuffer.wrap(ctlMap.lookup(KEY0)).order(ByteOrder.nativeOrder());
        return new Ctl(b.getLong(8), b.getLong(16), b.getLong(24));
    }

    /** BPF_PROG_TEST_RUN of the wrapper on the current frame. */
    BpfProgram.TestRun run(int repeat) {
        if (frame == null) {
            throw new IllegalStateException("no frame set");
        }
        return program.testRunXdp(frame, repeat);
    }

    @Override
    public void close() {
        object.close();
    }
}
