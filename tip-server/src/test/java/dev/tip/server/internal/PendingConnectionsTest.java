package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.ControlDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Which unjoined connection makes way for a newcomer, without sockets. */
class PendingConnectionsTest {
    private static int port = 40_000;

    private static Connection from(String ip) throws UnknownHostException {
        return new Connection(null, new InetSocketAddress(InetAddress.getByName(ip), port++), new ControlDecoder(), 0);
    }

    @Test
    void theOldestOfAnAddressAtItsLimitMakesWayThenTheOldestOfAllAtTheServersLimit() throws Exception {
        PendingConnections p = new PendingConnections(2, 3);
        Connection a1 = from("127.0.0.2");
        Connection b1 = from("127.0.0.3");
        Connection a2 = from("127.0.0.2");
        p.add(a1);
        p.add(b1);
        assertThat(p.toEvictFor(InetAddress.getByName("127.0.0.2"))).isNull();
        p.add(a2);
        // 127.0.0.2 has its two: its oldest goes first
        assertThat(p.toEvictFor(InetAddress.getByName("127.0.0.2"))).isSameAs(a1);
        // another address: only the server's limit (3) applies, the oldest of all goes
        assertThat(p.toEvictFor(InetAddress.getByName("127.0.0.4"))).isSameAs(a1);
        p.remove(a1);
        assertThat(p.size()).isEqualTo(2);
        assertThat(p.toEvictFor(InetAddress.getByName("127.0.0.4"))).isNull();
        assertThat(p.toEvictFor(InetAddress.getByName("127.0.0.2"))).isNull();
    }

    @Test
    void removingTwiceOrAddingTwiceCountsOnce() throws Exception {
        PendingConnections p = new PendingConnections(1, 10);
        Connection a = from("127.0.0.2");
        p.add(a);
        p.add(a);
        p.remove(a);
        p.remove(a);
        assertThat(p.size()).isZero();
        assertThat(p.toEvictFor(InetAddress.getByName("127.0.0.2"))).isNull();
    }
}
