package io.sbulb.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.sbulb.api.testing.Privileges;
import io.sbulb.xdp.testing.Netns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab's narrower client link (LabOptions.withClientLinkMtu): a datagram towards the client
 * larger than its link makes the gateway answer its sender with an ICMP "fragmentation needed",
 * and {@link Lab#pathMtu} shows the path MTU the sender learned. (No sbulb here: the balancer's
 * namespace sends as a plain host; what sbulb does with such ICMP errors is tested with it.)
 */
@Timeout(60)
class ClientLinkMtuTest {

    private static final int MTU = 1280;

    @Test
    void aDatagramWiderThanTheClientsLinkTeachesItsSenderThePathMtu() throws Exception {
        Privileges.requireNetAdmin();
        try (Lab lab = Lab.create(Lab.uniquePrefix(), 1, LabOptions.DEFAULT.withClientLinkMtu(MTU))) {
            assertThat(Lab.pathMtu(lab.lbNetns(), Lab.CLIENT)).as("nothing learned yet").isEmpty();
            // 1400 bytes of UDP: under the balancer's 1500, over the client's link; Linux sets DF
            // (its default path MTU discovery), so the gateway drops it and says why
            Netns.run(lab.lbNetns(), () -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.send(new DatagramPacket(new byte[1400], 1400, new InetSocketAddress(LabSession.address(Lab.CLIENT), 9)));
                }
            });
            OptionalInt learned = LabSession.poll(() -> Lab.pathMtu(lab.lbNetns(), Lab.CLIENT), OptionalInt::isPresent,
                    Duration.ofSeconds(5));
            assertThat(learned).as("path MTU the balancer's namespace learned towards the client").hasValue(MTU);
        }
    }
}
