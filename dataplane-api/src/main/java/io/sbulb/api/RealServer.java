package io.sbulb.api;

/**
 * A real server of a service: its address and its weight in the service's smooth weighted round
 * robin (docs/design.md, "Services"). Weight 0 drains it: no new clients, its associations kept.
 *
 * @param address the server's address, of its service's VIP's family
 * @param weight  0..{@link #MAX_WEIGHT}; 1 when not given
 */
public record RealServer(IpAddress address, int weight) implements Comparable<RealServer> {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 255;

    public RealServer {
        if (address == null) {
            throw new ConfigException("a real server address is missing (null)");
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new ConfigException("real server " + address + " has weight " + weight + ", must be between 0 and "
                    + MAX_WEIGHT);
        }
    }

    public static RealServer of(IpAddress address) {
        return new RealServer(address, DEFAULT_WEIGHT);
    }

    public static RealServer of(String address, int weight) {
        return new RealServer(IpAddress.parse(address), weight);
    }

    @Override
    public int compareTo(RealServer o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(weight, o.weight);
    }

    /** {@code 198.18.2.11} for weight 1, {@code 198.18.2.11*3} otherwise. */
    @Override
    public String toString() {
        return weight == DEFAULT_WEIGHT ? address.toString() : address + "*" + weight;
    }
}
