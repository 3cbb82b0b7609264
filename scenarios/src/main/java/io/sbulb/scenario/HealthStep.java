package io.sbulb.scenario;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.Health;
import io.sbulb.api.Health.AllDown;
import io.sbulb.api.Health.OnDown;
import io.sbulb.api.Health.Policy;
import io.sbulb.api.Health.State;
import io.sbulb.api.IpAddress;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Service;
import java.util.Objects;

/**
 * A real server's health changes between frames (issue 16): {@code health: {service, server,
 * state: down|up, onDown: move|keep, allDown: drop|keep}}. The runners keep the file's
 * configuration (what {@code config} and {@code configure} steps say) and the health apart, and
 * give the dataplane the effective configuration {@link Health#effective(DataplaneConfig)} makes
 * of them, after this step and after every later {@code configure}. The policy fields are
 * optional: a service's policy is {@link Policy#DEFAULT} until a step sets a field, and a field
 * set stays for later steps.
 *
 * @param service the service's name, or null for the only one
 * @param server  the real server's address
 * @param state   its new state
 * @param onDown  the service's new {@code onDown}, or null (unchanged)
 * @param allDown the service's new {@code allDown}, or null (unchanged)
 * @param note    free text, or null
 */
public record HealthStep(String service, IpAddress server, State state, OnDown onDown, AllDown allDown, String note)
        implements Step {

    public HealthStep {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(state, "state");
    }

    @Override
    public String kind() {
        return "health";
    }

    /**
     * The health after this step, over the file's configuration {@code file}.
     *
     * @throws IllegalArgumentException if the service cannot be told or the server is not one of its
     */
    public Health applyTo(DataplaneConfig file, Health health) {
        if (service == null && file.services().size() != 1) {
            throw new IllegalArgumentException("there are " + file.services().size()
                    + " services: say which one with 'service'");
        }
        String name = service != null ? service : file.services().get(0).name();
        Service s = file.service(name).orElseThrow(() -> new IllegalArgumentException("service " + name
                + " is not configured"));
        if (!s.addresses().contains(server)) {
            throw new IllegalArgumentException("server " + server + " is not a real server of service " + name + " "
                    + s.realServers());
        }
        Policy was = health.policy(name);
        Policy now = new Policy(onDown != null ? onDown : was.onDown(), allDown != null ? allDown : was.allDown());
        return health.with(name, now).with(new ServerRef(name, server), state);
    }
}
