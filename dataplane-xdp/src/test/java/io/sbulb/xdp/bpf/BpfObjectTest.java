package io.sbulb.xdp.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.testing.Privileges;
import org.junit.jupiter.api.Test;

/** The libbpf binding turns every failure into an exception naming the operation and errno. */
class BpfObjectTest {

    private static byte[] resource(String name) {
        return PackagedObject.read(BpfObjectTest.class, "/io/sbulb/xdp/" + name).image(); // compiled by the Maven build
    }

    @Test
    void openingSomethingThatIsNotElfNamesTheObjectAndErrno() {
        assertThatThrownBy(() -> BpfObject.openMem("garbage", "not an ELF object".getBytes()))
                .isInstanceOf(BpfException.class)
                .hasMessageStartingWith("open BPF object garbage: ")
                .satisfies(e -> assertThat(((BpfException) e).errno()).isPositive());
    }

    @Test
    void aProgramTheVerifierRejectsFailsToLoadWithTheVerifierLog() {
        Privileges.requireBpf();
        try (BpfObject obj = BpfObject.openMem("rejected", resource("rejected.bpf.o"))) {
            assertThatThrownBy(obj::load)
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("load BPF object rejected: Permission denied (errno 13)")
                    .satisfies(e -> {
                        BpfException b = (BpfException) e;
                        assertThat(b.errno()).isEqualTo(13);
                        assertThat(b.log()).contains("BEGIN PROG LOAD LOG").contains("invalid access to packet");
                        assertThat(b.getMessage()).contains("invalid access to packet");
                    });
            assertThat(obj.loaded()).isFalse();
        }
    }

    @Test
    void mapsCannotBeResizedAfterLoadNorUsedBefore() {
        Privileges.requireBpf();
        try (BpfObject obj = BpfObject.openMem("sbulb", io.sbulb.xdp.SbulbProgram.objectImage())) {
            assertThatThrownBy(() -> obj.map("sbulb_assoc4")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not loaded");
            assertThatThrownBy(() -> obj.setMaxEntries("no_such_map", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no_such_map");
            obj.setMaxEntries("sbulb_assoc4", 0);
            assertThatThrownBy(obj::load).isInstanceOf(BpfException.class).hasMessageContaining("load BPF object sbulb");
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        BpfObject obj = BpfObject.openMem("sbulb", io.sbulb.xdp.SbulbProgram.objectImage());
        obj.close();
        obj.close();
        assertThatThrownBy(obj::maps).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
