package io.sbulb.xdp;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RetiredServers;
import io.sbulb.xdp.bpf.BpfMap;
import io.sbulb.xdp.bpf.BpfMap.UpdateFlag;
import io.sbulb.xdp.bpf.LibC;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a configuration change into map writes, as a generation switch (docs/design.md §1,
 * "Configuration changes"): everything is written into the generation the data path is not
 * using (its port bits, its real-server slots, its positions in the address index, its
 * {@code sbulb_config} entry), then one write of {@code sbulb_gen} switches every following
 * frame to it. The generation switched away from is written again only after an RCU grace
 * period, when no frame can still be reading it. A frame thus sees the old configuration or the
 * new one, never a mix, and a write that fails before the switch leaves the data path on the
 * old one, untouched.
 *
 * <p>Keeps a mirror of what the maps hold, updated write by write, so that it writes only what
 * differs and stays right after a failed write. Runs on the dataplane's BPF thread.
 */
final class ConfigWriter {

    /** Called before each map write; a test makes it throw to fail a change half-way. */
    interface WriteHook {
        WriteHook NONE = map -> { };

        void beforeWrite(String map);
    }

    private final SbulbProgram prog;
    private final int maxRs;
    private final WriteHook hook;
    /** The generation the data path uses (sbulb_gen[0]). */
    private int active;
    private DataplaneConfig activeConfig = DataplaneConfig.empty();
    private List<IpAddress> retired = List.of();
    /** Mirror of sbulb_ports: bit g set if the port is balanced in generation g. */
    private final byte[] portBits = new byte[SbulbAbi.PORT_COUNT];
    /** The ports whose entry in sbulb_ports is not 0. */
    private final java.util.TreeSet<Integer> portsSet = new java.util.TreeSet<>();
    /** True from a switch until a grace period has passed: frames may still read the old generation. */
    private boolean graceOwed;
    /** Mirror of sbulb_rs: slot g * maxRs + i, null where zero. */
    private final IpAddress[] slots;
    /** Mirror of sbulb_rs_index: padded address -> {pos[0], pos[1], retired_seq, family}. */
    private final Map<ByteBuffer, int[]> index = new HashMap<>();
    /** The retired_seq the next server retired gets: retirement order survives a restart. */
    private int nextSeq = 1;

    ConfigWriter(SbulbProgram prog, int maxRs) {
        this(prog, maxRs, WriteHook.NONE);
    }

    ConfigWriter(SbulbProgram prog, int maxRs, WriteHook hook) {
        this.prog = prog;
        this.maxRs = maxRs;
        this.hook = hook;
        this.slots = new IpAddress[SbulbAbi.GENERATIONS * maxRs];
    }

    /** Moves the data path to {@code to}, which has been validated against the limits. */
    void apply(DataplaneConfig to) {
        if (graceOwed) {
            LibC.awaitRcuGracePeriod(); // the frames that read generation g before the last switch are done
            graceOwed = false;
        }
        int g = 1 - active;
        writePorts(g, to);
        writeSlots(g, to.realServers());
        List<IpAddress> nextRetired = RetiredServers.next(retired, activeConfig.realServers(), to.realServers(), maxRs);
        writeIndex(g, to.realServers(), nextRetired);
        write(prog.config, SbulbAbi.u32(g), SbulbAbi.config(to.virtualServer().orElse(null), to.realServers()));
        write(prog.generation, SbulbAbi.u32(0), SbulbAbi.u32(g)); // the switch
        active = g;
        activeConfig = to;
        retired = nextRetired;
        graceOwed = true;
    }

    private void writePorts(int g, DataplaneConfig to) {
        byte bit = (byte) (1 << g);
        java.util.TreeSet<Integer> candidates = new java.util.TreeSet<>(portsSet);
        candidates.addAll(to.ports());
        for (int p : candidates) {
            boolean want = to.ports().contains(p);
            boolean has = (portBits[p] & bit) != 0;
            if (want != has) {
                byte value = (byte) (want ? portBits[p] | bit : portBits[p] & ~bit);
                write(prog.ports, SbulbAbi.u32(p), new byte[] {value});
                portBits[p] = value;
                if (value != 0) {
                    portsSet.add(p);
                } else {
                    portsSet.remove(p);
                }
            }
        }
    }

    private void writeSlots(int g, List<IpAddress> list) {
        for (int i = 0; i < list.size(); i++) {
            int slot = g * maxRs + i;
            if (!list.get(i).equals(slots[slot])) {
                write(prog.realServers, SbulbAbi.u32(slot), SbulbAbi.addr(list.get(i)));
                slots[slot] = list.get(i);
            }
        }
        // slots past the new end stay as they are: the generation's rs_count hides them
    }

