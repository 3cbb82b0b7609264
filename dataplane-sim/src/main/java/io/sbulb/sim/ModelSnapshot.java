package io.sbulb.sim;

import io.sbulb.api.Association;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Counter;
import io.sbulb.api.DataplaneConfig;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Limits;
import io.sbulb.api.LruParameters;
import io.sbulb.api.Reason;
import io.sbulb.sim.lru.LruState;
import io.sbulb.sim.snapshot.SnapshotException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link ReferenceDataplane} holds, as the XDP program's pinned maps would hold it across
 * a restart of its daemon ({@link ReferenceDataplane#save()}, {@link ReferenceDataplane#restore}):
 * the limits and event mask it was created with, the configuration in force and the retired real
 * servers ({@code sbulb_config}, {@code sbulb_ports}, {@code sbulb_rs}, {@code sbulb_rs_index}),
 * the round-robin cursor ({@code sbulb_state}), the counters ({@code sbulb_counters}) and the
 * association table ({@code sbulb_assoc}) with the whole state of its kernel LRU model
 * ({@link LruState}). Not the event log: events not drained are lost on a restart.
 *
 * <p>Immutable, compared by value, and checked on construction: a snapshot always describes a
 * model that can exist. {@link #toBytes()} and {@link #fromBytes} give its binary form
 * ({@link ModelSnapshotFormat}).
 */
public final class ModelSnapshot {

    private final Limits limits;
    private final long eventMask;
    private final DataplaneConfig config;
    private final List<IpAddress> retired;
    private final long nextRs;
    private final Map<Reason, Counter> counters;
    private final LruState<AssocKey, AssocValue> table;

    /**
     * @throws IllegalArgumentException naming the part that no model could hold
     */
    ModelSnapshot(Limits limits, long eventMask, DataplaneConfig config, List<IpAddress> retired, long nextRs,
                  Map<Reason, Counter> counters, LruState<AssocKey, AssocValue> table) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.eventMask = eventMask;
        this.config = Objects.requireNonNull(config, "config");
        this.retired = List.copyOf(retired);
        this.nextRs = nextRs;
        EnumMap<Reason, Counter> c = new EnumMap<>(Reason.class);
        c.putAll(counters);
        this.counters = Collections.unmodifiableMap(c);
        this.table = Objects.requireNonNull(table, "table");
        check();
    }

    private void check() {
        try {
            config.validate(limits);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration " + config + ": " + e.getMessage(), e);
        }
        if (retired.size() > limits.maxRealServers()) {
            throw new IllegalArgumentException(retired.size() + " retired real servers, at most "
                    + limits.maxRealServers() + " are remembered");
        }
        Set<IpAddress> seen = new HashSet<>();
        for (IpAddress a : retired) {
            if (!seen.add(a)) {
                throw new IllegalArgumentException("retired real server " + a + " is listed twice");
            }
            if (config.realServers().contains(a)) {
                throw new IllegalArgumentException("retired real server " + a + " is also configured");
            }
        }
        if (nextRs < 0 || nextRs > limits.maxRealServers()) {
            throw new IllegalArgumentException("round-robin cursor " + nextRs + " is outside 0.." + limits.maxRealServers());
        }
        counters.forEach((r, c) -> {
            if (c.packets() < 1 || c.bytes() < 0) {
                throw new IllegalArgumentException("counter " + r + " is " + c + ": a kept counter has counted packets");
            }
        });
        if (table.noCommonLru() || table.maxEntries() != limits.maxAssociations()) {
            throw new IllegalArgumentException("the association table is " + (table.noCommonLru() ? "a NO_COMMON_LRU" : "a")
                    + " map of " + table.maxEntries() + " entries, the model's is a common LRU of "
                    + limits.maxAssociations() + " (-ma)");
        }
        for (LruState.Node<AssocKey, AssocValue> n : table.entries()) {
            int port = n.key().port();
            int idx = n.value().rsIndex;
            if (port < 0 || port > 65535 || idx < 0 || idx >= limits.maxRealServers()) {
                throw new IllegalArgumentException("association " + n.key().address() + " port " + port + " -> "
                        + n.value() + ": port outside 0..65535 or position outside 0.." + (limits.maxRealServers() - 1));
            }
        }
    }

    public Limits limits() {
        return limits;
    }

    /** The LRU parameters the association table evicts by. */
    public LruParameters lruParameters() {
        return table.parameters();
    }

    public long eventMask() {
        return eventMask;
    }

    /** The configuration in force. */
    public DataplaneConfig configuration() {
        return config;
    }

    /** The retired real servers, oldest first ({@link io.sbulb.api.RetiredServers}). */
    public List<IpAddress> retired() {
        return retired;
    }

    /** The round-robin cursor {@code next_rs}. */
    public long nextRealServer() {
        return nextRs;
    }

    /** The counters that moved. */
    public Map<Reason, Counter> counters() {
        return counters;
    }

    /** The association table, sorted by client (without its LRU state). */
    public List<Association> associations() {
        List<Association> out = new ArrayList<>();
        table.entries().forEach(n -> out.add(n.key().with(n.value())));
        Collections.sort(out);
        return out;
    }

    LruState<AssocKey, AssocValue> table() {
        return table;
    }

    /** The binary form ({@link ModelSnapshotFormat}). */
    public byte[] toBytes() {
        return ModelSnapshotFormat.write(this);
    }

    /** Writes {@link #toBytes()} to {@code out}. */
    public void writeTo(OutputStream out) {
        try {
            out.write(toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a model snapshot", e);
        }
    }

    /**
     * The snapshot in {@code bytes}, which must hold exactly one.
     *
     * @throws SnapshotException naming what is wrong when it is not a model snapshot, of another
     *                           version, truncated, altered, or describes no possible model
     */
    public static ModelSnapshot fromBytes(byte[] bytes) {
        return ModelSnapshotFormat.read(bytes);
    }

    /** Reads one snapshot from {@code in} (which may go on after it), as {@link #fromBytes} does. */
    public static ModelSnapshot readFrom(InputStream in) {
        return ModelSnapshotFormat.read(in);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSnapshot s && limits.equals(s.limits) && eventMask == s.eventMask
                && config.equals(s.config) && retired.equals(s.retired) && nextRs == s.nextRs
                && counters.equals(s.counters) && table.equals(s.table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limits, eventMask, config, retired, nextRs, counters, table);
    }

    @Override
    public String toString() {
        return "model snapshot: " + limits + ", " + config + ", retired " + retired + ", next real server " + nextRs
                + ", " + table.size() + " associations, " + counters.size() + " counters, " + table.parameters();
    }
}
