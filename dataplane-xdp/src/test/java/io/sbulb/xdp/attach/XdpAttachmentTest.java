package io.sbulb.xdp.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sbulb.api.ConfigException;
import io.sbulb.api.Limits;
import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.SbulbProgramSpec;
import io.sbulb.xdp.XdpLiveDataplane;
import io.sbulb.xdp.net.NetInterface;
import io.sbulb.xdp.testing.PassProgram;
import io.sbulb.xdp.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Attaching to live interfaces, each test in a namespace of its own (veth pair va/vb, and an
 * interface whose driver has no native XDP). bpftool and ip link, not sbulb, say what is attached.
 */
@Timeout(60)
class XdpAttachmentTest {

    private static final int EOPNOTSUPP = 95;
    private static final int EBUSY = 16;

    private TestNetns ns;
    private String plainType;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger attachLogger = (Logger) LoggerFactory.getLogger(XdpAttachment.class);

    @TempDir
    Path tmp;

    @BeforeEach
    void lab() {
        Privileges.requireNetAdmin();
        ns = TestNetns.create("attach");
        ns.addVethPair("va", "vb");
        plainType = ns.addInterfaceWithoutNativeXdp("plain0");
        log.start();
        attachLogger.addAppender(log);
    }

    @AfterEach
    void removeLab() {
        attachLogger.detachAppender(log);
        if (ns != null) {
            ns.close();
        }
    }

    private NetInterface nif(String dev) {
        return ns.call(() -> NetInterface.byName(dev));
    }

    /** Attaches from a thread inside the namespace, as the interface requires. */
    private XdpAttachment attach(PassProgram p, String dev, AttachOptions opts) {
        NetInterface nif = nif(dev);
        return ns.call(() -> p.attach(nif, opts));
    }

    /** Attaches the pass program through netlink with ip link, as another tool would; returns its id. */
    private int attachWithIpLink(String dev, XdpMode mode) throws IOException {
        Path obj = tmp.resolve("xdp_pass.bpf.o");
        Files.write(obj, PassProgram.objectImage());
        ns.ip("link", "set", "dev", dev, mode.ipLinkWord(), "obj", obj.toString(), "sec", "xdp");
        List<com.fasterxml.jackson.databind.JsonNode> seen = ns.bpftoolXdp(dev);
        assertThat(seen).hasSize(1);
        return seen.get(0).path("id").asInt();
    }

    private void assertAttached(String dev, int progId, XdpMode mode) {
        ns.assertXdp(dev, progId, mode.bpftoolWord(), mode.attachedCode());
    }

    @Test
    void nativeAttachOnVethRunsOurProgramInDriverModeAndCloseDetachesIt() {
        try (XdpLiveDataplane dp = ns.call(() -> XdpLiveDataplane.load(SbulbProgramSpec.of(Limits.DEFAULT)))) {
            int ours = dp.programInfo().id();
            XdpAttachment a = dp.attach(nif("va"), AttachOptions.DEFAULT);
            assertThat(a.mode()).isEqualTo(XdpMode.NATIVE);
            assertThat(a.programId()).isEqualTo(ours);
            assertThat(a.linkId()).isPositive();
            assertThat(a.replaced()).isEmpty();
            assertThat(a.netInterface().name()).isEqualTo("va");
            assertAttached("va", ours, XdpMode.NATIVE);
            assertThat(ns.exec("bpftool", "link", "show", "id", Integer.toString(a.linkId())))
                    .contains("xdp").contains("prog " + ours);
            a.close();
            ns.assertNoXdp("va");
            a.close(); // idempotent
            assertThat(a.isClosed()).isTrue();
        }
    }

    @Test
    void theWatchdogNamesAProgramDetachedBehindItsBack() {
        try (XdpLiveDataplane dp = ns.call(() -> XdpLiveDataplane.load(SbulbProgramSpec.of(Limits.DEFAULT)))) {
            ns.run(dp::checkRunning); // not attached yet: nothing to watch
            XdpAttachment a = dp.attach(nif("va"), AttachOptions.DEFAULT);
            ns.run(dp::checkRunning); // the watchdog runs in the interface's namespace, as sbulb does
            ns.exec("bpftool", "link", "detach", "id", Integer.toString(a.linkId()));
            assertThatThrownBy(() -> ns.run(dp::checkRunning)).isInstanceOf(io.sbulb.api.DataplaneFailure.class)
                    .hasMessage("XDP program " + a.programId() + " is no longer attached to va (no XDP program "
                            + "there now): something else detached it");
        }
        ns.assertNoXdp("va");
    }

    @Test
    void closingTheDataplaneDetachesWhatItAttached() {
        XdpLiveDataplane dp = ns.call(() -> XdpLiveDataplane.load(SbulbProgramSpec.of(Limits.DEFAULT)));
        try {
            XdpAttachment a = dp.attach(nif("va"), AttachOptions.mode(ModeChoice.GENERIC));
            assertAttached("va", a.programId(), XdpMode.GENERIC);
        } finally {
            dp.close();
        }
        ns.assertNoXdp("va");
    }

    @Test
    void autoFallsBackToGenericWithAWarningWhereTheDriverHasNoNativeXdp() {
        try (PassProgram p = PassProgram.load(); XdpAttachment a = attach(p, "plain0", AttachOptions.DEFAULT)) {
            assertThat(a.mode()).isEqualTo(XdpMode.GENERIC);
            assertAttached("plain0", p.id(), XdpMode.GENERIC);
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().asString()
                    .contains("plain0").contains("native").contains("errno " + EOPNOTSUPP).contains("generic");
            System.out.printf("%s: native XDP refused with errno %d: %s%n", plainType, EOPNOTSUPP,
                    log.list.get(0).getFormattedMessage());
        }
        ns.assertNoXdp("plain0");
    }

