package io.sbulb.xdp;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.xdp.bpf.BpfMap.UpdateFlag;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a configuration change into map writes, touching only what differs. Real servers are
 * written position by position (shared/DESIGN.md §1), in an order that keeps every
 * intermediate state safe for frames arriving meanwhile: list entries before the count that
 * exposes them, and the address index (a hint the data path always confirms against the list)
 * before deletions.
 */
final class ConfigWriter {

    private final SbulbProgram prog;

    ConfigWriter(SbulbProgram prog) {
        this.prog = prog;
    }

    /** Moves the maps from {@code from} (what they hold now) to {@code to}. */
    void apply(DataplaneConfig from, DataplaneConfig to) {
        // 1. balanced ports
        for (int p : to.ports()) {
            if (!from.ports().contains(p)) {
                prog.ports.update(SbulbAbi.u32(p), new byte[] {1}, UpdateFlag.ANY);
            }
        }
        for (int p : from.ports()) {
            if (!to.ports().contains(p)) {
                prog.ports.update(SbulbAbi.u32(p), new byte[] {0}, UpdateFlag.ANY);
            }
        }
        // 2. list positions that change or are appended (not yet visible past the old count)
        List<IpAddress> oldList = from.realServers();
        List<IpAddress> newList = to.realServers();
        for (int i = 0; i < newList.size(); i++) {
            if (i >= oldList.size() || !oldList.get(i).equals(newList.get(i))) {
                prog.realServers.update(SbulbAbi.u32(i), SbulbAbi.addr(newList.get(i)), UpdateFlag.ANY);
            }
        }
        // 3. the address index, diffed as the map sees it: its key is the 16-byte padded address
        //    without family (253.0.1.1 and fd00:101:: are one key), so compare keys, not addresses
        Map<ByteBuffer, Integer> oldIndex = indexEntries(from);
        Map<ByteBuffer, Integer> newIndex = indexEntries(to);
        for (Map.Entry<ByteBuffer, Integer> e : newIndex.entrySet()) {
            if (!e.getValue().equals(oldIndex.get(e.getKey()))) {
                prog.realServerIndex.update(e.getKey().array(), SbulbAbi.u32(e.getValue()), UpdateFlag.ANY);
            }
        }
        // 4. VIP and list length, in one value
        IpAddress oldVip = from.virtualServer().orElse(null);
        IpAddress newVip = to.virtualServer().orElse(null);
        if (!Objects.equals(oldVip, newVip) || oldList.size() != newList.size()) {
            prog.config.update(SbulbAbi.u32(0), SbulbAbi.config(newVip, newList.size()), UpdateFlag.ANY);
        }
        // 5. index keys that left, and positions past the new end
        for (ByteBuffer gone : oldIndex.keySet()) {
            if (!newIndex.containsKey(gone)) {
                prog.realServerIndex.delete(gone.array());
            }
        }
        for (int i = newList.size(); i < oldList.size(); i++) {
            prog.realServers.update(SbulbAbi.u32(i), new byte[SbulbAbi.ADDR_SIZE], UpdateFlag.ANY);
        }
    }

    /** The entries {@code sbulb_rs_index} holds for {@code c}: padded address -> position. */
    private static Map<ByteBuffer, Integer> indexEntries(DataplaneConfig c) {
        Map<ByteBuffer, Integer> index = new HashMap<>();
        c.realServerPositions().forEach((a, pos) -> index.put(ByteBuffer.wrap(SbulbAbi.addr(a)), pos));
        return index;
    }

    /**
     * Writes all of {@code config} whatever the maps hold: after a write failed half-way through
     * {@code apply(config, attempted)}, clears everything either configuration may have written,
     * then writes {@code config} from scratch.
     */
    void rewriteAll(DataplaneConfig config, DataplaneConfig attempted) {
        Set<Integer> ports = new TreeSet<>(config.ports());
        ports.addAll(attempted.ports());
        for (int p : ports) {
            prog.ports.update(SbulbAbi.u32(p), new byte[] {0}, UpdateFlag.ANY);
        }
        prog.config.update(SbulbAbi.u32(0), SbulbAbi.config(null, 0), UpdateFlag.ANY);
        int positions = Math.max(config.realServers().size(), attempted.realServers().size());
        for (int i = 0; i < positions; i++) {
            prog.realServers.update(SbulbAbi.u32(i), new byte[SbulbAbi.ADDR_SIZE], UpdateFlag.ANY);
        }
        for (List<IpAddress> list : List.of(config.realServers(), attempted.realServers())) {
            for (IpAddress a : list) {
                prog.realServerIndex.delete(SbulbAbi.addr(a));
            }
        }
        apply(DataplaneConfig.empty(), config);
    }
}
