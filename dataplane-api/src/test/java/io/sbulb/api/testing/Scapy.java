package io.sbulb.api.testing;

import io.sbulb.api.Frame;
import io.sbulb.api.frame.IcmpErrorFrame;
import io.sbulb.api.frame.UdpFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scapy as the tests' independent packet oracle: Python expressions that build packets, each
 * evaluated by Scapy into its bytes (checksums and lengths Scapy computes itself). Without
 * python3 or Scapy the test is skipped with the reason, a failure under {@code CI=true}.
 */
public final class Scapy {

    private static final String PYTHON = "/usr/bin/python3";

    private Scapy() {
    }

    /**
     * The bytes, as lower-case hex, of each expression (e.g. {@code Ether()/IP()/UDP()}), in order.
     * The names of {@code scapy.all} are in scope.
     */
    public static List<String> hex(List<String> expressions) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            Privileges.skipOrFail(PYTHON + " is missing (ci/install-deps.sh installs python3-scapy)");
        }
        StringBuilder script = new StringBuilder("import logging\nlogging.getLogger('scapy').setLevel(logging.ERROR)\n"
                + "from scapy.all import *\n");
        for (String e : expressions) {
            script.append("print(bytes(").append(e).append(").hex())\n");
        }
        Path file = Files.createTempFile("sbulb-scapy", ".py");
        try {
            Files.writeString(file, script);
            Process p = new ProcessBuilder(PYTHON, file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("Scapy did not finish within 60 s");
            }
            if (p.exitValue() != 0 && out.isEmpty()) {
                Privileges.skipOrFail("Scapy is not importable by " + PYTHON + " (ci/install-deps.sh installs python3-scapy)");
            }
            List<String> lines = out.lines().toList();
            if (p.exitValue() != 0 || lines.size() != expressions.size()) {
                throw new AssertionError("Scapy exited " + p.exitValue() + " after " + lines.size() + " of "
                        + expressions.size() + " packets; script:\n" + script);
            }
            return lines;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The frame as a Scapy expression, every length and checksum left for Scapy to compute. */
    public static String udp(UdpFrame f) {
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

    /**
     * The ICMP error as a Scapy expression: the outer headers by their fields, the quoted datagram
     * built whole by Scapy ({@link #udp}, its checksums Scapy's) and cut to the error's quote length;
     * every length and checksum (outer IPv4 header, ICMP, ICMPv6 with its pseudo-header) left to Scapy.
     */
    public static String icmpError(IcmpErrorFrame f) {
        String mac = "Ether(src='" + HexFormat.ofDelimiter(":").formatHex(f.srcMac()) + "', dst='"
                + HexFormat.ofDelimiter(":").formatHex(f.dstMac()) + "')";
        String quoted = udp(f.quoted());
        String quote = "Raw(bytes(" + quoted + ")[14:" + (f.quoteBytes() < 0 ? "" : Integer.toString(14 + f.quoteBytes())) + "])";
        String ip;
        String icmp;
        if (f.family() == 4) {
            ip = "IP(src='" + f.from() + "', dst='" + f.to() + "', ttl=" + f.ttl() + ", id=0, flags=0)";
            icmp = f.type() == IcmpErrorFrame.V4_DEST_UNREACHABLE
                    ? "ICMP(type=3, code=" + f.code() + ", unused=" + (f.rest() >>> 16) + ", nexthopmtu=" + (f.rest() & 0xffff) + ")"
                    : "ICMP(type=" + f.type() + ", code=" + f.code() + ", unused=" + f.rest() + ")";
        } else {
            ip = "IPv6(src='" + f.from() + "', dst='" + f.to() + "', hlim=" + f.ttl() + ")";
            icmp = switch (f.type()) {
                case IcmpErrorFrame.V6_PACKET_TOO_BIG -> "ICMPv6PacketTooBig(code=" + f.code() + ", mtu=" + f.rest() + ")";
                case IcmpErrorFrame.V6_DEST_UNREACHABLE -> "ICMPv6DestUnreach(code=" + f.code() + ", unused=" + f.rest() + ")";
                case IcmpErrorFrame.V6_TIME_EXCEEDED -> "ICMPv6TimeExceeded(code=" + f.code() + ", unused=" + f.rest() + ")";
                default -> throw new IllegalArgumentException("no Scapy class for ICMPv6 type " + f.type());
            };
        }
        return mac + "/" + ip + "/" + icmp + "/" + quote;
    }
}
