package dev.tip.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.voice.VoiceDatagram;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import dev.tip.testing.ToneDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Audio taps and virtual speakers on a real server over loopback. */
class AudioApiTest {

    private static final int RATE = 20_000;

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer start(Consumer<TipServer.Builder> config) {
        TipServer.Builder b = TipServer.builder().port(0).bindAddress(InetAddress.getLoopbackAddress());
        config.accept(b);
        TipServer server = b.build().start();
        toClose.add(server);
        return server;
    }

    /** A tone, continuing from sample {@code from}. */
    private static short[] tone(double hz, int from, int samples) {
        short[] s = new short[samples];
        for (int i = 0; i < samples; i++) {
            s[i] = (short) Math.round(8000 * Math.sin(2 * Math.PI * hz * (from + i) / RATE));
        }
        return s;
    }

    private static byte[] bytes(short[] pcm) {
        ByteBuffer b = ByteBuffer.allocate(2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : pcm) {
            b.putShort(v);
        }
        return b.array();
    }

    private static short[] samples(byte[] pcm, int offset) {
        ByteBuffer b = ByteBuffer.wrap(pcm, offset, pcm.length - offset).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[(pcm.length - offset) / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = b.getShort();
        }
        return s;
    }

    private static short[] concat(List<short[]> growing) {
        // one snapshot: the tap's thread may still be adding frames
        List<short[]> frames = List.copyOf(growing);
        int n = 0;
        for (short[] f : frames) {
            n += f.length;
        }
        short[] all = new short[n];
        int at = 0;
        for (short[] f : frames) {
            System.arraycopy(f, 0, all, at, f.length);
            at += f.length;
        }
        return all;
    }

