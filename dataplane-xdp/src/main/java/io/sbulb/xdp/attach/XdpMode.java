package io.sbulb.xdp.attach;

import io.sbulb.xdp.bpf.Xdp;

/**
 * Where on an interface an XDP program runs. The same two modes under each tool's words:
 *
 * <table>
 * <caption>Names of the modes</caption>
 * <tr><th>mode</th><th>attach flag</th><th>bpftool net show</th><th>ip link (text)</th><th>ip -j link "mode"</th></tr>
 * <tr><td>NATIVE</td><td>XDP_FLAGS_DRV_MODE</td><td>driver</td><td>xdp</td><td>1 (XDP_ATTACHED_DRV)</td></tr>
 * <tr><td>GENERIC</td><td>XDP_FLAGS_SKB_MODE</td><td>generic</td><td>xdpgeneric</td><td>2 (XDP_ATTACHED_SKB)</td></tr>
 * </table>
 *
 * <p>Offloaded programs (XDP_FLAGS_HW_MODE, run by the NIC itself) are not a mode sbulb uses.
 */
public enum XdpMode {
    /** Run by the driver as the frame arrives, before any socket buffer: the fast path. */
    NATIVE(Xdp.FLAGS_DRV_MODE, Xdp.ATTACHED_DRV, "driver", "xdp"),
    /** Run by the stack after the socket buffer is built: any interface, much slower. */
    GENERIC(Xdp.FLAGS_SKB_MODE, Xdp.ATTACHED_SKB, "generic", "xdpgeneric");

    private final int flag;
    private final int attachedCode;
    private final String bpftoolWord;
    private final String ipLinkWord;

    XdpMode(int flag, int attachedCode, String bpftoolWord, String ipLinkWord) {
        this.flag = flag;
        this.attachedCode = attachedCode;
        this.bpftoolWord = bpftoolWord;
        this.ipLinkWord = ipLinkWord;
    }

    /** The XDP_FLAGS_*_MODE bit that asks for this mode. */
    public int flag() {
        return flag;
    }

    /** The kernel's XDP_ATTACHED_* value for this mode, which {@code ip -j link} prints as "mode". */
    public int attachedCode() {
        return attachedCode;
    }

    /** How {@code bpftool net show} names the mode: "driver" or "generic". */
    public String bpftoolWord() {
        return bpftoolWord;
    }

    /** How {@code ip link} names the mode (and its keyword to attach in it): "xdp" or "xdpgeneric". */
    public String ipLinkWord() {
        return ipLinkWord;
    }

    /** "native" or "generic", as messages say it. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
