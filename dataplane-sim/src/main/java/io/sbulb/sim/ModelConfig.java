package io.sbulb.sim;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import java.util.List;
import java.util.Map;

/**
 * What the control plane writes into the program's configuration maps, as the data path reads
 * it: {@code sbulb_config[0]} (VIP, family, {@code rs_count}), {@code sbulb_ports},
 * {@code sbulb_rs} and {@code sbulb_rs_index}. Immutable; replaced whole by a configure.
 */
final class ModelConfig {

    static final ModelConfig EMPTY = new ModelConfig(DataplaneConfig.empty());

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

    ModelConfig(DataplaneConfig config) {
        this.vip = config.virtualServer().orElse(null);
        this.family = vip == null ? Packet.FAMILY_NONE : vip.family();
        for (int p : config.ports()) {
            ports[p] = true;
        }
        this.rs = config.realServers();
        this.rsIndex = Map.copyOf(config.realServerPositions());
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
