package io.sbulb.sim;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the control plane writes into the program's configuration maps, as the data path reads
 * it: {@code sbulb_config[0]} (VIP, family, {@code rs_count}), {@code sbulb_ports},
 * {@code sbulb_rs} and {@code sbulb_rs_index} of the generation in use. Immutable; replaced
 * whole by a configure, as the XDP program switches generations: no frame sees a mix.
 */
final class ModelConfig {

    static final ModelConfig EMPTY = new ModelConfig(DataplaneConfig.empty(), List.of());

    /** The configuration these maps were written from (what the dataplane reports in force). */
    final DataplaneConfig source;
    /** The VIP, or {@code null}. */
    final IpAddress vip;
    /** {@code cfg->family}: the VIP's family, {@link Packet#FAMILY_NONE} without a VIP. */
    final int family;
    /** {@code sbulb_ports}: indexed by port in host byte order. */
    private final boolean[] ports = new boolean[65536];
    /** {@code sbulb_rs}, entries 0..rs_count-1. */
    private final List<IpAddress> rs;
    /** {@code sbulb_rs_index}: address -> position. */
    private final Map<IpAddress, Integer> rsIndex;
    /** The removed real servers remembered ({@link io.sbulb.api.RetiredServers}), oldest first. */
    final List<IpAddress> retired;
    /**
     * The keys of {@code sbulb_rs_index} marked {@code SBULB_RS_RETIRED}: that map's key is the
     * 16-byte padded address without its family, and a key a configured server holds is not
     * retired.
     */
    private final Set<ByteBuffer> retiredKeys = new HashSet<>();

    ModelConfig(DataplaneConfig config, List<IpAddress> retired) {
        this.source = config;
        this.vip = config.virtualServer().orElse(null);
        this.family = vip == null ? Packet.FAMILY_NONE : vip.family();
        for (int p : config.ports()) {
            ports[p] = true;
        }
        this.rs = config.realServers();
        this.rsIndex = Map.copyOf(config.realServerPositions());
        this.retired = List.copyOf(retired);
        for (IpAddress a : retired) {
            retiredKeys.add(ByteBuffer.wrap(a.toPadded16()));
        }
        for (IpAddress a : rs) {
            retiredKeys.remove(ByteBuffer.wrap(a.toPadded16()));
        }
    }

    /** Whether {@code rs_lookup} finds {@code SBULB_RS_RETIRED} for {@code addr}. */
    boolean retired(IpAddress addr) {
        return retiredKeys.contains(ByteBuffer.wrap(addr.toPadded16()));
    }

    /** {@code cfg->rs_count}. */
    int rsCount() {
        return rs.size();
    }

    /** {@code *bpf_map_lookup_elem(&sbulb_ports, &port)}: whether the port is balanced. */
    boolean balanced(int port) {
        return ports[port];
    }

    /** {@code bpf_map_lookup_elem(&sbulb_rs, &idx)} for {@code idx < rs_count}. */
    IpAddress rs(int idx) {
        return rs.get(idx);
    }

    /** {@code bpf_map_lookup_elem(&sbulb_rs_index, addr)}: the position, or {@code null}. */
    Integer rsIndex(IpAddress addr) {
        return rsIndex.get(addr);
    }
}
