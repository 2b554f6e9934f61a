package dev.tip.server;

import static dev.tip.testing.Await.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.testing.Closer;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's two I/O paths through the public API: the batched one (Linux, Java 22+, native
 * access enabled: {@code recvmmsg}/{@code sendmmsg} on one socket) and the NIO one (Java 17, other
 * systems). Each test states what the path this JVM runs must do; run on JDK 17 and on JDK 22+
 * (.ci/run does both where it can), they cover both.
 */
class RelayIoTest {

    @RegisterExtension
    final Closer toClose = new Closer();

    /** True where this JVM has the batched path (the conditions of BatchedDatagrams.open). */
    static boolean batchedPathExpected() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return false;
        }
        if (Runtime.version().feature() < 22 || "false".equalsIgnoreCase(System.getProperty("tip.relay.batched"))) {
            return false;
        }
        try {
            // Module.isNativeAccessEnabled() is Java 22 API: called by reflection from Java 17 code
            return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(TipServer.class.getModule());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private TipServer start() {
        TipServer server = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .mixOriginalListeners(false)
                .maxVoiceDatagramsPerSecond(100_000)
                // the batched path's one socket queues everyone's bursts (as tip server's 8 MiB)
                .udpBufferBytes(4 << 20)
                .build()
                .start();
        toClose.add(server);
        return server;
    }

    private OriginalClient original(TipServer server, String name) throws IOException {
        OriginalClient c = OriginalClient.joined(server.tcpPort(), name);
        toClose.add(c);
        return c;
    }

    @Test
    void theVoicePortIsTheServersAloneOnTheBatchedPath() throws IOException {
        TipServer server = start();
        // a local program trying to share the port the way the NIO path's member sockets do
        DatagramSocket other = new DatagramSocket(null);
        toClose.add(other);
        other.setReuseAddress(true);
        InetSocketAddress port = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.tcpPort());
        if (batchedPathExpected()) {
            // one socket bound without SO_REUSEADDR: nobody else gets the server's datagrams
            assertThatThrownBy(() -> other.bind(port)).isInstanceOf(BindException.class);
        } else {
            // the NIO path binds with SO_REUSEADDR (its per-member connected sockets need it), so a
            // same-user program can bind the port too: the cost of no allocation on Java 17
            other.bind(port);
            assertThat(other.isBound()).isTrue();
        }
    }

    /**
     * 18 members, 3 of them sending bursts: a burst read in one batch makes up to 64 x 17 copies,
     * more than one {@code sendmmsg} takes (1024), so the flush splits; every member must still get
     * every other speaker's datagram exactly once and in order.
     */
    @Test
    void everyMemberGetsEveryCopyWhenABatchFansOutBeyondOneSend() throws Exception {
        TipServer server = start();
        int members = 18;
        int speakers = 3;
        int perSpeaker = 60;
        List<OriginalClient> clients = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            OriginalClient c = original(server, "m" + i);
            c.udp.setReceiveBufferSize(1 << 20);
            clients.add(c);
        }
        until(
                "all voice addresses known",
                () -> server.users().size() == members
                        && server.users().stream().allMatch(u -> u.voiceAddress() != null));
        long receivedBefore = server.statistics().datagramsReceived();
        // per receiver: the next sequence expected from each speaker
        AtomicIntegerArray next = new AtomicIntegerArray(members * speakers);
        AtomicIntegerArray disorder = new AtomicIntegerArray(members);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < members; r++) {
            int receiver = r;
            OriginalClient c = clients.get(r);
            Thread t = new Thread(
                    () -> {
                        int expected = receiver < speakers ? (speakers - 1) * perSpeaker : speakers * perSpeaker;
                        int got = 0;
                        try {
                            while (got < expected) {
                                byte[] d = c.receiveVoice(Duration.ofSeconds(20));
                                if (d == null) {
                                    return;
                                }
                                ByteBuffer b = ByteBuffer.wrap(d);
                                int speaker = b.getInt(0);
                                int seq = b.getInt(4);
                                if (next.getAndIncrement(receiver * speakers + speaker) != seq) {
                                    disorder.incrementAndGet(receiver);
                                }
                                got++;
                            }
                        } catch (IOException e) {
                            disorder.incrementAndGet(receiver);
                        }
                    },
                    "reader-" + r);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
        byte[] payload = new byte[512];
        for (int seq = 0; seq < perSpeaker; seq++) {
            for (int s = 0; s < speakers; s++) {
                ByteBuffer.wrap(payload).putInt(0, s).putInt(4, seq);
                clients.get(s).sendVoice(payload);
            }
        }
        for (Thread t : readers) {
            t.join(30_000);
        }
        assertThat(server.statistics().datagramsReceived() - receivedBefore).isEqualTo((long) speakers * perSpeaker);
        for (int r = 0; r < members; r++) {
            for (int s = 0; s < speakers; s++) {
                int want = r == s ? 0 : perSpeaker;
                assertThat(next.get(r * speakers + s))
                        .as("datagrams from speaker %d at member %d", s, r)
                        .isEqualTo(want);
            }
            assertThat(disorder.get(r)).as("out of order at member %d", r).isZero();
        }
        assertThat(server.statistics().droppedSendFailed()).isZero();
    }

    @Test
    void theRelayAllocatesNothingPerDatagramWithEightSendersInterleaved() throws Exception {
        TipServer server = start();
        assertThat(server.statistics().relayAllocatedBytes()).isNotNegative();
        List<OriginalClient> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(original(server, "s" + i));
        }
        until(
                "all voice addresses known",
                () -> server.users().size() == 8 && server.users().stream().allMatch(u -> u.voiceAddress() != null));
        for (OriginalClient c : clients) {
            Thread t = new Thread(
                    () -> {
                        while (!c.udp.isClosed()) {
                            try {
                                c.receiveVoice(Duration.ofMillis(100));
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "drain");
            t.setDaemon(true);
            t.start();
        }
        int round = 2000;
        sendInterleaved(server, clients, round);
        // any per-datagram allocation would cost at least 16 bytes for each datagram of EVERY
        // round; the JIT's one-time work (compiling, customizing method handles as each path gets
        // hot) costs some rounds a few kilobytes. So: the cheapest of up to 12 rounds
        long allocated = Long.MAX_VALUE;
        for (int i = 0; i < 12 && allocated >= round; i++) {
            allocated = Math.min(allocated, sendInterleaved(server, clients, round));
        }
        assertThat(allocated)
                .as("bytes allocated by the relay thread over %d datagrams from 8 senders", round)
                .isLessThan(round);
    }

    /** Sends {@code n} datagrams, the 8 senders in turn; returns the relay thread's allocation. */
    private static long sendInterleaved(TipServer server, List<OriginalClient> clients, int n) throws IOException {
        byte[] payload = new byte[320];
        long before = server.statistics().relayAllocatedBytes();
        long received = server.statistics().datagramsReceived();
        for (int sent = 0; sent < n; sent += 40) {
            long target = received + sent + 40;
            for (int i = 0; i < 40; i++) {
                clients.get(i % clients.size()).sendVoice(payload);
            }
            until("batch received", () -> server.statistics().datagramsReceived() >= target);
        }
        return server.statistics().relayAllocatedBytes() - before;
    }
}
