package io.sbulb.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "198.18.0.1, 198.18.0.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "fd00::1, fd00::1",
            "FD00:0:0:0:0:0:0:1, fd00::1",
            "fd00:0:0:1:0:0:0:1, fd00:0:0:1::1",
            "fd00:0:0:1:0:0:1:1, fd00::1:0:0:1:1",
            "fd00:1:0:0:1:0:0:0, fd00:1:0:0:1::",
            "fd00:0:1:2:3:4:5:6, fd00:0:1:2:3:4:5:6",
            "::, ::",
            "::1, ::1"})
    void literalsParseAndPrintInCanonicalForm(String text, String canonical) {
        IpAddress a = IpAddress.parse(text);
        assertThat(a.toString()).isEqualTo(canonical);
        assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "1.2.3", "256.1.1.1", "01.2.3.4", "localhost", "cafe", "fd00::1::2", "1.2.3.4.5",
            "fd00::1%eth0", "::ffff:198.18.0.1", " "})
    void anythingButAStrictLiteralIsRefusedNamingTheText(String text) {
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text.trim());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"198.18.0.1", "fd00::1"})
    void paddedFormHasSixteenBytesWithTheAddressFirst(String text) {
        IpAddress a = IpAddress.parse(text);
        byte[] padded = a.toPadded16();
        assertThat(padded).hasSize(16).startsWith(a.bytes());
    }
}
