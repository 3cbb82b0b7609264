package io.sbulb.scenario;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration change between frames. Only the fields given replace the running ones;
 * {@code addRealServers} appends to the list and {@code removeRealServers} takes addresses out
 * of it (the servers after them move up a position, keeping their clients).
 *
 * @param setsVip           true if the step sets the VIP (possibly to none)
 * @param vip               the new VIP, or null for none (only when {@code setsVip})
 * @param ports             the new balanced ports, or null (unchanged)
 * @param realServers       the new real-server list, or null (unchanged)
 * @param addRealServers    servers appended after {@code realServers} is applied, or null
 * @param removeRealServers servers removed after that, or null
 * @param note              free text, or null
 */
public record ConfigureStep(boolean setsVip, IpAddress vip, List<Integer> ports, List<IpAddress> realServers,
                            List<IpAddress> addRealServers, List<IpAddress> removeRealServers, String note)
        implements Step {

    public ConfigureStep {
        if (!setsVip && vip != null) {
            throw new IllegalArgumentException("vip given but setsVip is false");
        }
        ports = ports == null ? null : List.copyOf(ports);
        realServers = realServers == null ? null : List.copyOf(realServers);
        addRealServers = addRealServers == null ? null : List.copyOf(addRealServers);
        removeRealServers = removeRealServers == null ? null : List.copyOf(removeRealServers);
        if (!setsVip && ports == null && realServers == null && addRealServers == null && removeRealServers == null) {
            throw new IllegalArgumentException("a configure step changes nothing: give vip, ports, realServers, "
                    + "addRealServers or removeRealServers");
        }
    }

    /** Replaces the whole configuration (what a generated step list uses). */
    public static ConfigureStep replaceAll(DataplaneConfig c) {
        return new ConfigureStep(true, c.virtualServer().orElse(null), List.copyOf(c.ports()), c.realServers(),
                null, null, null);
    }

    @Override
    public String kind() {
        return "configure";
    }

    /**
     * The configuration after this change.
     *
     * @throws IllegalArgumentException if a server to remove is not configured, or one to add already is
     */
    public DataplaneConfig applyTo(DataplaneConfig current) {
        IpAddress newVip = setsVip ? vip : current.virtualServer().orElse(null);
        List<Integer> newPorts = ports != null ? ports : List.copyOf(current.ports());
        List<IpAddress> rs = new ArrayList<>(realServers != null ? realServers : current.realServers());
        if (addRealServers != null) {
            for (IpAddress a : addRealServers) {
                if (rs.contains(a)) {
                    throw new IllegalArgumentException("addRealServers: " + a + " is already configured " + rs);
                }
                rs.add(a);
            }
        }
        if (removeRealServers != null) {
            for (IpAddress a : removeRealServers) {
                if (!rs.remove(a)) {
                    throw new IllegalArgumentException("removeRealServers: " + a + " is not configured " + rs);
                }
            }
        }
        return DataplaneConfig.of(newVip, newPorts, rs);
    }
}
