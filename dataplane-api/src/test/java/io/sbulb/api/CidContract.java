package io.sbulb.api;

import static io.sbulb.api.Expect.bindings;
import static io.sbulb.api.Expect.bound;
import static io.sbulb.api.Expect.fromServer;
import static io.sbulb.api.Expect.toServer;
import static io.sbulb.api.Expect.untouched;
import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.frame.UdpFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * DTLS 1.2 Connection ID routing (RFC 9146, issue 20), held by every dataplane (docs/design.md
 * §1, step 6): a record of content type tls12_cid goes to the live server of the node id in its
 * connection id, and the client's association follows it; anything else is balanced as before.
 * Expected frames are built from scratch with full checksums ({@link Expect}).
 */
public abstract class CidContract {

    /** A fresh dataplane with these limits (skips, or fails under CI, where it cannot run). */
    protected abstract Dataplane create(Limits limits);

    private static final Limits LIMITS = new Limits(4, 8, 4096, 8);
    /** Californium's layout: 6-byte connection ids, the node id in the first byte. */
    private static final DtlsCid SIX = DtlsCid.ofLength(6);

    /** Service "dtls" on the family's VIP: servers 0, 1, 2 with node ids 1, 2, 3 (3 of weight 0 when asked). */
    static DataplaneConfig dtls(Net n, DtlsCid cid, int servers) {
        List<RealServer> list = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            list.add(new RealServer(n.rs(i), 1, i + 1));
        }
        return DataplaneConfig.of(List.of(Service.of("dtls", n.vip, Set.of(Net.PORT), list, cid)));
    }

    /**
     * A DTLS 1.2 record's first bytes: content type, version 254.253, epoch 1, sequence number 7,
     * then {@code cid} (the connection id) and a little of the rest.
     */
    static byte[] record(int contentType, byte[] cid) {
        byte[] head = {(byte) contentType, (byte) 0xfe, (byte) 0xfd, 0, 1, 0, 0, 0, 0, 0, 7};
        byte[] out = new byte[head.length + cid.length + 4];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(cid, 0, out, head.length, cid.length);
        out[out.length - 3] = 1; // length 0x0102, then a byte of ciphertext
        out[out.length - 2] = 2;
        out[out.length - 1] = 0x5a;
        return out;
    }

    /** A connection id of {@code length} bytes with {@code node} in its first byte (the rest arbitrary). */
    static byte[] cid(int length, int node) {
        byte[] c = new byte[length];
        for (int i = 0; i < length; i++) {
            c[i] = (byte) (0x30 + i);
        }
        c[0] = (byte) node;
        return c;
    }

    static UdpFrame toVip(Net n, Endpoint client, byte[] payload) {
        return UdpFrame.builder().source(client).destination(n.vip, Net.PORT).payload(payload).build();
    }

    static UdpFrame cidRecord(Net n, Endpoint client, int node) {
        return toVip(n, client, record(25, cid(6, node)));
    }

    @Test
    void aCidRecordFromANewAddressGoesToTheServerOfItsNodeIdAndRepliesFollow() {
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(dtls(n, SIX, 3));
                Endpoint before = n.client(0, 40000);
                toServer(dp, toVip(n, before, record(22, new byte[8])), n.rs(0), Reason.INGRESS_NEW_NAT); // the handshake
                Endpoint after = n.client(0, 41000); // the NAT rebound the device
                toServer(dp, cidRecord(n, after, 1), n.rs(0), Reason.INGRESS_CID_ROUTED);
                toServer(dp, cidRecord(n, after, 1), n.rs(0), Reason.INGRESS_CID_ROUTED);
                fromServer(dp, n.fromServer(n.rs(0), after), n.vip, Reason.EGRESS_REUSED_NAT);
                toServer(dp, cidRecord(n, n.client(1), 3), n.rs(2), Reason.INGRESS_CID_ROUTED);
                assertThat(bindings(dp)).containsExactlyInAnyOrder(bound("dtls", before, n.rs(0)),
                        bound("dtls", after, n.rs(0)), bound("dtls", n.client(1), n.rs(2)));
                assertThat(dp.serverFrames().get(new ServerRef("dtls", n.rs(0)))).isEqualTo(4);
            }
        }
    }

    @Test
    void aCidRecordRepointsAnAssociationOfAnotherServerInPlace() {
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(dtls(n, SIX, 3));
                Endpoint client = n.client(2);
                toServer(dp, toVip(n, client, "plain".getBytes()), n.rs(0), Reason.INGRESS_NEW_NAT);
                toServer(dp, cidRecord(n, client, 2), n.rs(1), Reason.INGRESS_CID_ROUTED);
                assertThat(bindings(dp)).containsExactly(bound("dtls", client, n.rs(1)));
                toServer(dp, toVip(n, client, record(23, new byte[9])), n.rs(1), Reason.INGRESS_REUSED_NAT);
                untouched(dp, n.fromServer(n.rs(0), client).toFrame(), Verdict.DROP, Reason.EGRESS_NOT_AUTHORIZED);
                fromServer(dp, n.fromServer(n.rs(1), client), n.vip, Reason.EGRESS_REUSED_NAT);
                // the next new client takes the cursor's next server: routing moved no cursor
                toServer(dp, toVip(n, n.client(3), "plain".getBytes()), n.rs(1), Reason.INGRESS_NEW_NAT);
            }
        }
    }

    @Test
    void aNodeIdOfNoServerFallsBackToTheAssociationOrTheScheduler() {
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(dtls(n, SIX, 3));
                toServer(dp, cidRecord(n, n.client(0), 9), n.rs(0), Reason.INGRESS_CID_UNKNOWN_NODE); // a new client
                toServer(dp, cidRecord(n, n.client(0), 0), n.rs(0), Reason.INGRESS_CID_UNKNOWN_NODE); // its association
                toServer(dp, cidRecord(n, n.client(1), 0xff), n.rs(1), Reason.INGRESS_CID_UNKNOWN_NODE);
                assertThat(bindings(dp)).containsExactlyInAnyOrder(bound("dtls", n.client(0), n.rs(0)),
                        bound("dtls", n.client(1), n.rs(1)));
            }
        }
    }

    @Test
    void aRemovedOrDownServersNodeIdFallsBackAndItsClientsReHandshakeElsewhere() {
        Net n = Net.V4;
        try (Dataplane dp = create(LIMITS)) {
            dp.configure(dtls(n, SIX, 3));
            Endpoint client = n.client(4);
            toServer(dp, cidRecord(n, client, 2), n.rs(1), Reason.INGRESS_CID_ROUTED);
            // server 1 removed (or down: its service's effective list lacks it, the same to the data path)
            DataplaneConfig without = dp.configuration().withServices(List.of(dp.configuration().services().get(0)
                    .withRealServers(List.of(new RealServer(n.rs(0), 1, 1), new RealServer(n.rs(2), 1, 3)))));
            dp.configure(without);
            toServer(dp, cidRecord(n, client, 2), n.rs(0), Reason.INGRESS_CID_UNKNOWN_NODE);
            assertThat(bindings(dp)).containsExactly(bound("dtls", client, n.rs(0)));
            // health: server 3 down, on-down move
            Health health = Health.allUp().with(new ServerRef("dtls", n.rs(2)), Health.State.DOWN);
            dp.configure(health.effective(without));
            toServer(dp, cidRecord(n, n.client(5), 3), n.rs(0), Reason.INGRESS_CID_UNKNOWN_NODE);
            toServer(dp, cidRecord(n, client, 1), n.rs(0), Reason.INGRESS_CID_ROUTED);
        }
    }

    @Test
    void recordsWithoutAWholeConnectionIdAreBalancedAsBefore() {
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(dtls(n, SIX, 3));
                Endpoint client = n.client(6);
                byte[] cut = java.util.Arrays.copyOf(record(25, cid(6, 2)), 11 + 5); // one byte of the CID short
                toServer(dp, toVip(n, client, cut), n.rs(0), Reason.INGRESS_NEW_NAT);
                byte[] exact = java.util.Arrays.copyOf(record(25, cid(6, 2)), 11 + 6); // the CID and nothing else
                toServer(dp, toVip(n, client, exact), n.rs(1), Reason.INGRESS_CID_ROUTED);
                toServer(dp, toVip(n, client, record(23, cid(6, 3))), n.rs(1), Reason.INGRESS_REUSED_NAT);
                byte[] dtls10 = record(25, cid(6, 3));
                dtls10[2] = (byte) 0xff; // DTLS 1.0's 254.255
                toServer(dp, toVip(n, client, dtls10), n.rs(1), Reason.INGRESS_REUSED_NAT);
                toServer(dp, toVip(n, client, new byte[] {25}), n.rs(1), Reason.INGRESS_REUSED_NAT);
                toServer(dp, toVip(n, client, new byte[0]), n.rs(1), Reason.INGRESS_REUSED_NAT);
                toServer(dp, toVip(n, client, "GET /coap".getBytes()), n.rs(1), Reason.INGRESS_REUSED_NAT);
            }
        }
    }

    @Test
    void aServiceWithoutTheOptionBalancesCidRecordsAsBefore() {
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                dp.configure(n.config(3));
                toServer(dp, cidRecord(n, n.client(0), 2), n.rs(0), Reason.INGRESS_NEW_NAT);
                toServer(dp, cidRecord(n, n.client(0), 3), n.rs(0), Reason.INGRESS_REUSED_NAT);
                toServer(dp, cidRecord(n, n.client(1), 1), n.rs(1), Reason.INGRESS_NEW_NAT);
            }
        }
    }

    @Test
    void aNodeIdOfSeveralBytesAtAnOffsetIsReadBigEndian() {
        for (Net n : Net.values()) {
            try (Dataplane dp = create(LIMITS)) {
                List<RealServer> list = List.of(new RealServer(n.rs(0), 1, 0x0102), new RealServer(n.rs(1), 1, 0x0201),
                        new RealServer(n.rs(2), 1, 0x0303));
                dp.configure(DataplaneConfig.of(List.of(Service.of("dtls", n.vip, Set.of(Net.PORT), list,
                        new DtlsCid(8, 3, 2)))));
                byte[] c = cid(8, 0x77);
                c[3] = 2;
                c[4] = 1;
                toServer(dp, toVip(n, n.client(0), record(25, c)), n.rs(1), Reason.INGRESS_CID_ROUTED);
                c[3] = 1;
                c[4] = 2;
                toServer(dp, toVip(n, n.client(0), record(25, c)), n.rs(0), Reason.INGRESS_CID_ROUTED);
                List<RealServer> wider = List.of(list.get(0), list.get(1), new RealServer(n.rs(2), 1, 0xfffefdfcL));
                dp.configure(DataplaneConfig.of(List.of(Service.of("dtls", n.vip, Set.of(Net.PORT), wider,
                        new DtlsCid(255, 251, 4)))));
                byte[] wide = cid(255, 0);
                wide[251] = (byte) 0xff;
                wide[252] = (byte) 0xfe;
                wide[253] = (byte) 0xfd;
                wide[254] = (byte) 0xfc;
                toServer(dp, toVip(n, n.client(1), record(25, wide)), n.rs(2), Reason.INGRESS_CID_ROUTED);
                assertThat(bindings(dp)).containsExactlyInAnyOrder(bound("dtls", n.client(0), n.rs(0)),
                        bound("dtls", n.client(1), n.rs(2)));
            }
        }
    }
}
