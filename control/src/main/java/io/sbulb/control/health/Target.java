package io.sbulb.control.health;

import io.sbulb.api.IpAddress;
import java.util.Objects;

/** A probed (service, real server) pair. */
public record Target(String service, IpAddress server) {
    public Target {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(server, "server");
    }

    @Override
    public String toString() {
        return "service " + service + " server " + server;
    }
}
