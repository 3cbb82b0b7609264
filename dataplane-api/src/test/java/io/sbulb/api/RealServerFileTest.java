package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RealServerFileTest {

    @TempDir
    Path dir;

    private static List<IpAddress> addresses(String... texts) {
        return Stream.of(texts).map(IpAddress::parse).toList();
    }

    @Test
    void theOriginalsExampleIsReadInFileOrder() throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.writeString(f, "[Real Servers]\n10.0.0.4\n10.0.0.2\n10.0.0.6\n");
        assertThat(RealServerFile.read(f)).containsExactly(IpAddress.parse("10.0.0.4"), IpAddress.parse("10.0.0.2"),
                IpAddress.parse("10.0.0.6"));
    }

    @Test
    void blankAndCommentLinesAreIgnoredAnywhere() {
        String text = """
                # the CoAP fleet
                ; configparser's other comment prefix

                [Real Servers]
                  # rack 1
                   198.18.1.2\t
                \t
                ; gone: 198.18.1.9
                198.18.1.1
                fd00:1::1
                # the end, without a line end""";
        assertThat(RealServerFile.parse(text, "rs.cfg")).isEqualTo(addresses("198.18.1.2", "198.18.1.1", "fd00:1::1"));
    }

    @Test
    void otherSectionsAreIgnoredBeforeAndAfter() {
        String text = "[Balancer]\nmode = coap\n10.9.9.9\n[Real Servers]\n198.18.1.1\n198.18.1.2\n"
                + "[Later]\nx = 1\n10.9.9.8\n";
        assertThat(RealServerFile.parse(text, "rs.cfg")).isEqualTo(addresses("198.18.1.1", "198.18.1.2"));
    }

    @Test
    void windowsLineEndsAndAByteOrderMarkAreIgnored() throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.write(f, "\uFEFF[Real Servers]\r\n198.18.1.1\r\n198.18.1.2\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(RealServerFile.read(f)).isEqualTo(addresses("198.18.1.1", "198.18.1.2"));
        assertThat(RealServerFile.parse("\uFEFF[Real Servers]\r\n198.18.1.3\r\n", "rs.cfg"))
                .isEqualTo(addresses("198.18.1.3"));
    }

    static Stream<Arguments> refusedFiles() {
        return Stream.of(
                Arguments.of("no section at all",
                        "198.18.1.1\n",
                        "rs.cfg line 1: '198.18.1.1' comes before any section header: the addresses go under a line "
                                + "[Real Servers]"),
                Arguments.of("only comments",
                        "# nobody serves today\n",
                        "rs.cfg: no [Real Servers] section; the file must hold a line [Real Servers] followed by one "
                                + "real server address per line"),
                Arguments.of("an empty file",
                        "",
                        "rs.cfg: no [Real Servers] section; the file must hold a line [Real Servers] followed by one "
                                + "real server address per line"),
                Arguments.of("the section misspelt (names are case-sensitive)",
                        "[real servers]\n198.18.1.1\n",
                        "rs.cfg: no [Real Servers] section (found only [real servers]); the file must hold a line "
                                + "[Real Servers] followed by one real server address per line"),
                Arguments.of("a line before the first header",
                        "# fleet\n198.18.1.1\n[Real Servers]\n198.18.1.2\n",
                        "rs.cfg line 2: '198.18.1.1' comes before any section header: the addresses go under a line "
                                + "[Real Servers]"),
                Arguments.of("a bad address",
                        "[Real Servers]\n198.18.1.1\n\nserver-3\n",
                        "rs.cfg line 4: 'server-3' is not an IPv4 or IPv6 address literal"),
                Arguments.of("two addresses on a line",
                        "[Real Servers]\n198.18.1.1 198.18.1.2\n",
                        "rs.cfg line 2: '198.18.1.1 198.18.1.2' is not an IPv4 or IPv6 address literal"),
                Arguments.of("a comment after an address",
                        "[Real Servers]\n198.18.1.1   # rack 1\n",
                        "rs.cfg line 2: '198.18.1.1   # rack 1' is not an IPv4 or IPv6 address literal "
                                + "(a comment needs a line of its own)"),
                Arguments.of("an entry with a value",
                        "[Real Servers]\n198.18.1.1 = x\n",
                        "rs.cfg line 2: '198.18.1.1 = x' has a value: a real server is an address alone, without '='"),
                Arguments.of("an entry with an empty value",
                        "[Real Servers]\n198.18.1.1=\n",
                        "rs.cfg line 2: '198.18.1.1=' has a value: a real server is an address alone, without '='"),
                Arguments.of("the same address twice",
                        "[Real Servers]\n198.18.1.1\n198.18.1.2\n198.18.1.1\n",
                        "rs.cfg line 4: real server 198.18.1.1 is listed twice (lines 2 and 4)"),
                Arguments.of("the same IPv6 address in two spellings",
                        "[Real Servers]\nfd00:1::1\nFD00:1:0:0::1\n",
                        "rs.cfg line 3: real server fd00:1::1 is listed twice (lines 2 and 3)"),
                Arguments.of("the section twice",
                        "[Real Servers]\n198.18.1.1\n[Other]\n[Real Servers]\n198.18.1.2\n",
                        "rs.cfg line 4: section [Real Servers] appears twice (lines 1 and 4)"),
                Arguments.of("an IPv6 address in brackets",
                        "[Real Servers]\n[fd00:1::1]\n",
                        "rs.cfg line 2: '[fd00:1::1]' is a section header, not an address: write the address without "
                                + "brackets"),
                Arguments.of("an empty list",
                        "# fleet\n[Real Servers]\n# 198.18.1.1\n",
                        "rs.cfg line 2: no real server in [Real Servers]; give at least one address"),
                Arguments.of("an empty list, the addresses in another section",
                        "[Real Servers]\n[Spare]\n198.18.1.1\n",
                        "rs.cfg line 1: no real server in [Real Servers]; give at least one address"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedFiles")
    void aRefusedFileIsNamedWithTheLineAndTheReason(String description, String text, String message) {
        assertThatThrownBy(() -> RealServerFile.parse(text, "rs.cfg")).isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void readNamesTheFileInItsMessages() throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.writeString(f, "[Real Servers]\n198.18.1.256\n");
        assertThatThrownBy(() -> RealServerFile.read(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + " line 2: '198.18.1.256' is not an IPv4 or IPv6 address literal");
    }

    @Test
    void missingHugeAndBinaryFilesAreRefusedWithTheirName() throws IOException {
        Path missing = dir.resolve("none.cfg");
        assertThatThrownBy(() -> RealServerFile.read(missing)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read real-server file " + missing + ": no such file");
        assertThatThrownBy(() -> RealServerFile.read(dir)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read real-server file " + dir + ": it is a directory");
        Path binary = dir.resolve("binary.cfg");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertThatThrownBy(() -> RealServerFile.read(binary)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read real-server file " + binary + ": it is not UTF-8 text");
        Path huge = dir.resolve("huge.cfg");
        Files.write(huge, new byte[(int) RealServerFile.MAX_BYTES + 1]);
        assertThatThrownBy(() -> RealServerFile.read(huge)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read real-server file " + huge + ": it is longer than " + RealServerFile.MAX_BYTES
                        + " bytes, the most allowed");
        // a device is refused before it is opened
        assertThatThrownBy(() -> RealServerFile.read(Path.of("/dev/zero"))).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read real-server file /dev/zero: it is not a regular file (a FIFO, a device or a socket?)");
    }

    /** Opening a FIFO blocks until a writer comes: it is refused before it is opened, at once. */
    @Test
    @org.junit.jupiter.api.Timeout(10)
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("rs.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        assertThatThrownBy(() -> RealServerFile.read(fifo)).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read real-server file " + fifo + ": it is not a regular file (a FIFO, a device or a socket?)");
    }

    @Test
    void aFileOfMaxBytesIsStillRead() throws IOException {
        Path f = dir.resolve("rs.cfg");
        String head = "[Real Servers]\n198.18.1.1\n";
        String padding = "#".repeat((int) RealServerFile.MAX_BYTES - head.length() - 1) + "\n";
        Files.writeString(f, head + padding);
        assertThat(Files.size(f)).isEqualTo(RealServerFile.MAX_BYTES);
        assertThat(RealServerFile.read(f)).isEqualTo(addresses("198.18.1.1"));
    }
}
