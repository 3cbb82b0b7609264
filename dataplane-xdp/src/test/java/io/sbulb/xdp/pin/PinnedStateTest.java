package io.sbulb.xdp.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.ConfigException;
import io.sbulb.api.Dataplane;
import io.sbulb.api.Frame;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.Result;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpDataplane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The maps pinned in bpffs outlive the program instance: a restart over them keeps the
 * associations (with their LRU order), the round-robin cursor, the counters, the configuration
 * and the retired servers. Checked against the same frames run without a restart.
 */
class PinnedStateTest {

    private static final Limits LIMITS = new Limits(4, 3, 6);

    /** The frames of a day: clients, a server removed, late replies, a full table, a server added. */
    private static List<Object> day(Net n) {
        List<Object> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            steps.add(n.toVip(n.client(i)).toFrame());
        }
        steps.add(n.config(3).withRealServers(List.of(n.rs(0), n.rs(2)))); // rs1 retired
        steps.add(n.fromServer(n.rs(1), n.client(1)).toFrame());
        steps.add("restart");
        steps.add(n.fromServer(n.rs(1), n.client(1)).toFrame()); // still a late reply
        for (int i = 0; i < 8; i++) { // past the table's 6 entries: evictions
            steps.add(n.toVip(n.client(i, 41000 + i)).toFrame());
        }
        steps.add("restart");
        steps.add(n.config(3).withRealServers(List.of(n.rs(0), n.rs(2), n.rs(1)))); // rs1 back
        for (int i = 0; i < 4; i++) {
            steps.add(n.toVip(n.client(i)).toFrame());
        }
        return steps;
    }

    private static List<String> run(Dataplane first, List<Object> steps, boolean restart) {
        List<String> seen = new ArrayList<>();
        Dataplane dp = first;
        try {
            for (Object step : steps) {
                if (step instanceof Frame f) {
                    Result r = dp.process(f);
                    seen.add(r.verdict() + " " + r.reason() + " " + java.util.HexFormat.of().formatHex(r.output().bytes()));
                } else if (step instanceof io.sbulb.api.DataplaneConfig c) {
                    dp.configure(c);
                } else if (restart) {
                    dp = dp.restart();
                }
                seen.add("table " + dp.associations());
            }
            if (dp instanceof XdpDataplane x) {
                assertThat(x.associationCount()).as("counted without reading out").isEqualTo(dp.associations().size());
            }
            seen.add("counters " + dp.counters());
            seen.add("config " + dp.configuration());
            return seen;
        } finally {
            dp.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Net.class)
    void aRestartOverThePinnedMapsChangesNothingTheFramesCanSee(Net n) {
        Privileges.requireBpf();
        SbulbProgramSpec spec = new SbulbProgramSpec(LIMITS, 0);
        XdpDataplane plain = XdpDataplane.create(spec, XdpDataplane.DEFAULT_CPU);
        plain.configure(n.config(3));
        List<String> without = run(plain, day(n), false);

        XdpDataplane pinned = XdpDataplane.createRestartable(spec, XdpDataplane.DEFAULT_CPU);
        pinned.configure(n.config(3));
        List<String> with = run(pinned, day(n), true);

        assertThat(with).containsExactlyElementsOf(without);
        assertThat(without).anyMatch(s -> s.contains(Reason.EGRESS_REMOVED_REAL_SERVER.name()));
    }

    /**
     * Services across restarts: two services of both families, weights, a server retired, a
     * cursor in mid-cycle; after each restart the adopted placement must go on exactly as the
     * program that never restarted (slots, epochs, cursors, retired servers, next epoch).
     */
    private static List<Object> servicesDay() {
        Net v4 = Net.V4;
        Net v6 = Net.V6;
        io.sbulb.api.Service six = io.sbulb.api.Service.of("six", v6.vip, java.util.Set.of(Net.PORT, Net.OTHER_PORT),
                List.of(new io.sbulb.api.RealServer(v6.rs(0), 2), io.sbulb.api.RealServer.of(v6.rs(1))));
        io.sbulb.api.Service four = io.sbulb.api.Service.of("four", v4.vip, java.util.Set.of(Net.PORT),
                List.of(io.sbulb.api.RealServer.of(v4.rs(0)), new io.sbulb.api.RealServer(v4.rs(1), 3)));
        List<Object> steps = new ArrayList<>();
        steps.add(io.sbulb.api.DataplaneConfig.of(List.of(four, six)));
        for (int i = 0; i < 3; i++) {
            steps.add(v4.toVip(v4.client(i)).toFrame());
            steps.add(v6.toVip(v6.client(i)).toFrame());
        }
        steps.add("restart");
        steps.add(io.sbulb.api.DataplaneConfig.of(List.of(six, four.withRealServers(List.of(
                new io.sbulb.api.RealServer(v4.rs(1), 3), io.sbulb.api.RealServer.of(v4.rs(2))))))); // rs0 retired
        steps.add(v4.fromServer(v4.rs(0), v4.client(0)).toFrame());
        steps.add("restart");
        for (int i = 0; i < 5; i++) {
            steps.add(v4.toVip(v4.client(i)).toFrame());
            steps.add(v6.toVip(v6.client(i + 3)).toFrame());
        }
        steps.add(io.sbulb.api.DataplaneConfig.of(List.of(four, six))); // rs0 back, rs2 retired
        steps.add("restart");
        steps.add(v4.toVip(v4.client(0)).toFrame());
        steps.add(v4.fromServer(v4.rs(2), v4.client(1)).toFrame());
        steps.add(v4.toVip(v4.client(7)).toFrame());
        return steps;
    }

    /** What {@code steps} show on a program that never restarts, after checking that restarts change none of it. */
    private static List<String> sameAcrossRestarts(List<Object> steps) {
        Privileges.requireBpf();
        SbulbProgramSpec spec = new SbulbProgramSpec(LIMITS, 0);
        List<String> without = run(XdpDataplane.create(spec, XdpDataplane.DEFAULT_CPU), steps, false);
        List<String> with = run(XdpDataplane.createRestartable(spec, XdpDataplane.DEFAULT_CPU), steps, true);
        assertThat(with).containsExactlyElementsOf(without);
        return without;
    }

    @Test
    void aRestartKeepsServicesWeightsRetiredServersAndCursors() {
        assertThat(sameAcrossRestarts(servicesDay())).anyMatch(s -> s.contains(Reason.EGRESS_REMOVED_REAL_SERVER.name()));
    }

    /**
     * DTLS Connection ID routing across restarts: the services' layout and the live servers' node
     * ids are read back from the pinned maps (sbulb_services, sbulb_cid_nodes), so records are
     * routed after each restart exactly as by the program that never restarted, a changed node id
     * and a removed server's included.
     */
    private static List<Object> cidDay() {
        Net n = Net.V4;
        io.sbulb.api.DtlsCid cid = new io.sbulb.api.DtlsCid(6, 1, 2);
        java.util.function.BiFunction<Integer, Long, io.sbulb.api.RealServer> rs = (i, node) ->
                new io.sbulb.api.RealServer(n.rs(i), 1, node);
        java.util.function.BiFunction<Integer, Integer, Frame> record = (client, node) -> n.toVip(n.client(client))
                .toBuilder().payload(new byte[] {25, (byte) 0xfe, (byte) 0xfd, 0, 1, 0, 0, 0, 0, 0, 7, 0x77,
                    (byte) (node >> 8), (byte) (int) node, 1, 2, 3, 0, 1, 0x5a}).build().toFrame();
        List<Object> steps = new ArrayList<>();
        steps.add(io.sbulb.api.DataplaneConfig.of(List.of(io.sbulb.api.Service.of("dtls", n.vip, java.util.Set.of(Net.PORT),
                List.of(rs.apply(0, 0x0101L), rs.apply(1, 0x0102L), rs.apply(2, 0x0203L)), cid))));
        steps.add(record.apply(0, 0x0102));
        steps.add(n.toVip(n.client(1)).toFrame());
        steps.add("restart");
        steps.add(record.apply(1, 0x0203));
        steps.add(record.apply(2, 0x0101));
        steps.add(io.sbulb.api.DataplaneConfig.of(List.of(io.sbulb.api.Service.of("dtls", n.vip, java.util.Set.of(Net.PORT),
                List.of(rs.apply(0, 0x0104L), rs.apply(2, 0x0203L)), cid)))); // rs1 removed, rs0's node id changed
        steps.add("restart");
        steps.add(record.apply(0, 0x0102));
        steps.add(record.apply(3, 0x0101));
        steps.add(record.apply(3, 0x0104));
        steps.add("restart");
        steps.add(record.apply(4, 0x0203));
        return steps;
    }

    @Test
    void aRestartKeepsDtlsCidRoutingAndNodeIds() {
        List<String> without = sameAcrossRestarts(cidDay());
        assertThat(without.stream().filter(s -> s.contains(Reason.INGRESS_CID_ROUTED.name() + " "))).hasSize(5);
        assertThat(without.stream().filter(s -> s.contains(Reason.INGRESS_CID_UNKNOWN_NODE.name() + " "))).hasSize(2);
    }

    @Test
    void thePinsAreRootsOnlyAndGoWithTheLastInstance() throws Exception {
        Privileges.requireBpf();
        XdpDataplane dp = XdpDataplane.createRestartable(new SbulbProgramSpec(LIMITS, 0), XdpDataplane.DEFAULT_CPU);
        Path dir;
        try (Dataplane again = dp.restart()) {
            dir = harnessDirOfThisProcess();
            assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PinDir.DIR_MODE);
            try (var pins = Files.list(dir.resolve("maps"))) {
                List<Path> all = pins.toList();
                assertThat(all).extracting(p -> p.getFileName().toString())
                        .contains("sbulb_assoc4", "sbulb_assoc6", "sbulb_state", "sbulb_counters", "sbulb_stamp");
                for (Path p : all) {
                    assertThat(Files.getPosixFilePermissions(p)).as("%s", p).isEqualTo(PinDir.FILE_MODE);
                }
            }
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void stateMadeWithOtherLimitsIsRefusedNamingBothAndTheWayOut() {
        Privileges.requireBpf();
        PinDir pin = new PinDir(PinDir.BPFFS.resolve("sbulb-harness").resolve(ProcessHandle.current().pid() + "-limits"));
        try {
            io.sbulb.xdp.XdpLiveDataplane.load(new SbulbProgramSpec(LIMITS, 0), pin).close(); // DETACH purges
            assertThat(pin.dir()).doesNotExist();
            io.sbulb.xdp.XdpLiveDataplane first = io.sbulb.xdp.XdpLiveDataplane.load(new SbulbProgramSpec(LIMITS, 0), pin);
            first.onExit(io.sbulb.xdp.XdpLiveDataplane.OnExit.KEEP);
            first.close();
            assertThatThrownBy(() -> io.sbulb.xdp.XdpLiveDataplane.load(
                    new SbulbProgramSpec(new Limits(4, 3, 64), 0), pin)).isInstanceOf(ConfigException.class)
                    .hasMessage("the state pinned at " + pin + " holds an association table of 6 entries (-ma 6); "
                            + "this start asks 64: start with the same value, or remove the state (sbulb detach IFNET "
                            + "--purge; every client then starts over)");
            assertThat(pin.map("sbulb_assoc4")).as("nothing removed").exists();
        } finally {
            pin.purge();
        }
    }

    private static Path harnessDirOfThisProcess() throws Exception {
        try (var dirs = Files.list(PinDir.BPFFS.resolve("sbulb-harness"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(ProcessHandle.current().pid() + "-"))
                    .filter(d -> !d.getFileName().toString().endsWith("-limits")).findFirst().orElseThrow();
        }
    }
}
