package io.sbulb.xdp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sbulb.api.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Interface names are checked as the kernel checks them, before anything is asked of it. No privilege needed. */
class NetInterfaceTest {

    @Test
    void loopbackIsFoundInTheThreadsNamespace() {
        NetInterface lo = NetInterface.byName("lo");
        assertThat(lo.index()).isPositive();
        assertThat(lo.netns()).matches("net:\\[\\d+]").isEqualTo(NetInterface.currentNetns());
        lo.checkCurrentNetns("use");
    }

    @Test
    void anUnknownNameIsAConfigErrorNamingIt() {
        assertThatThrownBy(() -> NetInterface.byName("eth9")).isInstanceOf(ConfigException.class)
                .hasMessage("no network interface 'eth9' here (ip link lists them)");
    }

    @Test
    void aNameLongerThanTheKernelTakesIsRefusedWithTheLimit() {
        assertThatThrownBy(() -> NetInterface.byName("abcdefghijklmnop")).isInstanceOf(ConfigException.class)
                .hasMessage("network interface name 'abcdefghijklmnop' has 16 bytes, at most 15 allowed (IFNAMSIZ-1)");
        assertThatThrownBy(() -> NetInterface.byName("ééééééééé")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("has 18 bytes, at most 15");
        assertThat(NetInterface.byName("lo").name()).isEqualTo("lo");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"a/b", "a b", "a\tb", "a:b", ".", ".."})
    void aNameTheKernelWouldRefuseIsRefused(String name) {
        assertThatThrownBy(() -> NetInterface.byName(name)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'" + name + "'");
    }

    @Test
    void anEmptyNameIsRefused() {
        assertThatThrownBy(() -> NetInterface.byName("")).isInstanceOf(ConfigException.class)
                .hasMessage("empty network interface name");
    }
}
