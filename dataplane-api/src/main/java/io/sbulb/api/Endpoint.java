package io.sbulb.api;

/** A UDP endpoint: an address and a port (0..65535). */
public record Endpoint(IpAddress address, int port) implements Comparable<Endpoint> {

    public Endpoint {
        if (address == null) {
            throw new IllegalArgumentException("endpoint address must be set");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    public static Endpoint of(String address, int port) {
        return new Endpoint(IpAddress.parse(address), port);
    }

    @Override
    public int compareTo(Endpoint o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    /** {@code 198.18.0.1:5683} or {@code [fd00::1]:5683}. */
    @Override
    public String toString() {
        return address.isIpv4() ? address + ":" + port : "[" + address + "]:" + port;
    }
}
