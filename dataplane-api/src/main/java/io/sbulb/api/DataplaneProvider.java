package io.sbulb.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes dataplanes of one kind, found with {@link ServiceLoader}: a module that implements
 * {@link Dataplane} registers its provider in
 * {@code META-INF/services/io.sbulb.api.DataplaneProvider}, and whoever needs a dataplane by
 * name (the replay command, the scenario tools) finds it without depending on that module.
 */
public interface DataplaneProvider {

    /** The name it is chosen by, e.g. {@code xdp} or {@code sim}; unique among the providers. */
    String name();

    /** One line for a user: what the dataplane is, and what it needs. */
    String description();

    /**
     * A fresh dataplane with these limits, its configuration empty, logging the events of the
     * reasons in {@code eventMask} ({@link Reason#eventMask}; 0: none). Failures are the
     * implementation's own (e.g. a program the kernel refuses to load).
     */
    Dataplane create(Limits limits, long eventMask);

    /** A fresh dataplane with these limits and no event log. */
    default Dataplane create(Limits limits) {
        return create(limits, 0);
    }

    /** The providers on the classpath, by name. */
    static List<DataplaneProvider> available() {
        List<DataplaneProvider> all = new ArrayList<>();
        ServiceLoader.load(DataplaneProvider.class).forEach(all::add);
        all.sort(Comparator.comparing(DataplaneProvider::name));
        return List.copyOf(all);
    }

    /** The provider called {@code name}, if there is one on the classpath. */
    static Optional<DataplaneProvider> named(String name) {
        return available().stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