    @Test
    void nativeForcedWhereTheDriverHasNoNativeXdpFailsAndLeavesNoProgram() {
        try (PassProgram p = PassProgram.load()) {
            assertThatThrownBy(() -> attach(p, "plain0", AttachOptions.mode(ModeChoice.NATIVE)))
                    .isInstanceOf(AttachException.class)
                    .hasMessage("plain0 cannot run XDP in native mode, its driver refuses (Operation not supported "
                            + "(errno 95)); choose generic or auto mode")
                    .satisfies(e -> assertThat(((AttachException) e).errno()).isEqualTo(EOPNOTSUPP))
                    .satisfies(e -> assertThat(((AttachException) e).attached()).isEmpty());
            ns.assertNoXdp("plain0");
        }
    }

    @ParameterizedTest(name = "attached by ip link in {0} mode")
    @EnumSource(XdpMode.class)
    void aProgramAlreadyAttachedIsRefusedByIdAndNameAndStays(XdpMode mode) throws IOException {
        int theirs = attachWithIpLink("va", mode);
        try (PassProgram p = PassProgram.load()) {
            assertThatThrownBy(() -> attach(p, "va", AttachOptions.DEFAULT))
                    .isInstanceOf(AttachException.class)
                    .hasMessage("va already has XDP program " + theirs + " 'xdp_pass' attached (" + mode.word()
                            + " mode); give --replace to replace it")
                    .satisfies(e -> assertThat(((AttachException) e).attached())
                            .contains(new AttachedProgram(theirs, "xdp_pass", mode)));
            assertAttached("va", theirs, mode);
        }
    }

    @ParameterizedTest(name = "attached by ip link in {0} mode")
    @EnumSource(XdpMode.class)
    void replaceSwapsANetlinkAttachedProgramAndCloseThenLeavesNone(XdpMode mode) throws IOException {
        int theirs = attachWithIpLink("va", mode);
        try (XdpLiveDataplane dp = ns.call(() -> XdpLiveDataplane.load(SbulbProgramSpec.of(Limits.DEFAULT)))) {
            XdpAttachment a = dp.attach(nif("va"), AttachOptions.DEFAULT.withReplace(true));
            assertThat(a.replaced()).contains(new AttachedProgram(theirs, "xdp_pass", mode));
            assertAttached("va", dp.programInfo().id(), XdpMode.NATIVE);
            a.close();
            ns.assertNoXdp("va");
        }
    }

    @Test
    void aFailedReplacementAttachesTheOldProgramAgainInItsMode() throws IOException {
        int theirs = attachWithIpLink("plain0", XdpMode.GENERIC);
        try (PassProgram p = PassProgram.load()) {
            assertThatThrownBy(() -> attach(p, "plain0", new AttachOptions(ModeChoice.NATIVE, true)))
                    .isInstanceOf(AttachException.class)
                    .hasMessageContaining("plain0 cannot run XDP in native mode");
            assertAttached("plain0", theirs, XdpMode.GENERIC);
        }
    }

    @Test
    void aProgramHeldByALinkCannotBeReplacedAndStays() {
        try (PassProgram first = PassProgram.load(); XdpAttachment held = attach(first, "va", AttachOptions.DEFAULT);
             PassProgram second = PassProgram.load()) {
            assertThatThrownBy(() -> attach(second, "va", AttachOptions.DEFAULT.withReplace(true)))
                    .isInstanceOf(AttachException.class)
                    .hasMessage("cannot replace XDP program " + first.id() + " 'xdp_pass' attached (native mode) on va: "
                            + "it is held by a BPF link of another process, e.g. another sbulb: stop that process "
                            + "(the kernel refused to detach it: Device or resource busy (errno 16))")
                    .satisfies(e -> assertThat(((AttachException) e).errno()).isEqualTo(EBUSY))
                    .satisfies(e -> assertThat(((AttachException) e).log()).as("the kernel's own words")
                            .contains("Can't replace active BPF XDP link"))
                    .satisfies(e -> assertThat(((AttachException) e).attached()).map(AttachedProgram::id)
                            .contains(first.id()));
            assertAttached("va", first.id(), XdpMode.NATIVE);
            assertThat(held.isClosed()).isFalse();
        }
        ns.assertNoXdp("va");
    }

    @Test
    void anUnknownInterfaceIsAConfigErrorNamingIt() {
        assertThatThrownBy(() -> nif("eth9")).isInstanceOf(ConfigException.class)
                .hasMessage("no network interface 'eth9' here (ip link lists them)");
    }

    @Test
    void anInterfaceOfAnotherNamespaceIsNeverAttachedFromThisOne() {
        NetInterface va = nif("va");
        try (PassProgram p = PassProgram.load()) {
            assertThatThrownBy(() -> p.attach(va, AttachOptions.DEFAULT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("va (index " + va.index() + ")").hasMessageContaining(va.netns());
        }
        try (XdpLiveDataplane dp = XdpLiveDataplane.load(SbulbProgramSpec.of(Limits.DEFAULT))) { // its BPF thread is in this namespace
            assertThatThrownBy(() -> dp.attach(va, AttachOptions.DEFAULT))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("run in that namespace");
        }
        ns.assertNoXdp("va");
    }
}
