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
 * @param bound        client (range), optionally of one service, to real server (null: a stale entry, its
 *                     server's slot given up), for EXACT and ASSOCIATED; else empty
 * @param unbound      clients (ranges), for NOT_ASSOCIATED; else empty
 * @param count        the entry count, for COUNT; else 0
 * @param dependsOnLru true if the check holds only under the scenario's {@code assumes}
 * @param note         free text, or null
 */
public record AssociationsStep(Kind check, Map<Clients, IpAddress> bound, List<EndpointRange> unbound,
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

    /**
     * Clients in a check: a range, of one service ({@code "coap6 [fd00::2:1]:1000"} in a file), or
     * of any service when {@code service} is null (the seed's one service: {@code "198.18.2.1:1000"}).
     */
    public record Clients(String service, EndpointRange range) {

        public static Clients parse(String text) {
            String t = text.trim();
            int space = t.indexOf(' ');
            if (space < 0) {
                return new Clients(null, EndpointRange.parse(t));
            }
            return new Clients(t.substring(0, space), EndpointRange.parse(t.substring(space + 1).trim()));
        }

        /** Whether an association of {@code service} is of these clients' service (any, when none is named). */
        public boolean ofService(String associationService) {
            return service == null || service.equals(associationService);
        }

        @Override
        public String toString() {
            return service == null ? range.toString() : service + " " + range;
        }
    }

    /** How a file writes a stale entry's server. */
    public static final String STALE = "stale";

    public AssociationsStep {
        bound = bound == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bound));
        unbound = unbound == null ? List.of() : List.copyOf(unbound);
        if (count < 0) {
            throw new IllegalArgumentException("association count " + count + " is negative");
        }
    }

    /** The exact table check, e.g. from a dataplane's table. */
    public static AssociationsStep exact(Map<Clients, IpAddress> table, boolean dependsOnLru) {
        return new AssociationsStep(Kind.EXACT, table, null, 0, dependsOnLru, null);
    }

    @Override
    public String kind() {
        return check.key();
    }
}