    @Test
    void aTapHearsTheToneAMemberOfItsRoomSendsAndNotTheOtherRoom() throws Exception {
        TipServer server = start(b -> b.rooms("a", "b"));
        List<short[]> fromA = new CopyOnWriteArrayList<>();
        List<Integer> otherSpeakers = new CopyOnWriteArrayList<>();
        List<short[]> mixed = new CopyOnWriteArrayList<>();
        Tip2Peer a = toClose.add(Tip2Peer.joined(server.tcpPort(), "a", "\"ROOM\": \"a\""));
        Tip2Peer b = toClose.add(Tip2Peer.joined(server.tcpPort(), "b", "\"ROOM\": \"b\""));
        TipServer.Tap tap = toClose.add(server.tap("a", new AudioTap() {
            @Override
            public void speakerFrame(int speakerId, short[] pcm) {
                if (speakerId == a.id) {
                    fromA.add(pcm);
                } else {
                    otherSpeakers.add(speakerId);
                }
            }

            @Override
            public void mixedFrame(short[] pcm) {
                mixed.add(pcm);
            }
        }));
        assertThat(tap.room()).isEqualTo("a");
        for (int i = 0; i < 60; i++) {
            a.sendPcm(bytes(tone(1000, i * 512, 512)));
            b.sendPcm(bytes(tone(3000, i * 512, 512)));
            Thread.sleep(5); // paced a little, so that the mix's queue does not overflow at once
        }
        Await.until("40 frames of a", () -> fromA.size() >= 40);
        Await.until("mixed frames", () -> mixed.size() >= 10);
        assertThat(ToneDetector.dominantFrequency(concat(fromA), RATE))
                .isCloseTo(1000, org.assertj.core.data.Offset.offset(10.0));
        // the mix drops frames that come faster than its pace: the tone is there, not as one clean sine
        assertThat(ToneDetector.detect(concat(mixed), RATE, new double[] {1000, 3000}))
                .containsExactly(1000.0);
        assertThat(otherSpeakers).isEmpty();
        assertThat(tap.framesDelivered()).isGreaterThanOrEqualTo(50);
        tap.close();
        assertThatThrownBy(() -> server.tap("nowhere", new AudioTap() {})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVirtualSpeakerIsInTheRosterAndHeardByTip2AndOriginalListeners() throws IOException {
        TipServer server = start(b -> {});
        Tip2Peer t = toClose.add(Tip2Peer.joined(server.tcpPort(), "t"));
        OriginalClient o = toClose.add(OriginalClient.joined(server.tcpPort(), "o"));
        VirtualSpeaker bot = toClose.add(server.addVirtualSpeaker("lobby", "bot"));
        assertThat(bot.room()).isEqualTo("lobby");
        o.awaitRoster(List.of("t", "o", "bot"));
        t.control.awaitRoster(List.of("t", "o", "bot"));
        assertThat(server.users()).extracting(Participant::name).containsExactly("t", "o", "bot");

        // 2 s of a 1500 Hz tone, sent by the server at the room's pace
        assertThat(bot.play(tone(1500, 0, 512 * 78))).isTrue();
        List<short[]> tHeard = new ArrayList<>();
        List<short[]> oHeard = new ArrayList<>();
        long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
        while ((tHeard.size() < 30 || oHeard.size() < 30) && System.nanoTime() < deadline) {
            byte[] d = t.receive(Duration.ofMillis(20));
            if (d != null
                    && Tip2Peer.wrap(d).check() == VoiceDatagram.OK
                    && Tip2Peer.wrap(d).senderId() == bot.id()) {
                tHeard.add(samples(d, VoiceDatagram.HEADER_LENGTH));
            }
            byte[] raw = o.receiveVoice(Duration.ofMillis(20));
            if (raw != null) {
                assertThat(raw).hasSize(1024);
                oHeard.add(samples(raw, 0));
            }
        }
        assertThat(tHeard).hasSizeGreaterThanOrEqualTo(30);
        assertThat(oHeard).hasSizeGreaterThanOrEqualTo(30);
        assertThat(ToneDetector.dominantFrequency(concat(tHeard), RATE))
                .isCloseTo(1500, org.assertj.core.data.Offset.offset(10.0));
        assertThat(ToneDetector.dominantFrequency(concat(oHeard), RATE))
                .isCloseTo(1500, org.assertj.core.data.Offset.offset(10.0));

        bot.close();
        o.awaitRoster(List.of("t", "o"));
        assertThatThrownBy(() -> bot.play(new short[512])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.addVirtualSpeaker("nowhere", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamStatisticsCountPacketsGapsAndLateDatagramsPerMember() throws Exception {
        TipServer server = start(b -> b.rooms("a"));
        Tip2Peer t = toClose.add(Tip2Peer.joined(server.tcpPort(), "t"));
        OriginalClient o = toClose.add(OriginalClient.joined(server.tcpPort(), "o"));
        byte[] payload = bytes(tone(700, 0, 512));
        for (int seq = 0; seq < 20; seq++) {
            if (seq != 10 && seq != 11) {
                t.send(Tip2Peer.pcm(t.id, seq, seq * 512L, seq == 0, payload));
            }
        }
        t.send(Tip2Peer.pcm(t.id, 10, 10 * 512L, false, payload));
        // an original member's datagrams count once the relay has its address (CLIENT_PORT)
        Await.until("datagrams of o", () -> {
            try {
                o.sendVoice(payload);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<StreamStatistics> s = server.streamStatistics();
            return s.size() == 2 && s.get(0).packets() == 19 && s.get(1).packets() >= 5;
        });
        StreamStatistics ts = server.streamStatistics().get(0);
        assertThat(ts.name()).isEqualTo("t");
        assertThat(ts.room()).isEqualTo("a");
        assertThat(ts.codec()).isEqualTo("pcm");
        assertThat(ts.path()).isEqualTo("udp");
        assertThat(ts.bytes()).isEqualTo(19L * 1024);
        assertThat(ts.lost()).isEqualTo(1);
        assertThat(ts.late()).isEqualTo(1);
        assertThat(ts.jitterMillis()).isNotNegative();
        StreamStatistics os = server.streamStatistics().get(1);
        assertThat(os.bytes()).isEqualTo(os.packets() * 1024);
        assertThat(os.lost()).isZero();
        var mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        var name = new javax.management.ObjectName("dev.tip.server:type=TipServer,port=" + server.tcpPort());
        assertThat((String[]) mbs.getAttribute(name, "Streams"))
                .anySatisfy(line ->
                        assertThat(line).contains(" t a pcm udp packets=19").contains("lost=1 late=1"));
    }
}
