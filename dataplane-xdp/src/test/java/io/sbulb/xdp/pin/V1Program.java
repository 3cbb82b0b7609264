package io.sbulb.xdp.pin;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.xdp.SbulbAbi;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfObject;
import io.sbulb.xdp.bpf.PackagedObject;
import io.sbulb.xdp.net.NetInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shipped single-service program (map layout 1, frozen in src/test/bpf/v1), loaded, pinned,
 * configured and attached as its build did, written from its sbulb_abi.h: the state an upgrade
 * to layout 2 starts from. Test-only; the product no longer writes layout 1.
 */
final class V1Program implements AutoCloseable {

    static final String RESOURCE = "/io/sbulb/xdp/sbulb_v1.bpf.o";
    private static final int CONFIG_SIZE = 152;
    private static final int RS_ABSENT = 0xffffffff;

    private final BpfObject obj;
    private final int maxRs;

    private V1Program(BpfObject obj, int maxRs) {
        this.obj = obj;
        this.maxRs = maxRs;
    }

    private static ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
    }

    /** Loads the layout 1 object with its maps pinned in {@code pin} and stamped, as that build did. */
    static V1Program load(Limits limits, PinDir pin) {
        BpfObject obj = PackagedObject.read(V1Program.class, RESOURCE).open("sbulb", 0);
        try {
            int maxRs = limits.maxRealServers();
            obj.setMaxEntries("sbulb_rs", 2 * maxRs);
            obj.setMaxEntries("sbulb_rs_index", 3 * maxRs);
            obj.setMaxEntries("sbulb_assoc", limits.maxAssociations());
            obj.setInitialValue(obj.internalMapName(".rodata").orElseThrow(), buf(16).putLong(0).putInt(maxRs).array());
            pin.create();
            for (String m : List.of("sbulb_assoc", "sbulb_state", "sbulb_counters", "sbulb_config", "sbulb_ports",
                    "sbulb_rs", "sbulb_rs_index", "sbulb_gen", "sbulb_stamp")) {
                obj.setPinPath(m, pin.map(m).toString());
            }
            obj.load();
            obj.map("sbulb_stamp").update(SbulbAbi.u32(0), buf(16).putInt(1).putInt(maxRs)
                    .putInt(limits.maxAssociations()).putInt(20).array(), BpfMap.UpdateFlag.ANY);
            pin.lockDown();
            return new V1Program(obj, maxRs);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Writes a one-VIP configuration into generation 1 of fresh maps and switches to it. */
    void configure(DataplaneConfig c) {
        IpAddress vip = c.virtualServer().orElseThrow();
        List<IpAddress> list = c.realServers();
        for (int p : c.ports()) {
            obj.map("sbulb_ports").update(SbulbAbi.u32(p), new byte[] {2}, BpfMap.UpdateFlag.ANY);
        }
        long[] filter = SbulbAbi.Config.filterOf(list);
        for (int i = 0; i < list.size(); i++) {
            obj.map("sbulb_rs").update(SbulbAbi.u32(maxRs + i), SbulbAbi.addr(list.get(i)), BpfMap.UpdateFlag.ANY);
            obj.map("sbulb_rs_index").update(SbulbAbi.addr(list.get(i)), buf(16).putInt(RS_ABSENT).putInt(i).putInt(0)
                    .put((byte) list.get(i).family()).array(), BpfMap.UpdateFlag.ANY);
        }
        ByteBuffer b = buf(CONFIG_SIZE).put(SbulbAbi.addr(vip)).put((byte) vip.family()).put((byte) vip.family());
        b.position(20);
        b.putInt(list.size());
        for (long w : filter) {
            b.putLong(w);
        }
        obj.map("sbulb_config").update(SbulbAbi.u32(1), b.array(), BpfMap.UpdateFlag.ANY);
        obj.map("sbulb_gen").update(SbulbAbi.u32(0), SbulbAbi.u32(1), BpfMap.UpdateFlag.ANY);
    }

    /** Attaches through a BPF link pinned in {@code pin}, as the layout 1 build did. */
    XdpAttachment attach(NetInterface nif, PinDir pin) {
        XdpAttachment a = XdpAttachment.attach(obj.program(SbulbAbi.PROGRAM).fd(), nif, AttachOptions.DEFAULT);
        a.pin(pin.link());
        pin.lockDown();
        return a;
    }

    /** The layout 1 association table: client -> real server. */
    Map<Endpoint, IpAddress> associations() {
        Map<Endpoint, IpAddress> out = new TreeMap<>();
        obj.map("sbulb_assoc").forEach((k, v) -> {
            int family = k[18];
            out.put(new Endpoint(IpAddress.read(k, 0, family), ((k[16] & 0xff) << 8) | (k[17] & 0xff)),
                    IpAddress.read(v, 0, family));
        });
        return out;
    }

    /** Closes this process's handles; the pinned link and maps stay. */
    @Override
    public void close() {
        obj.close();
    }
}
