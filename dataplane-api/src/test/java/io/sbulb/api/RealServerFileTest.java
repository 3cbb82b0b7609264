package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealServerFileTest {

    @TempDir
    Path dir;

    @Test
    void addressesComeInFileOrderWithoutCommentsAndBlankLines() throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.writeString(f, "# fleet\n\n198.18.1.2\n   198.18.1.1  # rack 1\n\t\n  # gone: 198.18.1.9\nfd00:1::1\n");
        assertThat(RealServerFile.read(f)).containsExactly(IpAddress.parse("198.18.1.2"), IpAddress.parse("198.18.1.1"),
                IpAddress.parse("fd00:1::1"));
    }

    @Test
    void aFileOfCommentsIsAnEmptyList() throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.writeString(f, "# nobody serves today\n");
        assertThat(RealServerFile.read(f)).isEmpty();
    }

    @Test
    void aBadLineIsNamedByNumberAndText() {
        assertThatThrownBy(() -> RealServerFile.parse(List.of("198.18.1.1", "", "server-3"), "rs.cfg"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rs.cfg line 3: 'server-3' is not an IPv4 or IPv6 address literal");
        assertThatThrownBy(() -> RealServerFile.parse(List.of("198.18.1.1 198.18.1.2"), "rs.cfg"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("rs.cfg line 1: '198.18.1.1 198.18.1.2'");
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
        // a device never ends: it is read only up to the bound
        assertThatThrownBy(() -> RealServerFile.read(Path.of("/dev/zero"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("longer than");
    }

    @Test
    void windowsLineEndsAndAByteOrderMarkAreIgnored() throws IOException {
        Path f = dir.resolve("rs.cfg");
        Files.write(f, "\uFEFF198.18.1.1\r\n198.18.1.2\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(RealServerFile.read(f)).containsExactly(IpAddress.parse("198.18.1.1"), IpAddress.parse("198.18.1.2"));
    }
}
