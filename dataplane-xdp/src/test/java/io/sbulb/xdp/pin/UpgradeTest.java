package io.sbulb.xdp.pin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.Association;
import io.sbulb.api.Counter;
import io.sbulb.api.Endpoint;
import io.sbulb.api.Limits;
import io.sbulb.api.Net;
import io.sbulb.api.Reason;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.SbulbAbi;
import io.sbulb.xdp.SbulbProgram;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpLiveDataplane;
import io.sbulb.xdp.attach.AttachOptions;
import io.sbulb.xdp.attach.XdpAttachment;
import io.sbulb.xdp.bpf.PackagedObject;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.RawFrames;
import io.sbulb.xdp.testing.TestNetns;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Upgrades to a build whose map layout differs, over a real veth with real frames: the pinned
 * state is migrated, the pinned link switched to the new program (the same link), and no client
 * moves. From the packaged program to the same source built with a field appended to the
 * association value (src/test/bpf/sbulb_abi_next.bpf.c, layout 5); and from the shipped
 * single-service program (src/test/bpf/v1, layout 1) to the packaged one (layout 4: services, the host's addresses,
 * moved clients counted, the reasons of ICMP errors and fragments, DTLS CID routing).
 */
@Timeout(60)
class UpgradeTest {

    private static final String LB_MAC = "02:00:00:00:00:0a";
    private static final String PEER_MAC = "02:00:00:00:00:0b";
    private static final int CLIENTS = 40;
    private static final Net N = Net.V4;

    private TestNetns ns;
    private PinDir pin;

    @BeforeEach
    void lab() {
        Privileges.requireNetAdmin();
        ns = TestNetns.create("upgrade");
        ns.addVethPair("va", "vb");
        ns.ip("link", "set", "dev", "va", "address", LB_MAC);
        ns.ip("link", "set", "dev", "vb", "address", PEER_MAC);
        pin = new PinDir(PinDir.BPFFS.resolve("sbulb-harness").resolve(ProcessHandle.current().pid() + "-upgrade"));
        pin.purge();
    }

