package io.sbulb.xdp;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.xdp.bpf.BpfMap.UpdateFlag;
import java.nio.ByteBuffer;
import java.util.HashSet;
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
        // 3. the address index of servers that are new or moved
        Map<IpAddress, Integer> oldPos = from.realServerPositions();
        Map<IpAddress, Integer> newPos = to.realServerPositions();
        for (Map.Entry<IpAddress, Integer> e : newPos.entrySet()) {
            if (!e.getValue().equals(oldPos.get(e.getKey()))) {
                prog.realServerIndex.update(SbulbAbi.addr(e.getKey()), SbulbAbi.u32(e.getValue()), UpdateFlag.ANY);
            }
        }
        // 4. VIP and list length, in one value
        IpAddress oldVip = from.virtualServer().orElse(null);
        IpAddress newVip = to.virtualServer().orElse(null);
        if (!Objects.equals(oldVip, newVip) || oldList.size() != newList.size()) {
            prog.config.update(SbulbAbi.u32(0), SbulbAbi.config(newVip, newList.size()), UpdateFlag.ANY);
        }
        // 5. servers that left, and positions past the new end
        // The index key is the 16-byte padded address, without family: 253.0.1.1 and fd00:101::
        // share a key. A server leaving must not take the entry of a new one of the other family.
        Set<ByteBuffer> keptKeys = new HashSet<>();
        for (IpAddress a : newPos.keySet()) {
            keptKeys.add(ByteBuffer.wrap(SbulbAbi.addr(a)));
        }
        for (IpAddress gone : oldPos.keySet()) {
            if (!keptKeys.contains(ByteBuffer.wrap(SbulbAbi.addr(gone)))) {
                prog.realServerIndex.delete(SbulbAbi.addr(gone));
            }
        }
        for (int i = newList.size(); i < oldList.size(); i++) {
            prog.realServers.update(SbulbAbi.u32(i), new byte[SbulbAbi.ADDR_SIZE], UpdateFlag.ANY);
        }
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
