package io.sbulb.api;

/**
 * One real server of one service, named by the service's name and the server's address: the key
 * of health states ({@link Health}) and of per-server counters.
 *
 * @param service the service's name
 * @param address the real server's address
 */
public record ServerRef(String service, IpAddress address) implements Comparable<ServerRef> {

    public ServerRef {
        if (service == null || address == null) {
            throw new IllegalArgumentException("a server reference needs a service name and an address: " + service
                    + ", " + address);
        }
    }

    @Override
    public int compareTo(ServerRef o) {
        int c = service.compareTo(o.service);
        return c != 0 ? c : address.compareTo(o.address);
    }

    /** {@code name/198.18.2.11}. */
    @Override
    public String toString() {
        return service + "/" + address;
    }
}
