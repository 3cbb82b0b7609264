package io.sbulb.xdp.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.xdp.SbulbProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** A packaged BPF object is the build's file, byte for byte, with its hash; a missing one is named. */
class PackagedObjectTest {

    @Test
    void theImageIsTheCompiledFileAndItsHashIsItsSha256() throws Exception {
        PackagedObject o = PackagedObject.read(SbulbProgram.class, "sbulb.bpf.o");
        assertThat(o.resource()).isEqualTo("/io/sbulb/xdp/sbulb.bpf.o");
        byte[] built = Files.readAllBytes(Path.of("target/classes/io/sbulb/xdp/sbulb.bpf.o"));
        assertThat(o.image()).isEqualTo(built);
        assertThat(o.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(built)))
                .isEqualTo(SbulbProgram.objectSha256());
        assertThat(SbulbProgram.objectImage()).isEqualTo(built);
    }

    @Test
    void anAbsoluteNameIsTakenAsItIs() {
        assertThat(PackagedObject.read(PackagedObjectTest.class, "/io/sbulb/xdp/sbulb.bpf.o").image())
                .isEqualTo(SbulbProgram.objectImage());
    }

    @Test
    void theImageIsACopy() {
        PackagedObject o = PackagedObject.read(SbulbProgram.class, "sbulb.bpf.o");
        byte[] first = o.image();
        first[0] ^= 0x7f;
        assertThat(o.image()).isNotEqualTo(first);
    }

    @Test
    void aMissingObjectIsNamedWithItsPackage() {
        assertThatThrownBy(() -> PackagedObject.read(PackagedObjectTest.class, "nothing.bpf.o"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("BPF object /io/sbulb/xdp/bpf/nothing.bpf.o is missing from the classpath")
                .hasMessageContaining(PackagedObjectTest.class.getName());
    }
}
