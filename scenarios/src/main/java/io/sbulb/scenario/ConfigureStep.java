package io.sbulb.scenario;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RealServer;
import io.sbulb.api.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A configuration change between frames: either a whole new list of {@code services}, or an
 * edit of one service (named by {@code service}; when not named, the only one, or a new one
 * named {@value Service#DEFAULT_NAME} when there is none). Only the fields given replace the
 * service's; {@code addRealServers} appends to its list and {@code removeRealServers} takes
 * addresses out of it; {@code vip: none} removes the service. The balancer host's addresses
 * ({@link DataplaneConfig#hostAddresses()}) are kept.
 *
 * @param service           the service edited, or null
 * @param setsVip           true if the step sets the VIP (possibly to none: removes the service)
 * @param vip               the new VIP, or null for none (only when {@code setsVip})
 * @param ports             the new balanced ports, or null (unchanged)
 * @param realServers       the new real-server list, or null (unchanged)
 * @param addRealServers    servers appended after {@code realServers} is applied, or null
 * @param removeRealServers servers removed after that, or null
 * @param services          the whole new list of services, or null (then no other field is given)
 * @param note              free text, or null
 */
public record ConfigureStep(String service, boolean setsVip, IpAddress vip, List<Integer> ports,
                            List<RealServer> realServers, List<RealServer> addRealServers,
                            List<IpAddress> removeRealServers, List<Service> services, String note) implements Step {

    public ConfigureStep {
        if (!setsVip && vip != null) {
            throw new IllegalArgumentException("vip given but setsVip is false");
        }
        ports = ports == null ? null : List.copyOf(ports);
        realServers = realServers == null ? null : List.copyOf(realServers);
        addRealServers = addRealServers == null ? null : List.copyOf(addRealServers);
        removeRealServers = removeRealServers == null ? null : List.copyOf(removeRealServers);
        services = services == null ? null : List.copyOf(services);
        boolean edits = setsVip || ports != null || realServers != null || addRealServers != null
                || removeRealServers != null;
        if (services != null && (edits || service != null)) {
            throw new IllegalArgumentException("'services' replaces every service: give it alone, or edit one service "
                    + "with service, vip, ports, realServers, addRealServers or removeRealServers");
        }
        if (services == null && !edits) {
            throw new IllegalArgumentException("a configure step changes nothing: give services, vip, ports, "
                    + "realServers, addRealServers or removeRealServers");
        }
    }

    /** Replaces the whole configuration (what a generated step list uses). */
    public static ConfigureStep replaceAll(DataplaneConfig c) {
        return new ConfigureStep(null, false, null, null, null, null, null, c.services(), null);
    }

    @Override
    public String kind() {
        return "configure";
    }

    /**
     * The configuration after this change.
     *
     * @throws IllegalArgumentException if the service to edit cannot be told, a server to remove
     *                                  is not configured, or one to add already is
     */
    public DataplaneConfig applyTo(DataplaneConfig current) {
        if (services != null) {
            return current.withServices(services);
        }
        if (service == null && current.services().size() > 1) {
            throw new IllegalArgumentException("there are " + current.services().size()
                    + " services: say which one with 'service'");
        }
        String name = service != null ? service
                : current.services().isEmpty() ? Service.DEFAULT_NAME : current.services().get(0).name();
        Optional<Service> existing = current.service(name);
        List<Service> list = new ArrayList<>(current.services());
        int at = existing.map(list::indexOf).orElse(-1);
        if (setsVip && vip == null) {
            if (at < 0) {
                throw new IllegalArgumentException("vip: none removes service " + name + ", which is not configured");
            }
            list.remove(at);
            return current.withServices(list);
        }
        IpAddress newVip = setsVip ? vip : existing.map(Service::vip).orElseThrow(() -> new IllegalArgumentException(
                "service " + name + " is not configured: give its vip to add it"));
        List<Integer> newPorts = ports != null ? ports : existing.map(s -> List.copyOf(s.ports())).orElse(List.of());
        List<RealServer> rs = new ArrayList<>(realServers != null ? realServers
                : existing.map(Service::realServers).orElse(List.of()));
        if (addRealServers != null) {
            for (RealServer a : addRealServers) {
                if (rs.stream().anyMatch(x -> x.address().equals(a.address()))) {
                    throw new IllegalArgumentException("addRealServers: " + a.address() + " is already configured " + rs);
                }
                rs.add(a);
            }
        }
        if (removeRealServers != null) {
            for (IpAddress a : removeRealServers) {
                if (!rs.removeIf(x -> x.address().equals(a))) {
                    throw new IllegalArgumentException("removeRealServers: " + a + " is not configured " + rs);
                }
            }
        }
        Service next = Service.of(name, newVip, newPorts, rs, existing.flatMap(Service::dtlsCid).orElse(null));
        if (at < 0) {
            list.add(next);
        } else {
            list.set(at, next);
        }
        return current.withServices(list);
    }
}
