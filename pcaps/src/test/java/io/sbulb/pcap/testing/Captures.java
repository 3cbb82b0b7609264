package io.sbulb.pcap.testing;

import io.sbulb.pcap.CapturedFrame;
import io.sbulb.pcap.PcapReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Whole captures read for assertions. */
public final class Captures {

    private Captures() {
    }

    /** Every record of {@code pcap}, read with {@link PcapReader}. */
    public static List<CapturedFrame> read(Path pcap) {
        List<CapturedFrame> list = new ArrayList<>();
        try (PcapReader r = PcapReader.open(pcap)) {
            for (Optional<CapturedFrame> f = r.next(); f.isPresent(); f = r.next()) {
                list.add(f.get());
            }
        }
        return list;
    }

    /** The records' bytes in hex, one string per record. */
    public static List<String> hex(List<CapturedFrame> frames) {
        return frames.stream().map(f -> HexFormat.of().formatHex(f.bytes())).toList();
    }
}
