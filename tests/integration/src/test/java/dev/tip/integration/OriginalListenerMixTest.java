package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.DialectPreference;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.voice.AudioFormat;
import dev.tip.integration.Tip2TestAudio.RecordingSink;
import dev.tip.server.ServerStatistics;
import dev.tip.server.TipServer;
import dev.tip.testing.RawPeer;
import dev.tip.testing.ToneDetector;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An original listener in a room where two TIP/2 clients talk at once, and where it talks
 * itself: it must receive what the original client can play, one stream of 1024-byte frames at
 * about 39 per second (not one per speaker), each frame carrying both TIP/2 voices and not its own.
 * Real {@link TipServer}, real {@link TipClient}s with tone sources, the original client's wire
 * behaviour from a raw socket.
 */
class OriginalListenerMixTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int RATE = 20_000;
    private static final double ANN_HZ = 1013;
    private static final double BOB_HZ = 1511;
    private static final double OWN_HZ = 2003;
    private static final long FRAME_NANOS = 25_600_000;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicBoolean talking = new AtomicBoolean(true);

    @AfterEach
    void closeAll() throws Exception {
        talking.set(false);
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private TipClient tip2(int port, String name, double hz, RecordingSink sink) {
        return closing(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .dialectPreference(DialectPreference.AUTO)
                .audioSource(new ToneSource(AudioFormat.ORIGINAL, hz, 6000 / 32767.0))
                .audioSink(sink)
                .listener(new SessionListener() {})
                .build());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT.toMillis() + " ms waiting for: " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** The original client's sender: a 2003 Hz tone, one 1024-byte frame per 25.6 ms. */
    private Thread talk(RawPeer peer) {
        Thread t = new Thread(
                () -> {
                    byte[] frame = new byte[RawPeer.FRAME_BYTES];
                    ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
                    long n = 0;
                    long next = System.nanoTime();
                    while (talking.get() && !peer.udp.isClosed()) {
                        for (int i = 0; i < frame.length / 2; i++, n++) {
                            b.putShort(2 * i, (short) (6000 * Math.sin(2 * Math.PI * OWN_HZ * n / RATE)));
                        }
                        try {
                            peer.sendVoice(frame);
                        } catch (IOException e) {
                            return;
                        }
                        next += FRAME_NANOS;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                },
                "original-talker");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static short[] samples(byte[] datagram) {
        short[] s = new short[datagram.length / 2];
        ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
        return s;
    }

    @Test
    void anOriginalListenerGetsOneStreamAt39FramesASecondWithBothTip2VoicesAndNotItsOwn() throws IOException {
        TipServer server = closing(TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .mixOriginalListeners(true)
                // PCM speakers: this test pins the mix itself; OpusVoiceTest mixes Opus speakers
                .voiceCodecs(List.of())
                .build()
                .start());
        int port = server.tcpPort();
        // the original client, by hand: nickname, CLIENT_PORT, the greeting, then voice
        RawPeer orig = closing(new RawPeer(port));
        orig.write("{\"KEY\": 2, \"NAME\": \"orig\"}{\"KEY\": 7, \"PORT\": " + orig.udp.getLocalPort() + "}");
        byte[] greeting = new byte[RawPeer.FRAME_BYTES];
        Arrays.fill(greeting, (byte) 'a');
        orig.sendVoice(greeting);
        await("the original's voice address", () -> server.users().stream()
                .anyMatch(u -> u.name().equals("orig") && u.voiceAddress() != null));

        RecordingSink annHears = new RecordingSink(200);
        TipClient ann = tip2(port, "ann", ANN_HZ, annHears);
        TipClient bob = tip2(port, "bob", BOB_HZ, new RecordingSink(10));
        ann.connect();
        bob.connect();
        talk(orig);

        // settle: both TIP/2 voices reach the original listener in one frame
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        double[] both = {ANN_HZ, BOB_HZ};
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            assertThat(System.nanoTime() - deadline)
                    .as("both voices in one frame in time")
                    .isNegative();
            if (receive(orig, p)
                    && ToneDetector.detect(samples(Arrays.copyOf(buf, p.getLength())), RATE, both)
                                    .size()
                            == 2) {
                break;
            }
        }

        // two seconds of the stream, as the original client would play it
        List<byte[]> frames = new ArrayList<>();
        long start = System.nanoTime();
        while (System.nanoTime() - start < 2_000_000_000L) {
            if (receive(orig, p)) {
                frames.add(Arrays.copyOf(buf, p.getLength()));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        double perSecond = frames.size() / seconds;
        // one stream is 39/s and one per speaker 78/s; a wall-clock window on a loaded machine moves
        // the count by a few frames either way (the mixer catches up after a stall of the relay
        // thread: 42.2/s was seen in a full build), so the bounds sit well apart from both
        assertThat(perSecond)
                .as("datagrams per second to the original listener (one per speaker would be 78)")
                .isBetween(28.0, 55.0);
        assertThat(frames).allSatisfy(f -> assertThat(f).hasSize(1024));
        int withBoth = 0;
        for (byte[] f : frames) {
            short[] s = samples(f);
            assertThat(ToneDetector.amplitude(s, RATE, OWN_HZ))
                    .as("its own voice is left out of every frame")
                    .isLessThan(ToneDetector.DEFAULT_THRESHOLD);
            if (ToneDetector.detect(s, RATE, both).size() == 2) {
                withBoth++;
            }
        }
        assertThat(withBoth)
                .as("frames of %d carrying both TIP/2 voices (Goertzel per 512 samples)", frames.size())
                .isGreaterThanOrEqualTo(frames.size() * 95 / 100);

        // a TIP/2 listener still gets each speaker's own stream: bob's and the original's voice
        await("ann records 200 frames", () -> annHears.size() == 200);
        List<short[]> heard = annHears.frames();
        assertThat(Tip2TestAudio.power(heard, OWN_HZ)).isGreaterThan(50 * Tip2TestAudio.power(heard, ANN_HZ));
        assertThat(Tip2TestAudio.power(heard, BOB_HZ)).isGreaterThan(50 * Tip2TestAudio.power(heard, ANN_HZ));

        ServerStatistics stats = server.statistics();
        assertThat(stats.mixedFramesSent()).isGreaterThanOrEqualTo(frames.size());
        assertThat(ann.dialect()).isPresent();
        assertThat(bob.dialect()).isPresent();
    }

    /** One datagram into {@code p}, false if none came within the socket's timeout. */
    private static boolean receive(RawPeer peer, DatagramPacket p) throws IOException {
        try {
            p.setLength(p.getData().length);
            peer.udp.receive(p);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