    /**
     * Sets every key's position for generation {@code g}: its place in {@code list}, else
     * RETIRED for a remembered removed server, else ABSENT; the active generation's position
     * is written back unchanged. Keys ABSENT in both generations are deleted first (room for
     * the new ones: at most 3 x max real servers are ever present).
     */
    private void writeIndex(int g, List<IpAddress> list, List<IpAddress> nextRetired) {
        Map<ByteBuffer, Integer> want = new HashMap<>();
        Map<ByteBuffer, Integer> family = new HashMap<>();
        for (IpAddress a : nextRetired) {
            want.put(key(a), SbulbAbi.RS_RETIRED);
            family.put(key(a), a.family());
        }
        for (int i = list.size() - 1; i >= 0; i--) { // the first position of a key wins, as before
            want.put(key(list.get(i)), i);
            family.put(key(list.get(i)), list.get(i).family());
        }
        List<ByteBuffer> gone = new ArrayList<>();
        index.forEach((k, pos) -> {
            if (pos[active] == SbulbAbi.RS_ABSENT && !want.containsKey(k)) {
                gone.add(k);
            }
        });
        for (ByteBuffer k : gone) {
            hook.beforeWrite(prog.realServerIndex.name());
            prog.realServerIndex.delete(k.array());
            index.remove(k);
        }
        List<ByteBuffer> keys = new ArrayList<>(index.keySet());
        for (ByteBuffer k : want.keySet()) {
            if (!index.containsKey(k)) {
                keys.add(k);
            }
        }
        Map<ByteBuffer, Integer> rank = new HashMap<>(); // newly retired servers get their ranks in this order
        for (int i = 0; i < nextRetired.size(); i++) {
            rank.putIfAbsent(key(nextRetired.get(i)), i);
        }
        keys.sort(java.util.Comparator.comparingInt(k -> rank.getOrDefault(k, -1)));
        for (ByteBuffer k : keys) {
            int[] pos = index.getOrDefault(k, new int[] {SbulbAbi.RS_ABSENT, SbulbAbi.RS_ABSENT, 0, 0});
            int wanted = want.getOrDefault(k, SbulbAbi.RS_ABSENT);
            // a server retired now gets the next rank; one still retired keeps its own
            int seq = wanted != SbulbAbi.RS_RETIRED ? 0 : pos[active] == SbulbAbi.RS_RETIRED ? pos[2] : nextSeq;
            int fam = family.getOrDefault(k, pos[3]);
            if (pos[g] != wanted || pos[2] != seq || pos[3] != fam) {
                int[] next = {pos[0], pos[1], seq, fam};
                next[g] = wanted;
                write(prog.realServerIndex, k.array(), SbulbAbi.rsPos(next));
                index.put(k, next);
                if (seq == nextSeq) {
                    nextSeq++;
                }
            }
        }
    }

    /**
     * Takes what pinned maps hold as the running configuration (a daemon adopting the data path
     * another one left): the generation in use, its VIP, ports and list, the slots and the
     * address index of both generations, and the retired servers in the order they retired.
     * The next change is then written as if this writer had written everything before.
     */
    void adopt() {
        active = ByteBuffer.wrap(prog.generation.lookup(SbulbAbi.u32(0))).order(java.nio.ByteOrder.nativeOrder())
                .getInt();
        int[] families = new int[SbulbAbi.GENERATIONS]; // of each generation's list
        IpAddress vip = null;
        int count = 0;
        for (int g = 0; g < SbulbAbi.GENERATIONS; g++) {
            byte[] c = prog.config.lookup(SbulbAbi.u32(g));
            int vipFamily = c[SbulbAbi.ADDR_SIZE];
            families[g] = c[SbulbAbi.ADDR_SIZE + 1] != 0 ? c[SbulbAbi.ADDR_SIZE + 1] : vipFamily; // rs_family
            if (g == active) {
                vip = vipFamily == 0 ? null : IpAddress.read(c, 0, vipFamily);
                count = SbulbAbi.wrap(c).getInt(20);
            }
        }
        for (int slot = 0; slot < slots.length; slot++) {
            int family = families[slot / maxRs];
            byte[] a = prog.realServers.lookup(SbulbAbi.u32(slot));
            slots[slot] = family == 0 || Arrays.equals(a, new byte[SbulbAbi.ADDR_SIZE]) ? null
                    : IpAddress.read(a, 0, family);
        }
        java.util.Set<Integer> ports = new java.util.TreeSet<>();
        prog.ports.forEach((k, v) -> {
            int port = SbulbAbi.wrap(k).getInt(0);
            if (v[0] != 0) {
                portBits[port] = v[0];
                portsSet.add(port);
                if ((v[0] & (1 << active)) != 0) {
                    ports.add(port);
                }
            }
        });
        java.util.TreeMap<Integer, IpAddress> retiredBySeq = new java.util.TreeMap<>();
        int activeFamily = families[active];
        prog.realServerIndex.forEach((k, v) -> {
            ByteBuffer b = SbulbAbi.wrap(v);
            int[] pos = {b.getInt(0), b.getInt(4), b.getInt(8), v[12]};
            index.put(ByteBuffer.wrap(k.clone()), pos);
            int family = pos[3] != 0 ? pos[3] : activeFamily;
            if (pos[active] == SbulbAbi.RS_RETIRED && family != 0) {
                retiredBySeq.put(pos[2], IpAddress.read(k, 0, family));
            }
            nextSeq = Math.max(nextSeq, pos[2] + 1);
        });
        List<IpAddress> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(slots[active * maxRs + i]);
        }
        activeConfig = vip == null && list.isEmpty() && ports.isEmpty() ? DataplaneConfig.empty()
                : DataplaneConfig.of(vip, ports, list);
        retired = List.copyOf(retiredBySeq.values());
        graceOwed = true; // the daemon before may have switched just before it stopped
    }

    /** The configuration in force, as written or adopted. */
    DataplaneConfig activeConfig() {
        return activeConfig;
    }

    private void write(BpfMap map, byte[] key, byte[] value) {
        hook.beforeWrite(map.name());
        map.update(key, value, UpdateFlag.ANY);
    }

    private static ByteBuffer key(IpAddress a) {
        return ByteBuffer.wrap(SbulbAbi.addr(a));
    }

    /** The generation in use, for tests. */
    int activeGeneration() {
        return active;
    }

    @Override
    public String toString() {
        return "generation " + active + " " + activeConfig + " retired " + retired + " slots " + Arrays.toString(slots);
    }
}
