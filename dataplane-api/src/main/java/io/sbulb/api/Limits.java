package io.sbulb.api;

/**
 * Sizes fixed when a dataplane is created (for the XDP program: map sizes set before load).
 * Defaults and flag names are the original sbulb's.
 *
 * @param maxPorts        most UDP ports that may be balanced at once ({@code -mp})
 * @param maxRealServers  most real servers in the list ({@code -mrs})
 * @param maxAssociations capacity of the association (LRU) table ({@code -ma})
 */
public record Limits(int maxPorts, int maxRealServers, int maxAssociations) {

    public static final int DEFAULT_MAX_PORTS = 16;
    public static final int DEFAULT_MAX_REAL_SERVERS = 32;
    public static final int DEFAULT_MAX_ASSOCIATIONS = 1 << 20;

    /** Upper bounds accepted for each limit. */
    public static final int MAX_PORTS_LIMIT = 65535;
    public static final int MAX_REAL_SERVERS_LIMIT = 65536;
    public static final int MAX_ASSOCIATIONS_LIMIT = 1 << 26;

    public static final Limits DEFAULT =
            new Limits(DEFAULT_MAX_PORTS, DEFAULT_MAX_REAL_SERVERS, DEFAULT_MAX_ASSOCIATIONS);

    public Limits {
        check("max ports (-mp)", maxPorts, MAX_PORTS_LIMIT);
        check("max real servers (-mrs)", maxRealServers, MAX_REAL_SERVERS_LIMIT);
        check("max associations (-ma)", maxAssociations, MAX_ASSOCIATIONS_LIMIT);
    }

    private static void check(String what, int value, int max) {
        if (value < 1 || value > max) {
            throw new ConfigException(what + " is " + value + ", must be between 1 and " + max);
        }
    }

    public Limits withMaxAssociations(int maxAssociations) {
        return new Limits(maxPorts, maxRealServers, maxAssociations);
    }
}
