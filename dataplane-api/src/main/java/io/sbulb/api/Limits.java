package io.sbulb.api;

/**
 * Sizes fixed when a dataplane is created (for the XDP program: map sizes set before load).
 * Defaults and flag names of the first three are the original sbulb's.
 *
 * @param maxPorts        most UDP ports one service balances ({@code -mp})
 * @param maxRealServers  most real servers in one service's list ({@code -mrs})
 * @param maxAssociations capacity of each family's association (LRU) table ({@code -ma}): up to
 *                        this many IPv4 clients and this many IPv6 clients are tracked at once
 * @param maxServices     most services balanced at once ({@code --max-services})
 */
public record Limits(int maxPorts, int maxRealServers, int maxAssociations, int maxServices) {

    public static final int DEFAULT_MAX_PORTS = 16;
    public static final int DEFAULT_MAX_REAL_SERVERS = 32;
    public static final int DEFAULT_MAX_ASSOCIATIONS = 1 << 20;
    public static final int DEFAULT_MAX_SERVICES = 64;

    /** Upper bounds accepted for each limit. */
    public static final int MAX_PORTS_LIMIT = 65535;
    public static final int MAX_REAL_SERVERS_LIMIT = 65536;
    public static final int MAX_ASSOCIATIONS_LIMIT = 1 << 26;
    public static final int MAX_SERVICES_LIMIT = 1024;
    /** The longest round-robin cycle of one service, whatever {@code -mrs}. */
    public static final int MAX_SCHEDULE_LIMIT = 1 << 16;

    public static final Limits DEFAULT = new Limits(DEFAULT_MAX_PORTS, DEFAULT_MAX_REAL_SERVERS,
            DEFAULT_MAX_ASSOCIATIONS, DEFAULT_MAX_SERVICES);

    public Limits {
        check("max ports (-mp)", maxPorts, MAX_PORTS_LIMIT);
        check("max real servers (-mrs)", maxRealServers, MAX_REAL_SERVERS_LIMIT);
        check("max associations (-ma)", maxAssociations, MAX_ASSOCIATIONS_LIMIT);
        check("max services (--max-services)", maxServices, MAX_SERVICES_LIMIT);
    }

    /** The seed's three limits, with the default number of services. */
    public Limits(int maxPorts, int maxRealServers, int maxAssociations) {
        this(maxPorts, maxRealServers, maxAssociations, DEFAULT_MAX_SERVICES);
    }

    private static void check(String what, int value, int max) {
        if (value < 1 || value > max) {
            throw new ConfigException(what + " is " + value + ", must be between 1 and " + max);
        }
    }

    public Limits withMaxAssociations(int maxAssociations) {
        return new Limits(maxPorts, maxRealServers, maxAssociations, maxServices);
    }

    public Limits withMaxServices(int maxServices) {
        return new Limits(maxPorts, maxRealServers, maxAssociations, maxServices);
    }

    /**
     * The longest smooth weighted round-robin cycle a service may have ({@link Service#schedule()}):
     * 64 picks per real server, at most {@value #MAX_SCHEDULE_LIMIT}.
     */
    public int maxSchedule() {
        return (int) Math.min(64L * maxRealServers, MAX_SCHEDULE_LIMIT);
    }

    /**
     * Real-server slots (docs/design.md, "Services"): four per real server a full configuration
     * can hold, so that the live servers, the retired ones remembered and those freed by the
     * last change (reused only after the next one) always fit.
     */
    public int maxSlots() {
        return (int) Math.min(4L * maxServices * maxRealServers, Integer.MAX_VALUE);
    }
}
