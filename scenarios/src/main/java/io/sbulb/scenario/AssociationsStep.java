package io.sbulb.scenario;

import io.sbulb.api.IpAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A check of the association table between frames.
 *
 * <ul>
 *   <li>{@link Kind#EXACT} ({@code expectAssociations}): the table is exactly {@code bound};</li>
 *   <li>{@link Kind#ASSOCIATED} ({@code expectAssociated}): each client of {@code bound} is bound to its server;</li>
 *   <li>{@link Kind#NOT_ASSOCIATED} ({@code expectNotAssociated}): no client of {@code unbound} is in the table;</li>
 *   <li>{@link Kind#COUNT} ({@code expectAssociationCount}): the table holds {@code count} entries.</li>
 * </ul>
 *
 * @param check        which check
 * @param bound        client (range) to real server, for EXACT and ASSOCIATED; else empty
 * @param unbound      clients (ranges), for NOT_ASSOCIATED; else empty
 * @param count        the entry count, for COUNT; else 0
 * @param dependsOnLru true if the check holds only under the scenario's {@code assumes}
 * @param note         free text, or null
 */
public record AssociationsStep(Kind check, Map<EndpointRange, IpAddress> bound, List<EndpointRange> unbound,
                               int count, boolean dependsOnLru, String note) implements Step {

    /** The four checks, with their names in a file. */
    public enum Kind {
        EXACT("expectAssociations"),
        ASSOCIATED("expectAssociated"),
        NOT_ASSOCIATED("expectNotAssociated"),
        COUNT("expectAssociationCount");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The step's key in a scenario file. */
        public String key() {
            return key;
        }
    }

    public AssociationsStep {
        bound = bound == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bound));
        unbound = unbound == null ? List.of() : List.copyOf(unbound);
        if (count < 0) {
            throw new IllegalArgumentException("association count " + count + " is negative");
        }
    }

    /** The exact table check, e.g. from a dataplane's table. */
    public static AssociationsStep exact(Map<EndpointRange, IpAddress> table, boolean dependsOnLru) {
        return new AssociationsStep(Kind.EXACT, table, null, 0, dependsOnLru, null);
    }

    @Override
    public String kind() {
        return check.key();
    }
}
