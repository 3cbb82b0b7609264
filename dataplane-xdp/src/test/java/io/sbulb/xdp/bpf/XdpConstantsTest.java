package io.sbulb.xdp.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The constants and struct layouts the XDP attach code copies from linux/bpf.h, linux/if_link.h
 * and libbpf's headers are checked, not trusted: a small C program compiled against the same
 * headers (with the clang the build uses) prints them.
 */
@Timeout(60)
class XdpConstantsTest {

    private static final String PROGRAM = """
            #include <stddef.h>
            #include <stdio.h>
            #include <linux/bpf.h>
            #include <linux/if_link.h>
            #include <bpf/bpf.h>
            #include <bpf/libbpf.h>
            #define P(name, value) printf("%s=%ld\\n", name, (long)(value))
            int main(void) {
                P("BPF_XDP", BPF_XDP);
                P("BPF_LINK_TYPE_XDP", BPF_LINK_TYPE_XDP);
                P("XDP_FLAGS_UPDATE_IF_NOEXIST", XDP_FLAGS_UPDATE_IF_NOEXIST);
                P("XDP_FLAGS_SKB_MODE", XDP_FLAGS_SKB_MODE);
                P("XDP_FLAGS_DRV_MODE", XDP_FLAGS_DRV_MODE);
                P("XDP_FLAGS_REPLACE", XDP_FLAGS_REPLACE);
                P("XDP_ATTACHED_NONE", XDP_ATTACHED_NONE);
                P("XDP_ATTACHED_DRV", XDP_ATTACHED_DRV);
                P("XDP_ATTACHED_SKB", XDP_ATTACHED_SKB);
                P("XDP_ATTACHED_HW", XDP_ATTACHED_HW);
                P("XDP_ATTACHED_MULTI", XDP_ATTACHED_MULTI);
                P("query.size", sizeof(struct bpf_xdp_query_opts));
                P("query.prog_id", offsetof(struct bpf_xdp_query_opts, prog_id));
                P("query.drv_prog_id", offsetof(struct bpf_xdp_query_opts, drv_prog_id));
                P("query.hw_prog_id", offsetof(struct bpf_xdp_query_opts, hw_prog_id));
                P("query.skb_prog_id", offsetof(struct bpf_xdp_query_opts, skb_prog_id));
                P("query.attach_mode", offsetof(struct bpf_xdp_query_opts, attach_mode));
                P("attach.size", sizeof(struct bpf_xdp_attach_opts));
                P("attach.old_prog_fd", offsetof(struct bpf_xdp_attach_opts, old_prog_fd));
                P("link_create.flags", offsetof(struct bpf_link_create_opts, flags));
                P("link_create.iter_info", offsetof(struct bpf_link_create_opts, iter_info));
                P("prog_info.type", offsetof(struct bpf_prog_info, type));
                P("prog_info.id", offsetof(struct bpf_prog_info, id));
                P("prog_info.name", offsetof(struct bpf_prog_info, name));
                P("BPF_OBJ_NAME_LEN", BPF_OBJ_NAME_LEN);
                P("link_info.type", offsetof(struct bpf_link_info, type));
                P("link_info.id", offsetof(struct bpf_link_info, id));
                P("link_info.prog_id", offsetof(struct bpf_link_info, prog_id));
                return 0;
            }
            """;

    private static Map<String, Long> c;

    @BeforeAll
    static void compileAndRun(@TempDir Path dir) throws IOException, InterruptedException {
        Path src = dir.resolve("constants.c");
        Path exe = dir.resolve("constants");
        Files.writeString(src, PROGRAM);
        String clang = System.getProperty("bpf.clang", "clang");
        String multiarch = run(List.of("gcc", "-dumpmachine"), dir).strip();
        run(List.of(clang, "-idirafter", "/usr/include/" + multiarch, "-o", exe.toString(), src.toString()), dir);
        c = new HashMap<>();
        for (String line : run(List.of(exe.toString()), dir).split("\n")) {
            String[] kv = line.split("=", 2);
            c.put(kv[0], Long.parseLong(kv[1]));
        }
    }

