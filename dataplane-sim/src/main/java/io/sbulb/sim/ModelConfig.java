package io.sbulb.sim;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.Placement;
import io.sbulb.api.Placement.PlacedService;
import io.sbulb.api.Placement.ServerEndpoint;
import io.sbulb.api.Placement.Slot;

/**
 * What the control plane writes into the program's configuration maps, as the data path reads
 * one generation of them (sbulb_abi.h): {@code sbulb_config} (the service count),
 * {@code sbulb_vips} (service of a {@code (VIP, port)}), {@code sbulb_services} (a service's VIP),
 * {@code sbulb_sched} (its cycle of slots), {@code sbulb_reals} (a slot's server, epoch and
 * liveness), {@code sbulb_rs_ep} (a real server's endpoint, live or retired, with its service and
 * slot) and {@code sbulb_addrs} (VIP and live-server flags of an address). All of it is read from
 * the {@link Placement} the XDP side writes its maps from, so ids, slots and epochs agree.
 *
 * <p>Immutable; replaced whole by a configure, as the XDP program switches generations: no frame
 * sees a mix. The VIP table's probing and the address filter only spare hash lookups in the C;
 * they never change an answer, so the model looks the endpoints up directly.
 */
final class ModelConfig {

    private static final int[] NO_CYCLE = new int[0];

    /** The placement these maps were written from (the configuration in force, the slots). */
    final Placement placement;
    private final int serviceCount;

    /** {@code sbulb_port_svc}: (family, port) -> the one service's id, or {@link #MANY}; absent: none. */
    private final java.util.Map<Integer, Integer> portServices = new java.util.HashMap<>();
    static final int MANY = -2;

    ModelConfig(Placement placement) {
        this.placement = placement;
        this.serviceCount = placement.services().size();
        for (PlacedService p : placement.services()) {
            for (int port : p.service().ports()) {
                portServices.merge(portKey(p.service().vip().family(), port), p.id(), (a, b) -> MANY);
            }
        }
    }

    private static int portKey(int family, int port) {
        return family == 6 ? 65536 + port : port;
    }

    /**
     * {@code sbulb_port_svc} for {@code (family, port)}: the id of the one service of that family
     * balancing that port, or -1 when none or several do.
     */
    int onlyServiceOfPort(int family, int port) {
        int v = portServices.getOrDefault(portKey(family, port), -1);
        return v == MANY ? -1 : v;
    }

    /** The maps a data path starts with: no service. */
    static ModelConfig empty(Limits limits) {
        return new ModelConfig(Placement.empty(limits));
    }

    /** The configuration in force. */
    DataplaneConfig source() {
        return placement.config();
    }

    /** {@code cfg->svc_count}. */
    int serviceCount() {
        return serviceCount;
    }

    /** The probe of {@code sbulb_vips} for {@code (addr, port)}: the service's id, or -1. */
    int vipService(IpAddress addr, int port) {
        return placement.vipService(new Endpoint(addr, port));
    }

    /** {@code sbulb_addrs} for {@code addr}: {@link Placement#ADDRESS_VIP} and {@link Placement#ADDRESS_SERVER} bits. */
    int addressFlags(IpAddress addr) {
        return placement.addressFlags(addr);
    }

    /** {@code sbulb_rs_ep} for {@code (addr, port)}: a live or retired real server's endpoint, or null. */
    ServerEndpoint serverEndpoint(IpAddress addr, int port) {
        return placement.serverEndpoint(new Endpoint(addr, port));
    }

    /**
     * {@code sbulb_services[id].cid_*}: the service's DTLS Connection ID routing, or null (also what
     * the VIP entries' {@code cid} flag says).
     */
    io.sbulb.api.DtlsCid dtlsCid(int service) {
        PlacedService p = placement.service(service);
        return p == null ? null : p.service().dtlsCid().orElse(null);
    }

    /** {@code sbulb_cid_nodes} for {@code (node, service)}: the live slot with that node id, or -1. */
    int cidSlot(int service, long node) {
        return placement.cidSlot(service, node);
    }

    /** {@code sbulb_services[id].vip}. */
    IpAddress vip(int service) {
        return placement.service(service).service().vip();
    }

    /** The service's cycle of slots ({@code sbulb_sched}, {@code sched_len} entries). */
    int[] cycle(int service) {
        PlacedService p = placement.service(service);
        return p == null ? NO_CYCLE : p.schedule();
    }

    /** {@code sbulb_reals[slot].epoch} (0 for a slot never given out). */
    int epoch(int slot) {
        Slot s = placement.slot(slot);
        return s == null ? 0 : s.epoch();
    }

    /** {@code sbulb_reals[slot].addr}, of a slot in use. */
    IpAddress server(int slot) {
        return placement.slot(slot).address();
    }

    /** An association naming {@code (slot, epoch)} is valid: the slot is live in this generation with that epoch. */
    boolean valid(int slot, int epoch) {
        return placement.valid(slot, epoch);
    }
}
