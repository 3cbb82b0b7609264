package io.sbulb.scenario;

import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One client address with a range of UDP ports: {@code 198.18.2.1:1000}, {@code 198.18.2.1:1000-1015},
 * {@code [fd00::2]:1000-1015}. Lets association expectations over many clients stay short.
 *
 * @param address  the client address
 * @param fromPort first port (inclusive)
 * @param toPort   last port (inclusive)
 */
public record EndpointRange(IpAddress address, int fromPort, int toPort) {

    public EndpointRange {
        if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
            throw new IllegalArgumentException("port range " + fromPort + "-" + toPort + " is not within 0..65535 in order");
        }
    }

    public static EndpointRange of(Endpoint e) {
        return new EndpointRange(e.address(), e.port(), e.port());
    }

    /** Parses {@code addr:port}, {@code addr:from-to}, {@code [v6]:port} or {@code [v6]:from-to}. */
    public static EndpointRange parse(String text) {
        String s = text == null ? "" : text.trim();
        String addr;
        String ports;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' is not [ipv6]:port");
            }
            addr = s.substring(1, close);
            ports = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "' is not address:port"
                        + (s.indexOf(':') != colon ? " (write IPv6 endpoints as [address]:port)" : ""));
            }
            addr = s.substring(0, colon);
            ports = s.substring(colon + 1);
        }
        IpAddress a = IpAddress.parse(addr);
        int dash = ports.indexOf('-');
        try {
            if (dash < 0) {
                int p = Integer.parseInt(ports);
                return new EndpointRange(a, p, p);
            }
            return new EndpointRange(a, Integer.parseInt(ports.substring(0, dash)), Integer.parseInt(ports.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + ports + "' in '" + text + "' is not a port or a port range");
        }
    }

    /** Parses a single endpoint; a range is an error. */
    public static Endpoint parseEndpoint(String text) {
        EndpointRange r = parse(text);
        if (r.fromPort != r.toPort) {
            throw new IllegalArgumentException("'" + text + "' is a port range, one endpoint is needed");
        }
        return new Endpoint(r.address, r.fromPort);
    }

    public List<Endpoint> endpoints() {
        List<Endpoint> out = new ArrayList<>(toPort - fromPort + 1);
        for (int p = fromPort; p <= toPort; p++) {
            out.add(new Endpoint(address, p));
        }
        return out;
    }

    public int size() {
        return toPort - fromPort + 1;
    }

    @Override
    public String toString() {
        String a = address.isIpv4() ? address.toString() : "[" + address + "]";
        return a + ":" + (fromPort == toPort ? String.valueOf(fromPort) : fromPort + "-" + toPort);
    }
}
