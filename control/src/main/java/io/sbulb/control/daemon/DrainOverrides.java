package io.sbulb.control.daemon;

import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.RealServer;
import io.sbulb.api.ServerRef;
import io.sbulb.api.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The real servers set to drain by command ({@code sbulb drain}, through the {@link ControlSocket}),
 * over the file's weights: such a server runs with weight 0 (it keeps its clients, takes no new
 * one) while the file still lists it with a weight above 0. A server that leaves the file leaves
 * this set (added back, it is not drained). Kept in a small file beside the control socket, so
 * that a restart or an upgrade of the daemon keeps them; like the pinned data path, it does not
 * outlive a reboot ({@code /run}).
 */
final class DrainOverrides {

    private final Path store;
    private final SortedSet<ServerRef> drained = new TreeSet<>();

    /**
     * The overrides kept in {@code store} (none when null or missing). A line that names no
     * server is skipped and told to {@code warn}: a damaged file never stops the daemon.
     */
    DrainOverrides(Path store, Consumer<String> warn) {
        this.store = store;
        if (store == null || !Files.isRegularFile(store)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(store, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split("\\s+");
                try {
                    if (f.length != 2) {
                        throw new IllegalArgumentException("not 'SERVICE ADDRESS'");
                    }
                    drained.add(new ServerRef(f[0], IpAddress.parse(f[1])));
                } catch (IllegalArgumentException e) {
                    warn.accept(store + ": line '" + line + "' skipped: " + e.getMessage());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            warn.accept("cannot read the drains kept in " + store + ": " + e.getMessage());
        }
    }

    /** The servers drained by command, in order. */
    SortedSet<ServerRef> drained() {
        return java.util.Collections.unmodifiableSortedSet(drained);
    }

    /** {@code file} with the servers drained by command at weight 0. */
    DataplaneConfig apply(DataplaneConfig file) {
        if (drained.isEmpty()) {
            return file;
        }
        List<Service> out = new ArrayList<>();
        for (Service s : file.services()) {
            List<RealServer> servers = new ArrayList<>();
            boolean changed = false;
            for (RealServer r : s.realServers()) {
                if (r.weight() > 0 && drained.contains(new ServerRef(s.name(), r.address()))) {
                    servers.add(new RealServer(r.address(), 0));
                    changed = true;
                } else {
                    servers.add(r);
                }
            }
            out.add(changed ? s.withRealServers(servers) : s);
        }
        return file.withServices(out);
    }

    /**
     * Forgets the servers {@code file} no longer lists, or lists at weight 0 (the file drains them
     * itself); one line each, for the log.
     */
    List<String> retain(DataplaneConfig file) {
        List<String> lines = new ArrayList<>();
        SortedSet<ServerRef> next = new TreeSet<>(drained);
        for (ServerRef r : drained) {
            Optional<RealServer> listed = find(file, r);
            if (listed.isEmpty() || listed.get().weight() == 0) {
                next.remove(r);
                lines.add("service " + r.service() + " server " + r.address() + (listed.isEmpty()
                        ? " left the configuration: its drain by command is forgotten"
                        : " has weight 0 in the configuration now: it drains by the file"));
            }
        }
        if (!lines.isEmpty()) {
            drained.retainAll(next); // in memory even if the file cannot be written: the file's word wins
            try {
                save(next);
            } catch (UncheckedIOException e) {
                lines.add(e.getMessage());
            }
        }
        return lines;
    }

    /**
     * Drains {@code r} of {@code file}; the answer in words.
     *
     * @throws IllegalArgumentException naming the service or server the file does not have
     */
    String drain(DataplaneConfig file, ServerRef r) {
        RealServer listed = require(file, r);
        if (listed.weight() == 0) {
            return "service " + r.service() + " server " + r.address() + " already drains: weight 0 in the configuration";
        }
        if (drained.contains(r)) {
            return "service " + r.service() + " server " + r.address() + " already drains (by command)";
        }
        SortedSet<ServerRef> next = new TreeSet<>(drained);
        next.add(r);
        save(next);
        drained.add(r);
        return "service " + r.service() + " server " + r.address() + " drains: it keeps its clients and takes no new one";
    }

    /**
     * Ends the drain by command of {@code r}; the answer in words.
     *
     * @throws IllegalArgumentException when the file does not have it, or drains it itself (weight 0)
     */
    String undrain(DataplaneConfig file, ServerRef r) {
        RealServer listed = require(file, r);
        if (listed.weight() == 0) {
            throw new IllegalArgumentException("service " + r.service() + " server " + r.address() + " has weight 0 in "
                    + "the configuration: give it a weight there to end its drain");
        }
        if (!drained.contains(r)) {
            return "service " + r.service() + " server " + r.address() + " was not draining";
        }
        SortedSet<ServerRef> next = new TreeSet<>(drained);
        next.remove(r);
        save(next);
        drained.remove(r);
        return "service " + r.service() + " server " + r.address() + " takes new clients again (weight "
                + listed.weight() + ")";
    }

    private static RealServer require(DataplaneConfig file, ServerRef r) {
        if (file.service(r.service()).isEmpty()) {
            throw new IllegalArgumentException("no service " + r.service() + " in the running configuration");
        }
        return find(file, r).orElseThrow(() -> new IllegalArgumentException("service " + r.service()
                + " has no real server " + r.address()));
    }

    private static Optional<RealServer> find(DataplaneConfig file, ServerRef r) {
        return file.service(r.service()).flatMap(s -> s.realServers().stream()
                .filter(x -> x.address().equals(r.address())).findFirst());
    }

    /** Writes {@code set} to the file (a rename over it: never half written). */
    private void save(SortedSet<ServerRef> set) {
        if (store == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        set.forEach(r -> b.append(r.service()).append(' ').append(r.address()).append('\n'));
        try {
            Path tmp = store.resolveSibling(store.getFileName() + ".tmp");
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the drains in " + store + ": " + e.getMessage(), e);
        }
    }
}
