package io.sbulb.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sbulb.api.Counter;
import io.sbulb.api.Endpoint;
import io.sbulb.api.IpAddress;
import io.sbulb.api.Reason;
import io.sbulb.xdp.SbulbAbi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * bpftool, the independent observer: what XDP program an interface runs, and what sbulb's
 * association table holds, read from the kernel without any of sbulb's own code.
 */
public final class Bpftool {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Bpftool() {
    }

    /** An XDP program on an interface: its id and bpftool's mode word ("driver", "generic"). */
    public record Xdp(int id, String mode) {
    }

    /** The XDP program on {@code dev} in namespace {@code ns}, per {@code bpftool net show}. */
    public static Optional<Xdp> xdp(String ns, String dev) {
        JsonNode xdp = json("ip", "netns", "exec", ns, "bpftool", "-j", "net", "show", "dev", dev).path(0).path("xdp");
        for (JsonNode n : xdp) {
            if (dev.equals(n.path("devname").asText())) {
                return Optional.of(new Xdp(n.path("id").asInt(), n.path("mode").asText()));
            }
        }
        return Optional.empty();
    }

    /** The name of program {@code id}. */
    public static String programName(int id) {
        return json("bpftool", "-j", "prog", "show", "id", String.valueOf(id)).path("name").asText();
    }

    /** The id of the map named {@code name} that program {@code progId} uses. */
    public static int mapOf(int progId, String name) {
        return maps(progId).stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new LabException("program " + progId + " has no map " + name)).id();
    }

    /** A map as {@code bpftool map show} describes it; {@code bytesMemlock} is the kernel memory it holds. */
    public record MapInfo(int id, String name, String type, long maxEntries, long bytesMemlock) {
    }

    /** Every map program {@code progId} uses, as bpftool describes them. */
    public static List<MapInfo> maps(int progId) {
        List<MapInfo> maps = new ArrayList<>();
        for (JsonNode id : json("bpftool", "-j", "prog", "show", "id", String.valueOf(progId)).path("map_ids")) {
            JsonNode m = json("bpftool", "-j", "map", "show", "id", id.asText());
            maps.add(new MapInfo(id.asInt(), m.path("name").asText(), m.path("type").asText(),
                    m.path("max_entries").asLong(), m.path("bytes_memlock").asLong()));
        }
        return maps;
    }

    /**
     * A row of sbulb's association tables: a foreign peer, its service's id, and the real server
     * its slot holds (null when the slot has moved on to another epoch: a stale entry).
     */
    public record Association(Endpoint peer, int serviceId, IpAddress realServer) {
    }

    /**
     * sbulb's association tables (both families) as {@code bpftool map dump} shows them: bpftool
     * reads the raw key and value bytes from the kernel; they are decoded as the ABI's structs,
     * and each entry's slot is read in {@code sbulb_reals}, dumped the same way.
     */
    public static List<Association> associations(int progId) {
        Map<Integer, SbulbAbi.Real> reals = new HashMap<>();
        for (JsonNode e : json("bpftool", "-j", "map", "dump", "id", String.valueOf(mapOf(progId, SbulbAbi.MAP_REALS)))) {
            reals.put(SbulbAbi.u32(bytes(e.path("key"))), SbulbAbi.Real.of(bytes(e.path("value"))));
        }
        List<Association> rows = new ArrayList<>();
        for (String table : List.of(SbulbAbi.MAP_ASSOC4, SbulbAbi.MAP_ASSOC6)) {
            for (JsonNode e : json("bpftool", "-j", "map", "dump", "id", String.valueOf(mapOf(progId, table)))) {
                // decoded with the layout the ABI test holds to the compiled object, not offsets copied here
                SbulbAbi.AssocEntry a = SbulbAbi.AssocEntry.of(bytes(e.path("key")), bytes(e.path("value")));
                SbulbAbi.Real r = reals.get(a.slot());
                IpAddress server = r != null && r.epoch() == a.epoch() && a.epoch() != 0 ? r.address() : null;
                rows.add(new Association(a.client(), a.serviceId(), server));
            }
        }
        return rows;
    }

    /** The rows of {@link #associations} whose peer has address {@code client}: its ports and their real servers. */
    public static Map<Integer, IpAddress> realServersByPort(int progId, IpAddress client) {
        Map<Integer, IpAddress> m = new HashMap<>();
        for (Association a : associations(progId)) {
            if (a.peer().address().equals(client)) {
                m.put(a.peer().port(), a.realServer());
            }
        }
        return m;
    }

    /**
     * The frames and bytes program {@code progId} counted for {@code reason}, summed over CPUs, as
     * {@code bpftool map lookup} reads them from {@code sbulb_counters} (a per-CPU array keyed by
     * the reason code): the data path's own counters, read without sbulb.
     */
    public static Counter counter(int progId, Reason reason) {
        List<String> cmd = new ArrayList<>(List.of("bpftool", "-j", "map", "lookup", "id",
                String.valueOf(mapOf(progId, SbulbAbi.MAP_COUNTERS)), "key"));
        for (byte b : SbulbAbi.u32(reason.code())) {
            cmd.add(String.valueOf(b & 0xff));
        }
        JsonNode values = json(cmd.toArray(String[]::new)).path("values");
        byte[] perCpu = new byte[values.size() * SbulbAbi.COUNTER_SIZE];
        for (int cpu = 0; cpu < values.size(); cpu++) {
            byte[] v = bytes(values.get(cpu).path("value"));
            System.arraycopy(v, 0, perCpu, cpu * SbulbAbi.COUNTER_SIZE, SbulbAbi.COUNTER_SIZE);
        }
        return SbulbAbi.counter(perCpu, SbulbAbi.COUNTER_SIZE, values.size());
    }

    private static byte[] bytes(JsonNode hexList) {
        byte[] b = new byte[hexList.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hexList.get(i).asText().replace("0x", ""), 16);
        }
        return b;
    }

    private static JsonNode json(String... cmd) {
        String out = Commands.run(cmd);
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new LabException(String.join(" ", cmd) + " printed no JSON: " + out, e);
        }
    }
}
