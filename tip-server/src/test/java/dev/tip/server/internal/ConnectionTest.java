package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ProtocolLimits;
import dev.tip.core.protocol.TunnelQueue;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A connection's outbound queue and deadlines, over an in-memory channel. */
class ConnectionTest {

    private static final long HANDSHAKE = 10_000;
    private static final long WRITE = 30_000;

    /** Takes at most {@code accept} bytes per write; keeps them. */
    private static final class Peer implements ByteChannel {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int accept = Integer.MAX_VALUE;
        boolean open = true;

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(accept, src.remaining());
            for (int i = 0; i < n; i++) {
                received.write(src.get());
            }
            return n;
        }

        @Override
        public int read(ByteBuffer dst) {
            return 0;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }

        String text() {
            return received.toString(StandardCharsets.US_ASCII);
        }
    }

    private final Peer peer = new Peer();
    private final Connection c = new Connection(
            peer, new InetSocketAddress("127.0.0.1", 4000), new ControlDecoder(ProtocolLimits.DEFAULT), 0);

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void whatTheChannelTakesIsWrittenAtOnceAndTheRestQueuedInOrder() {
        assertThat(c.enqueue(bytes("{\"KEY\": 0}"), 1, 1024)).isEqualTo(Connection.Write.OK);
        assertThat(peer.text()).isEqualTo("{\"KEY\": 0}");
        assertThat(c.queued()).isZero();

        peer.accept = 3;
        c.enqueue(bytes("abcdef"), 2, 1024);
        c.enqueue(bytes("gh"), 2, 1024);
        assertThat(c.queued()).isEqualTo(5);
        peer.accept = Integer.MAX_VALUE;
        assertThat(c.flush(3)).isEqualTo(Connection.Write.OK);
        assertThat(peer.text()).endsWith("abcdefgh");
        assertThat(c.queued()).isZero();
    }

    @Test
    void aMessageThatWouldPassTheBoundIsRefusedAndNothingOfItQueued() {
        peer.accept = 0;
        c.enqueue(bytes("x".repeat(600)), 0, 1024);
        assertThat(c.enqueue(bytes("y".repeat(400)), 0, 1024)).isEqualTo(Connection.Write.OK);
        assertThat(c.enqueue(bytes("z".repeat(25)), 0, 1024)).isEqualTo(Connection.Write.FULL);
        assertThat(c.queued()).isEqualTo(1000);
    }

    @Test
    void tunnelFramesAndControlMessagesAreWrittenWholeNeverInsideEachOther() {
        c.tunnel = new TunnelQueue(4, 64);
        ByteBuffer d = ByteBuffer.wrap("VOICE".getBytes(StandardCharsets.US_ASCII));
        c.tunnel.offer(d);
        c.tunnel.offer(d);
        peer.accept = 4;
        // the first frame is cut by the socket: a message queued now waits for its end
        c.flush(1);
        assertThat(c.enqueue(bytes("{\"KEY\": 5}"), 2, 1024)).isEqualTo(Connection.Write.OK);
        assertThat(c.queued()).isEqualTo(10);
        peer.accept = Integer.MAX_VALUE;
        c.flush(3);
        byte[] frame = {0, 0, 5, 'V', 'O', 'I', 'C', 'E'};
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(frame);
        // control before the second frame: a message waits behind at most one frame
        expected.writeBytes("{\"KEY\": 5}".getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(frame);
        assertThat(peer.received.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(c.queued()).isZero();
    }

    @Test
    void aRosterQueuedBehindAPartlyWrittenFrameIsKept() {
        c.tunnel = new TunnelQueue(4, 64);
        c.tunnel.offer(ByteBuffer.wrap(new byte[40]));
        peer.accept = 4;
        c.flush(1);
        // nothing of the control queue to replace: the roster is queued (this threw before)
        assertThat(c.enqueue(bytes("{\"KEY\": 3, \"USERS\": []}"), 2, 1024, true))
                .isEqualTo(Connection.Write.OK);
        peer.accept = Integer.MAX_VALUE;
        c.flush(3);
        assertThat(peer.received.size()).isEqualTo(43 + 23);
        assertThat(peer.text()).endsWith("{\"KEY\": 3, \"USERS\": []}");
    }

    @Test
    void theHandshakeDeadlineCountsFromAcceptUntilTheClientJoins() {
        assertThat(c.expiry(HANDSHAKE - 1, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.NONE);
        assertThat(c.expiry(HANDSHAKE, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.HANDSHAKE);
        c.handshaking = false;
        assertThat(c.expiry(HANDSHAKE * 5, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.NONE);
    }

    @Test
    void queuedBytesThatWaitLongerThanTheWriteTimeoutExpireAndProgressResetsTheWait() {
        c.handshaking = false;
        peer.accept = 1;
        c.enqueue(bytes("abc"), 100, 1024);
        assertThat(c.expiry(100 + WRITE - 1, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.NONE);
        c.flush(100 + WRITE - 1);
        assertThat(c.expiry(100 + WRITE, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.NONE);
        peer.accept = 0;
        assertThat(c.expiry(100 + 2 * WRITE - 1, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.WRITE);
    }

    @Test
    void aClosingConnectionShutsItsOutputOnceTheQueueIsWrittenAndExpiresAfterTheLinger() {
        peer.accept = 2;
        c.enqueue(bytes("{\"KEY\": 5}"), 0, 1024);
        c.beginClose(2_000);
        assertThat(c.open()).isFalse();
        assertThat(c.outputShut).isFalse();
        peer.accept = Integer.MAX_VALUE;
        c.flush(10);
        assertThat(c.outputShut).isTrue();
        assertThat(peer.text()).isEqualTo("{\"KEY\": 5}");
        assertThat(c.expiry(1_999, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.NONE);
        assertThat(c.expiry(2_000, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.LINGER);
        c.close();
        assertThat(peer.isOpen()).isFalse();
        assertThat(c.expiry(10_000_000, HANDSHAKE, WRITE)).isEqualTo(Connection.Expiry.NONE);
    }

    @Test
    void aRosterReplacesAnUnsentRosterAtTheEndOfTheQueueButNeverOnePartlySent() {
        peer.accept = 0;
        c.enqueue(bytes("R1-partly"), 1, 1024, true);
        peer.accept = 0;
        c.enqueue(bytes("R2"), 1, 1024, true);
        c.enqueue(bytes("R3"), 1, 1024, true);
        c.enqueue(bytes("R4"), 1, 1024, true);
        assertThat(c.replacedRosters).isEqualTo(2);
        c.enqueue(bytes("S"), 1, 1024, false);
        c.enqueue(bytes("R5"), 1, 1024, true);
        assertThat(c.replacedRosters)
                .as("a roster behind another message is not replaced")
                .isEqualTo(2);
        peer.accept = Integer.MAX_VALUE;
        c.flush(2);
        assertThat(peer.text()).isEqualTo("R1-partlyR4SR5");
        assertThat(c.queued()).isZero();
    }
}