    private static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s: %s", cmd, text).isZero();
        return text;
    }

    private static int offset(Structure s, String field, Object marker, int width) {
        s.getPointer().clear(s.size());
        s.writeField(field, marker);
        for (int off = 0; off + width <= s.size(); off++) {
            long v = width == 1 ? s.getPointer().getByte(off) : s.getPointer().getInt(off);
            if (v == ((Number) marker).longValue()) {
                return off;
            }
        }
        throw new AssertionError("marker of " + field + " not found");
    }

    @Test
    void attachConstantsAreTheKernelHeaders() {
        assertThat(Xdp.BPF_XDP).isEqualTo(c.get("BPF_XDP").intValue());
        assertThat(Xdp.LINK_TYPE_XDP).isEqualTo(c.get("BPF_LINK_TYPE_XDP").intValue());
        assertThat(Xdp.FLAGS_UPDATE_IF_NOEXIST).isEqualTo(c.get("XDP_FLAGS_UPDATE_IF_NOEXIST").intValue());
        assertThat(Xdp.FLAGS_SKB_MODE).isEqualTo(c.get("XDP_FLAGS_SKB_MODE").intValue());
        assertThat(Xdp.FLAGS_DRV_MODE).isEqualTo(c.get("XDP_FLAGS_DRV_MODE").intValue());
        assertThat(Xdp.FLAGS_REPLACE).isEqualTo(c.get("XDP_FLAGS_REPLACE").intValue());
        assertThat(new int[] {Xdp.ATTACHED_NONE, Xdp.ATTACHED_DRV, Xdp.ATTACHED_SKB, Xdp.ATTACHED_HW, Xdp.ATTACHED_MULTI})
                .containsExactly(c.get("XDP_ATTACHED_NONE").intValue(), c.get("XDP_ATTACHED_DRV").intValue(),
                        c.get("XDP_ATTACHED_SKB").intValue(), c.get("XDP_ATTACHED_HW").intValue(),
                        c.get("XDP_ATTACHED_MULTI").intValue());
    }

    @Test
    void optionStructsHaveLibbpfsLayout() {
        LibBpf.XdpQueryOpts q = new LibBpf.XdpQueryOpts();
        assertThat((long) q.size()).as("sizeof(struct bpf_xdp_query_opts)").isEqualTo(c.get("query.size"));
        assertThat(q.sz).isEqualTo(c.get("query.size"));
        for (String f : List.of("prog_id", "drv_prog_id", "hw_prog_id", "skb_prog_id")) {
            assertThat((long) offset(q, f, 0x5eb0b0 + f.length(), 4)).as(f).isEqualTo(c.get("query." + f));
        }
        assertThat((long) offset(q, "attach_mode", (byte) 0x5b, 1)).isEqualTo(c.get("query.attach_mode"));

        LibBpf.XdpAttachOpts a = new LibBpf.XdpAttachOpts(0);
        assertThat((long) a.size()).as("sizeof(struct bpf_xdp_attach_opts)").isEqualTo(c.get("attach.size"));
        assertThat((long) offset(a, "old_prog_fd", 0x5eb0b0, 4)).isEqualTo(c.get("attach.old_prog_fd"));

        LibBpf.LinkCreateOpts l = new LibBpf.LinkCreateOpts(0);
        assertThat((long) offset(l, "flags", 0x5eb0b0, 4)).isEqualTo(c.get("link_create.flags"));
        assertThat((long) l.size()).as("the head of bpf_link_create_opts Java passes ends where the next field starts")
                .isEqualTo(c.get("link_create.iter_info"));
    }

    @Test
    void infoOffsetsAreTheKernelHeaders() {
        assertThat(c.get("prog_info.type")).isZero();
        assertThat(c.get("prog_info.id")).isEqualTo(4);
        assertThat(c.get("prog_info.name")).isEqualTo(64);
        assertThat(c.get("BPF_OBJ_NAME_LEN")).isEqualTo(16);
        assertThat(new long[] {c.get("link_info.type"), c.get("link_info.id"), c.get("link_info.prog_id")})
                .containsExactly(0, 4, 8);
    }
}