    @AfterEach
    void removeLab() {
        if (pin != null) {
            pin.purge();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private void sendFromEveryClient(NetInterface vb) {
        HexFormat mac = HexFormat.ofDelimiter(":");
        for (int i = 0; i < CLIENTS; i++) {
            Endpoint client = N.client(i % 10, 40000 + i);
            byte[] frame = N.toVip(client).toBuilder().srcMac(mac.parseHex(PEER_MAC)).dstMac(mac.parseHex(LB_MAC))
                    .build().toFrame().bytes();
            ns.run(() -> RawFrames.send(vb.index(), frame));
        }
    }

    private static long await(XdpLiveDataplane dp, Reason r, long packets) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long seen;
        while ((seen = dp.counters().getOrDefault(r, Counter.ZERO).packets()) < packets && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return seen;
    }

    @Test
    void theStateOfTheOldLayoutIsMigratedAndTheLinkSwitchedWithoutMovingAClient() throws Exception {
        NetInterface va = ns.call(() -> NetInterface.byName("va"));
        NetInterface vb = ns.call(() -> NetInterface.byName("vb"));
        SbulbProgramSpec spec = new SbulbProgramSpec(new Limits(4, 8, 1024), 0);
        List<Association> before;
        int linkId;
        int oldProgram;
        try (XdpLiveDataplane old = ns.call(() -> XdpLiveDataplane.load(spec, pin))) {
            old.configure(N.config(3));
            XdpAttachment a = old.attach(va, AttachOptions.DEFAULT);
            linkId = a.linkId();
            oldProgram = a.programId();
            sendFromEveryClient(vb);
            assertThat(await(old, Reason.INGRESS_NEW_NAT, CLIENTS)).isEqualTo(CLIENTS);
            before = old.associations();
            assertThat(before).hasSize(CLIENTS);
            old.onExit(XdpLiveDataplane.OnExit.KEEP);
        }
        assertThat(SbulbProgram.readStamp(pin)).get().extracting(SbulbAbi.Stamp::abi).isEqualTo(SbulbAbi.LAYOUT_VERSION);

        PackagedObject next = PackagedObject.read(UpgradeTest.class, "/io/sbulb/xdp/sbulb_abi_next.bpf.o");
        try (XdpLiveDataplane upgraded = ns.call(() -> XdpLiveDataplane.load(spec, pin, next))) {
            assertThat(upgraded.adopted()).isTrue();
            assertThat(upgraded.configuration()).isEqualTo(N.config(3));
            assertThat(upgraded.associations()).as("migrated").isEqualTo(before);
            assertThat(upgraded.counters().get(Reason.INGRESS_NEW_NAT).packets()).isEqualTo(CLIENTS);
            XdpAttachment a = upgraded.attach(va, AttachOptions.DEFAULT);
            assertThat(a.adopted()).isTrue();
            assertThat(a.linkId()).as("the same link, switched").isEqualTo(linkId);
            assertThat(a.programId()).isNotEqualTo(oldProgram);
            assertThat(SbulbProgram.readStamp(pin)).get().extracting(SbulbAbi.Stamp::abi).isEqualTo(SbulbAbi.LAYOUT_VERSION + 1);
            assertThat(pin.staging().dir()).doesNotExist();
            assertThat(pin.oldMaps()).doesNotExist();
            try (var pins = Files.list(pin.maps())) {
                assertThat(pins.map(p -> p.getFileName().toString())).contains("sbulb_assoc4", "sbulb_stamp");
            }

            sendFromEveryClient(vb);
            assertThat(await(upgraded, Reason.INGRESS_REUSED_NAT, CLIENTS)).as("every client found its association")
                    .isEqualTo(CLIENTS);
            assertThat(upgraded.associations()).as("no client moved").isEqualTo(before);
        }
        assertThat(pin.dir()).as("the default exit detaches and removes the state").doesNotExist();
        assertThat(ns.tryIp("link", "show", "dev", "va").output()).doesNotContain("xdp");
    }

    /**
     * From layout 1 (one VIP, its list) to services: the old program makes the associations with
     * real frames; after the upgrade the service "default" has the VIP, ports and list, every
     * client is bound to the same server (its slot in the new maps) and reaches it again.
     */
    @Test
    void theSingleServiceLayoutIsUpgradedToServicesWithoutMovingAClient() throws Exception {
        NetInterface va = ns.call(() -> NetInterface.byName("va"));
        NetInterface vb = ns.call(() -> NetInterface.byName("vb"));
        Limits limits = new Limits(4, 8, 1024);
        SbulbProgramSpec spec = new SbulbProgramSpec(limits, 0);
        java.util.Map<Endpoint, io.sbulb.api.IpAddress> before;
        int linkId;
        try (V1Program old = V1Program.load(limits, pin)) {
            old.configure(N.config(3));
            XdpAttachment a = ns.call(() -> old.attach(va, pin));
            linkId = a.linkId();
            a.close(); // the pinned link keeps the program attached
            sendFromEveryClient(vb);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (old.associations().size() < CLIENTS && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            before = old.associations();
        }
        assertThat(before).hasSize(CLIENTS);
        assertThat(before.values()).as("round robin over the three").containsOnly(N.rs(0), N.rs(1), N.rs(2));
        assertThat(SbulbProgram.readStamp(pin)).get().extracting(SbulbAbi.Stamp::abi).isEqualTo(1);

        List<io.sbulb.api.Expect.Binding> expected = new java.util.ArrayList<>();
        before.forEach((c, rs) -> expected.add(io.sbulb.api.Expect.bound(c, rs)));
        try (XdpLiveDataplane upgraded = ns.call(() -> XdpLiveDataplane.load(spec, pin))) {
            assertThat(upgraded.adopted()).isTrue();
            assertThat(upgraded.configuration()).isEqualTo(N.config(3));
            assertThat(io.sbulb.api.Expect.bindings(upgraded)).as("migrated").containsExactlyElementsOf(expected);
            XdpAttachment a = upgraded.attach(va, AttachOptions.DEFAULT);
            assertThat(a.adopted()).isTrue();
            assertThat(a.linkId()).as("the same link, switched").isEqualTo(linkId);
            assertThat(SbulbProgram.readStamp(pin)).get().extracting(SbulbAbi.Stamp::abi).isEqualTo(SbulbAbi.LAYOUT_VERSION);
            assertThat(pin.staging().dir()).doesNotExist();
            try (var pins = Files.list(pin.maps())) {
                assertThat(pins.map(p -> p.getFileName().toString())).contains("sbulb_assoc4", "sbulb_reals")
                        .doesNotContain("sbulb_assoc", "sbulb_rs");
            }
            sendFromEveryClient(vb);
            assertThat(await(upgraded, Reason.INGRESS_REUSED_NAT, CLIENTS)).as("every client found its association")
                    .isEqualTo(CLIENTS);
            assertThat(io.sbulb.api.Expect.bindings(upgraded)).as("no client moved").containsExactlyElementsOf(expected);
            // the converted cursor goes on where layout 1's was: 40 clients over 3 servers
            Endpoint fresh = N.client(20, 50000);
            byte[] frame = N.toVip(fresh).toBuilder().srcMac(HexFormat.ofDelimiter(":").parseHex(PEER_MAC))
                    .dstMac(HexFormat.ofDelimiter(":").parseHex(LB_MAC)).build().toFrame().bytes();
            ns.run(() -> RawFrames.send(vb.index(), frame));
            assertThat(await(upgraded, Reason.INGRESS_NEW_NAT, CLIENTS + 1)).as("layout 1's counters go on")
                    .isEqualTo(CLIENTS + 1);
            assertThat(upgraded.associations()).filteredOn(x -> x.client().equals(fresh))
                    .extracting(Association::realServer).containsExactly(N.rs(CLIENTS % 3));
        }
        assertThat(pin.dir()).as("the default exit detaches and removes the state").doesNotExist();
    }
}
