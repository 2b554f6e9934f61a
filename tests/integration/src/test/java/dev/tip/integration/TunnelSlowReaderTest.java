package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.TipClient;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.TunnelFramer;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tunnel never hurts control (docs/protocol.md, "Voice over the control connection"): a TIP/2
 * peer that tunnels and then stops reading its TCP connection gets its voice dropped oldest-first
 * (counted), and the roster sent meanwhile still reaches it, in order, once it reads again.
 */
class TunnelSlowReaderTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipClient talker(int port, String name) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .voiceCodecs(List.of())
                .audioSource(new ToneSource(AudioFormat.ORIGINAL, 1013, 0.2))
                .build());
    }

    /** Splits what the slow peer reads: control messages and tunnelled datagrams, in order. */
    private static final class Reader implements TunnelFramer.Sink {
        final ControlDecoder decoder = new ControlDecoder();
        final TunnelFramer framer = new TunnelFramer();
        final List<Object> events = new ArrayList<>();

        @Override
        public boolean control(byte[] buf, int off, int len) {
            decoder.feed(buf, off, len);
            ControlMessage m;
            while ((m = decoder.next()) != null) {
                events.add(m);
            }
            return true;
        }

        @Override
        public boolean datagram(byte[] buf, int off, int len) {
            ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice();
            VoiceDatagram d = new VoiceDatagram().wrap(b, 0, len);
            events.add(new int[] {d.senderId(), d.sequence()});
            return true;
        }

        void read(InputStream in, byte[] buf) throws java.io.IOException {
            int n = in.read(buf);
            if (n > 0) {
                assertThat(framer.split(buf, 0, n, this)).isTrue();
            }
        }
    }

    @Test
    void aSlowTunnelReaderLosesOldVoiceNotControl() throws Exception {
        TipServer server = toClose.add(TipServer.builder()
                .port(0)
                .bindAddress(LOOPBACK)
                .controlSendBufferBytes(4096)
                .writeTimeout(Duration.ofSeconds(60))
                .build()
                .start());
        int port = server.tcpPort();
        Socket slow = toClose.add(new Socket());
        slow.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        slow.connect(new InetSocketAddress(LOOPBACK, port));
        slow.getOutputStream()
                .write("{\"KEY\": 2, \"NAME\": \"Slow\", \"VERSION\": 2, \"TUNNEL\": 1}"
                        .getBytes(StandardCharsets.US_ASCII));
        InputStream in = slow.getInputStream();
        Reader reader = new Reader();
        byte[] buf = new byte[8192];
        slow.setSoTimeout(30_000);
        while (reader.events.stream().noneMatch(e -> e instanceof ControlMessage.Session)) {
            reader.read(in, buf);
        }
        ControlMessage.Session session = (ControlMessage.Session) reader.events.stream()
                .filter(e -> e instanceof ControlMessage.Session)
                .findFirst()
                .orElseThrow();
        assertThat(session.extensions().getLong("TUNNEL").orElse(0)).isEqualTo(1);
        long token = HexFormat.fromHexDigitsToLong(
                session.extensions().getString("TOKEN").orElseThrow());
        // a KEEPALIVE through the tunnel: the server sends this member the room's voice the same way
        ByteBuffer keepalive = ByteBuffer.allocate(TunnelFramer.HEADER_BYTES + VoiceDatagram.HEADER_LENGTH + 8);
        TunnelFramer.writeHeader(keepalive, VoiceDatagram.HEADER_LENGTH + 8);
        new VoiceDatagram()
                .wrap(keepalive, TunnelFramer.HEADER_BYTES, VoiceDatagram.HEADER_LENGTH + 8)
                .writeHeader(false, PayloadType.KEEPALIVE, session.session(), 0, 0);
        keepalive.putLong(TunnelFramer.HEADER_BYTES + VoiceDatagram.HEADER_LENGTH, token);
        slow.getOutputStream().write(keepalive.array());
        Await.until("the server tunnels to it", () -> server.statistics().tunnelledMembers() == 1);

        // Ann talks; the slow peer reads nothing until its voice has overflowed
        TipClient ann = talker(port, "Ann");
        ann.connect();
        Await.until(
                "voice for the slow peer is dropped", () -> server.statistics().tunnelDroppedOverflow() > 50);
        // a silent newcomer: the roster that names it is queued behind the voice
        TipClient cid = toClose.add(
                TipClient.builder().server("127.0.0.1", port).nickname("Cid").build());
        cid.connect();
        long dropped = server.statistics().tunnelDroppedOverflow();
        Await.until("more is dropped", () -> server.statistics().tunnelDroppedOverflow() > dropped + 20);

        // now it reads: the roster with Cid arrives, and the voice it gets never goes back in time
        reader.events.clear();
        while (reader.events.stream()
                .noneMatch(e ->
                        e instanceof ControlMessage.SendNewUsers u && u.users().contains("Cid"))) {
            reader.read(in, buf);
        }
        // and on: what the kernel held, then the queue's newest, then live voice
        int annId = ann.sessionId().getAsInt();
        while (reader.events.stream()
                        .filter(e -> e instanceof int[] d && d[0] == annId)
                        .count()
                < 200) {
            reader.read(in, buf);
        }
        assertThat(server.statistics().protocolErrors()).isZero();
        assertThat(server.users()).extracting(u -> u.name()).contains("Slow", "Ann", "Cid");
        List<Integer> sequences = new ArrayList<>();
        for (Object e : reader.events) {
            if (e instanceof int[] d && d[0] == annId) {
                sequences.add(d[1]);
            }
        }
        assertThat(sequences).hasSizeGreaterThan(2);
        boolean gap = false;
        for (int i = 1; i < sequences.size(); i++) {
            int step = (sequences.get(i) - sequences.get(i - 1)) & 0xFFFF;
            assertThat(step).as("sequence step %d", i).isBetween(1, 0x7FFF);
            gap |= step > 1;
        }
        assertThat(gap).as("old voice was dropped, not delayed").isTrue();
    }
}
