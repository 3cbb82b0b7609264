package io.sbulb.xdp.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The machine code the kernel's JIT made of a loaded program, for the benchmark's report.
 * Debian's bpftool is built without libbfd, so {@code bpftool prog dump jited} cannot show it;
 * this reads the image with BPF_OBJ_GET_INFO_BY_FD and counts instructions with binutils'
 * objdump (x86-64 only).
 */
public final class JitedCode {

    private static final int INFO_SIZE = 232; // struct bpf_prog_info of Linux 6.x
    private static final int JITED_PROG_LEN = 16;
    private static final int JITED_PROG_INSNS = 24;
    private static final Pattern INSN = Pattern.compile("^\\s*[0-9a-f]+:\\t", Pattern.MULTILINE);

    private JitedCode() {
    }

    /** The program's JITed image, bytes as the CPU runs them. */
    public static byte[] image(int progFd) {
        byte[] info = new byte[INFO_SIZE];
        IntByReference len = new IntByReference(info.length);
        int rc = LibBpf.bpf_obj_get_info_by_fd(progFd, info, len);
        if (rc != 0) {
            throw new BpfException("get info of program fd " + progFd, -rc);
        }
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
        int size = b.getInt(JITED_PROG_LEN);
        if (size == 0) {
            return new byte[0]; // not JITed
        }
        Memory code = new Memory(size);
        byte[] ask = new byte[INFO_SIZE];
        ByteBuffer.wrap(ask).order(ByteOrder.nativeOrder()).putInt(JITED_PROG_LEN, size)
                .putLong(JITED_PROG_INSNS, Pointer.nativeValue(code));
        len.setValue(ask.length);
        rc = LibBpf.bpf_obj_get_info_by_fd(progFd, ask, len);
        if (rc != 0) {
            throw new BpfException("get the JITed image of program fd " + progFd, -rc);
        }
        return code.getByteArray(0, Math.min(size, ByteBuffer.wrap(ask).order(ByteOrder.nativeOrder())
                .getInt(JITED_PROG_LEN)));
    }

    /**
     * The number of x86-64 instructions in the program's JITed image, counted by
     * {@code objdump}; empty when this is not x86-64, there is no objdump, or nothing is JITed.
     */
    public static OptionalLong x86Instructions(int progFd) {
        if (!"amd64".equals(System.getProperty("os.arch"))) {
            return OptionalLong.empty();
        }
        Path file = null;
        try {
            byte[] image = image(progFd);
            if (image.length == 0) {
                return OptionalLong.empty();
            }
            file = Files.createTempFile("sbulb-jited", ".bin");
            Files.write(file, image);
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return OptionalLong.empty();
            }
            long n = INSN.matcher(new String(out, StandardCharsets.UTF_8)).results().count();
            return p.exitValue() == 0 && n > 0 ? OptionalLong.of(n) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }
}
