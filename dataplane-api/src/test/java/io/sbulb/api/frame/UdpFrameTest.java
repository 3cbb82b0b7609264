package io.sbulb.api.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.Endpoint;
import io.sbulb.api.Frame;
import io.sbulb.api.testing.Privileges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The oracle itself is checked against an independent one: Scapy builds the same frames, and
 * the bytes (checksums included) must be identical.
 */
class UdpFrameTest {

    private static final String PYTHON = "/usr/bin/python3";

    private static UdpFrame.Builder v4() {
        return UdpFrame.builder().source("198.18.2.1", 40000).destination("198.18.0.1", 5683);
    }

    private static UdpFrame.Builder v6() {
        return UdpFrame.builder().source("fd00:2::1", 40000).destination("fd00::1", 5683);
    }

    private static List<UdpFrame> cases() {
        return List.of(
                v4().build(),
                v4().payload("hello".getBytes()).ttl(1).build(),
                v4().payload(new byte[] {(byte) 0xff, (byte) 0xff, 0, 1, 2, 3}).ipv4Id(0xbeef).tos(0xb8).build(),
                v4().ipv4Options(new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}).payload("opt".getBytes()).build(),
                v4().checksum(UdpFrame.ChecksumMode.ZERO).payload("zero".getBytes()).build(),
                v4().ipv4FlagsFragment(0x2000).payload("frag".getBytes()).build(),
                v6().build(),
                v6().payload("odd".getBytes()).ttl(255).build(),
                v6().tos(0x2e).flowLabel(0x12345).payload(new byte[1300]).build());
    }

    @Test
    @Timeout(60)
    void framesAreByteForByteWhatScapyBuilds() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            Privileges.skipOrFail(PYTHON + " is missing (ci/install-deps.sh installs python3-scapy)");
        }
        StringBuilder script = new StringBuilder("import logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
                + "from scapy.all import Ether, IP, IPv6, UDP, Raw, IPOption\n");
        for (UdpFrame f : cases()) {
            script.append("print(bytes(").append(scapy(f)).append(").hex())\n");
        }
        Path file = Files.createTempFile("sbulb-scapy", ".py");
        try {
            Files.writeString(file, script);
            Process p = new ProcessBuilder(PYTHON, file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            if (p.exitValue() != 0 && out.isEmpty()) {
                Privileges.skipOrFail("Scapy is not importable by " + PYTHON + " (ci/install-deps.sh installs python3-scapy)");
            }
            List<String> lines = out.lines().toList();
            List<UdpFrame> cases = cases();
            assertThat(lines).hasSize(cases.size());
            for (int i = 0; i < cases.size(); i++) {
                assertThat(cases.get(i).toFrame().toHex()).as("frame %s", cases.get(i)).isEqualTo(lines.get(i));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String scapy(UdpFrame f) {
        Frame frame = f.toFrame();
        byte[] b = frame.bytes();
        String mac = "Ether(src='" + HexFormat.ofDelimiter(":").formatHex(f.srcMac()) + "', dst='"
                + HexFormat.ofDelimiter(":").formatHex(f.dstMac()) + "')";
        String ip;
        if (f.family() == 4) {
            int flagsFrag = ((b[20] & 0xff) << 8) | (b[21] & 0xff);
            int hl = (b[14] & 0xf) * 4;
            String options = hl > 20 ? ", options=[IPOption(bytes.fromhex('"
                    + HexFormat.of().formatHex(b, 34, 14 + hl) + "'))]" : "";
            ip = "IP(src='" + f.source().address() + "', dst='" + f.destination().address() + "', ttl=" + f.ttl()
                    + ", id=" + (((b[18] & 0xff) << 8) | (b[19] & 0xff)) + ", tos=" + (b[15] & 0xff)
                    + ", flags=" + (flagsFrag >>> 13) + ", frag=" + (flagsFrag & 0x1fff) + options + ")";
        } else {
            int tc = ((b[14] & 0xf) << 4) | ((b[15] & 0xff) >>> 4);
            int fl = ((b[15] & 0xf) << 16) | ((b[16] & 0xff) << 8) | (b[17] & 0xff);
            ip = "IPv6(src='" + f.source().address() + "', dst='" + f.destination().address() + "', hlim=" + f.ttl()
                    + ", tc=" + tc + ", fl=" + fl + ")";
        }
        int udpOff = frame.length() - 8 - f.payload().length;
        boolean zero = b[udpOff + 6] == 0 && b[udpOff + 7] == 0;
        String udp = "UDP(sport=" + f.source().port() + ", dport=" + f.destination().port() + (zero ? ", chksum=0" : "")
                + ")";
        String raw = f.payload().length == 0 ? "" : "/Raw(bytes.fromhex('" + HexFormat.of().formatHex(f.payload()) + "'))";
        return mac + "/" + ip + "/" + udp + raw;
    }

    @Test
    void parseReadsBackEveryField() {
        for (UdpFrame f : cases()) {
            UdpFrame back = UdpFrame.parse(f.toFrame());
            assertThat(back.toFrame()).as("%s", f).isEqualTo(f.toFrame());
            assertThat(UdpFrame.checksumsValid(f.toFrame())).isTrue();
        }
    }

    /** RFC 1071 §3's worked example: the words 0001 f203 f4f5 f6f7 sum to ddf2. */
    @Test
    void checksumSumMatchesRfc1071Example() {
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(Checksums.sum(data, 0, data.length, 0)).isEqualTo(0xddf2);
    }

    @Test
    void aDamagedFrameFailsTheChecksumCheck() {
        byte[] b = v4().payload("hello".getBytes()).build().toFrame().bytes();
        b[b.length - 1] ^= 1;
        assertThat(UdpFrame.checksumsValid(Frame.of(b))).isFalse();
    }

    @Test
    void framesThatAreNotUdpAreRefusedClearly() {
        assertThatThrownBy(() -> UdpFrame.parse(Frame.of(new byte[5]))).hasMessageContaining("5 bytes");
        assertThatThrownBy(() -> UdpFrame.builder().source(Endpoint.of("198.18.0.1", 1))
                .destination(Endpoint.of("fd00::1", 1)).build()).hasMessageContaining("differ in family");
    }
}
