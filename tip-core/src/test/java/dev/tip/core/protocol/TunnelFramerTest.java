package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TunnelFramerTest {

    /** Splits, decodes the control bytes with a real decoder, collects the datagrams. */
    private static final class Collector implements TunnelFramer.Sink {
        final ControlDecoder decoder = new ControlDecoder();
        final List<ControlMessage> messages = new ArrayList<>();
        final List<byte[]> datagrams = new ArrayList<>();

        @Override
        public boolean control(byte[] buf, int off, int len) {
            decoder.feed(buf, off, len);
            ControlMessage m;
            while ((m = decoder.next()) != null) {
                messages.add(m);
            }
            return true;
        }

        @Override
        public boolean datagram(byte[] buf, int off, int len) {
            datagrams.add(Arrays.copyOfRange(buf, off, off + len));
            return true;
        }
    }

    private static byte[] frame(byte[] datagram) {
        ByteBuffer b = ByteBuffer.allocate(TunnelFramer.HEADER_BYTES + datagram.length);
        TunnelFramer.writeHeader(b, datagram.length);
        b.put(datagram);
        return b.array();
    }

    private static byte[] datagram(int length, int seed) {
        byte[] d = new byte[length];
        for (int i = 0; i < length; i++) {
            // zeros, braces and quotes inside the datagram must not disturb anything
            d[i] = (byte) ((i * 31 + seed) % 5 == 0 ? 0 : "{}\"a\n".charAt((i + seed) % 5));
        }
        return d;
    }

    private static byte[] stream(ByteArrayOutputStream out, byte[]... parts) {
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void framesBetweenMessagesReachTheSinkAndTheDecoderSeesOnlyJson() {
        byte[] a = datagram(1054, 1);
        byte[] b = datagram(30, 2);
        byte[] bytes = stream(
                new ByteArrayOutputStream(),
                "{\"KEY\": 3, \"USERS\": [\"Ann\"]}".getBytes(StandardCharsets.US_ASCII),
                frame(a),
                frame(b),
                "{\"KEY\": 6, \"SESSION\": 2}".getBytes(StandardCharsets.US_ASCII));
        Collector c = new Collector();
        assertThat(new TunnelFramer().split(bytes, 0, bytes.length, c)).isTrue();
        assertThat(c.messages).hasSize(2);
        assertThat(c.messages.get(1)).isInstanceOf(ControlMessage.Session.class);
        assertThat(c.datagrams).containsExactly(a, b);
    }

    @Property(tries = 200)
    void anyChunkingGivesTheSameResult(@ForAll @IntRange(min = 1, max = 700) int chunk) {
        byte[] a = datagram(1054, 3);
        byte[] bytes = stream(
                new ByteArrayOutputStream(),
                frame(a),
                "{\"KEY\": 2, \"NAME\": \"x\"}".getBytes(StandardCharsets.US_ASCII),
                frame(datagram(1, 4)),
                "{\"KEY\": 7, \"PORT\": 5}".getBytes(StandardCharsets.US_ASCII),
                frame(a));
        Collector c = new Collector();
        TunnelFramer f = new TunnelFramer();
        for (int off = 0; off < bytes.length; off += chunk) {
            byte[] copy = Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + chunk));
            assertThat(f.split(copy, 0, copy.length, c)).isTrue();
        }
        assertThat(f.insideFrame()).isFalse();
        assertThat(c.messages).hasSize(2);
        assertThat(c.datagrams).hasSize(3);
        assertThat(c.datagrams.get(0)).isEqualTo(a);
        assertThat(c.datagrams.get(2)).isEqualTo(a);
    }

    @Test
    void aFrameOfLengthZeroOrTooLongStopsTheStream() {
        Collector c = new Collector();
        TunnelFramer f = new TunnelFramer(100);
        byte[] zero = {0, 0, 0};
        assertThat(f.split(zero, 0, 3, c)).isFalse();
        assertThat(f.error()).contains("0 bytes");
        assertThat(f.split(zero, 0, 3, c)).isFalse();

        TunnelFramer g = new TunnelFramer(100);
        byte[] tooLong = {0, 0, 101};
        assertThat(g.split(tooLong, 0, 3, c)).isFalse();
        assertThat(g.error()).contains("101 bytes");
        assertThat(c.datagrams).isEmpty();
    }

    @Test
    void aHeaderForAnImpossibleLengthIsRefused() {
        assertThatThrownBy(() -> TunnelFramer.writeHeader(ByteBuffer.allocate(8), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TunnelFramer.writeHeader(ByteBuffer.allocate(8), TunnelFramer.MAX_DATAGRAM + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
