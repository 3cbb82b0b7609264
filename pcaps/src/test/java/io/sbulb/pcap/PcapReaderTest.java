package io.sbulb.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.pcap.testing.PcapBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapReaderTest {

    private static final byte[] FRAME = frame(60);

    @TempDir
    Path dir;

    private static byte[] frame(int length) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (i * 7 + 1);
        }
        return f;
    }

    private Path file(byte[] bytes) throws IOException {
        Path p = dir.resolve("capture.pcap");
        Files.write(p, bytes);
        return p;
    }

    private static void readAll(PcapReader r) {
        while (r.next().isPresent()) {
            // reading is the test
        }
    }

    @Test
    void recordsComeBackWithTheirBytesTimestampsAndNumbers() throws IOException {
        Path p = file(PcapBytes.ethernet().record(1764000000, 0, FRAME).record(1764000001, 250, frame(14)).bytes());
        try (PcapReader r = PcapReader.open(p)) {
            CapturedFrame a = r.next().orElseThrow();
            CapturedFrame b = r.next().orElseThrow();
            assertThat(r.next()).isEmpty();
            assertThat(a.record()).isEqualTo(1);
            assertThat(a.bytes()).isEqualTo(FRAME);
            assertThat(a.timestamp()).isEqualTo(Instant.ofEpochSecond(1764000000));
            assertThat(b.record()).isEqualTo(2);
            assertThat(b.bytes()).hasSize(14);
            assertThat(b.timestamp()).isEqualTo(Instant.ofEpochSecond(1764000001, 250_000));
            assertThat(r.precision()).isEqualTo(TimestampPrecision.MICRO);
            assertThat(r.recordsRead()).isEqualTo(2);
        }
    }

    @Test
    void aRecordCutBySnapLengthKeepsItsOriginalLength() throws IOException {
        Path p = file(PcapBytes.ethernet().record(1, 0, 20, 1500, Arrays.copyOf(FRAME, 20)).bytes());
        try (PcapReader r = PcapReader.open(p)) {
            CapturedFrame f = r.next().orElseThrow();
            assertThat(f.bytes()).hasSize(20);
            assertThat(f.originalLength()).isEqualTo(1500);
            assertThat(f.cut()).isTrue();
        }
    }

    @Test
    void aTruncatedRecordIsNamedWithTheGoodOnesBeforeIt() throws IOException {
        byte[] whole = PcapBytes.ethernet().record(1, 0, FRAME).record(2, 0, FRAME).record(3, 0, FRAME).bytes();
        Path p = file(Arrays.copyOf(whole, whole.length - 5));
        try (PcapReader r = PcapReader.open(p)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(PcapException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("record 3 cannot be read (after 2 good records)")
                    .hasMessageContaining("truncated")
                    .hasMessageNotContaining("pcap_next_ex");
        }
    }

    @Test
    void aTruncatedRecordHeaderIsNamed() throws IOException {
        Path p = file(PcapBytes.ethernet().record(1, 0, FRAME).raw(new byte[7]).bytes());
        try (PcapReader r = PcapReader.open(p)) {
            assertThat(r.next()).isPresent();
            assertThatThrownBy(r::next).isInstanceOf(PcapException.class)
                    .hasMessageContaining("record 2 cannot be read (after 1 good records)")
                    .hasMessageContaining("header");
        }
    }

    @Test
    void aCapturedLengthBeyondAnyLimitIsNamed() throws IOException {
        Path p = file(PcapBytes.ethernet().record(1, 0, FRAME).record(2, 0, 100_000_000, 100_000_000, FRAME).bytes());
        try (PcapReader r = PcapReader.open(p)) {
            assertThat(r.next()).isPresent();
            assertThatThrownBy(r::next).isInstanceOf(PcapException.class)
                    .hasMessageContaining("record 2").hasMessageContaining("100000000");
        }
    }

    @Test
    void anEmptyFileIsNotACapture() throws IOException {
        Path p = file(new byte[0]);
        assertThatThrownBy(() -> PcapReader.open(p)).isInstanceOf(PcapException.class)
                .hasMessage("capture " + p + " is empty (0 bytes): not a pcap or pcapng file");
    }

    @Test
    void aShortOrForeignFileHeaderIsRefusedOnOpen() throws IOException {
        Path shortHeader = file(Arrays.copyOf(PcapBytes.ethernet().bytes(), 10));
        assertThatThrownBy(() -> PcapReader.open(shortHeader)).isInstanceOf(PcapException.class)
                .hasMessageContaining("cannot read capture " + shortHeader).hasMessageContaining("truncated");
        Path text = file("this is not a capture at all, just text\n".getBytes());
        assertThatThrownBy(() -> PcapReader.open(text)).isInstanceOf(PcapException.class)
                .hasMessageContaining("unknown file format");
    }

    @Test
    void onlyEthernetCapturesAreReplayed() throws IOException {
        Path p = file(PcapBytes.linkType(PcapBytes.LINKTYPE_LINUX_SLL).record(1, 0, FRAME).bytes());
        assertThatThrownBy(() -> PcapReader.open(p)).isInstanceOf(PcapException.class)
                .hasMessageContaining("link type").hasMessageContaining("(113)")
                .hasMessageContaining("only Ethernet captures (EN10MB, 1)");
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() {
        Path missing = dir.resolve("nope.pcap");
        assertThatThrownBy(() -> PcapReader.open(missing)).isInstanceOf(PcapException.class)
                .hasMessage("capture " + missing + " does not exist or cannot be read");
        assertThatThrownBy(() -> PcapReader.open(dir)).isInstanceOf(PcapException.class)
                .hasMessage("capture " + dir + " is a directory, not a pcap file");
    }

    @Test
    void writtenFramesReadBackWithTheirNanosecondTimestamps() {
        Path p = dir.resolve("nano.pcap");
        Instant t = Instant.ofEpochSecond(1764000000, 123_456_789);
        try (PcapWriter w = PcapWriter.create(p, TimestampPrecision.NANO)) {
            w.write(t, FRAME);
            assertThat(w.recordsWritten()).isEqualTo(1);
        }
        try (PcapReader r = PcapReader.open(p)) {
            assertThat(r.precision()).isEqualTo(TimestampPrecision.NANO);
            Optional<CapturedFrame> f = r.next();
            assertThat(f).isPresent();
            assertThat(f.get().timestamp()).isEqualTo(t);
            assertThat(f.get().bytes()).isEqualTo(FRAME);
        }
    }

    @Test
    void aPcapInAMissingDirectoryCannotBeCreated() {
        Path p = dir.resolve("no/such/dir/out.pcap");
        assertThatThrownBy(() -> PcapWriter.create(p, TimestampPrecision.MICRO)).isInstanceOf(PcapException.class)
                .hasMessageContaining("cannot create pcap " + p);
    }
}
