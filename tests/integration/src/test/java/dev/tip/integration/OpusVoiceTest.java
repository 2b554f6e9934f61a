package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.SilenceSource;
import dev.tip.audio.ToneSource;
import dev.tip.core.ClientStatistics;
import dev.tip.core.DialectPreference;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.voice.AudioFormat;
import dev.tip.integration.Tip2TestAudio.RecordingSink;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opus between TIP/2 peers, negotiated in the handshake: what each side sends in, what it costs on
 * the wire (from the sender's own statistics), that the listener hears the tone, that a client
 * offering PCM only gets PCM and is still heard, and that silence is not sent (DTX).
 */
class OpusVoiceTest {
    /** One frame of the room (512 samples at 20 kHz): the sender's clock, not the wall's. */
    private static final double FRAME_SECONDS = 0.0256;

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server() {
        return toClose.add(TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .build()
                .start());
    }

    private TipClient client(int port, String name, AudioSource source, RecordingSink sink, List<VoiceCodec> codecs) {
        TipClient.Builder b = TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .dialectPreference(DialectPreference.AUTO)
                .audioSource(source)
                .audioSink(sink)
                .listener(new SessionListener() {});
        if (codecs != null) {
            b.voiceCodecs(codecs);
        }
        return toClose.add(b.build());
    }

    private static ToneSource tone(double hz) {
        return new ToneSource(AudioFormat.ORIGINAL, hz, 8000 / 32767.0);
    }

    @Test
    void opusIsAvailableWhereTipAudioIs() {
        assertThat(VoiceCodec.available()).extracting(VoiceCodec::name).startsWith("opus");
    }

    @Test
    void twoTip2ClientsSpeakOpusAtAFractionOfPcmsBytesAndHearEachOther() {
        TipServer server = server();
        RecordingSink bobHears = new RecordingSink(200);
        TipClient ann = client(server.tcpPort(), "ann", tone(1013), new RecordingSink(10), null);
        TipClient bob = client(server.tcpPort(), "bob", tone(1511), bobHears, null);
        ann.connect();
        bob.connect();
        assertThat(ann.statistics().codec()).isEqualTo("opus");
        assertThat(ann.statistics().bitrate()).isEqualTo(TipServer.DEFAULT_VOICE_BITRATE);
        Await.until("bob records 200 frames", () -> bobHears.size() == 200);

        // bytes per second on the wire, header included, over the frames the sender captured
        ClientStatistics s1 = ann.statistics();
        Await.until(
                "ann captures 200 more frames", () -> ann.statistics().framesCaptured() >= s1.framesCaptured() + 200);
        ClientStatistics s2 = ann.statistics();
        double seconds = (s2.framesCaptured() - s1.framesCaptured()) * FRAME_SECONDS;
        double bytesPerSecond = (s2.voiceBytesSent() - s1.voiceBytesSent()) / seconds;
        double datagramsPerSecond = (s2.framesSent() - s1.framesSent()) / seconds;
        System.out.printf("opus: %.0f bytes/s, %.1f datagrams/s per speaker%n", bytesPerSecond, datagramsPerSecond);
        assertThat(bytesPerSecond)
                .as("bytes/s of one speaker (PCM is about 40 800)")
                .isLessThanOrEqualTo(5_000);
        assertThat(datagramsPerSecond).as("one 20 ms packet at a time").isBetween(45.0, 55.0);

        List<short[]> heard = bobHears.frames().subList(50, 200);
        double ann1013 = Tip2TestAudio.power(heard, 1013);
        double own = Tip2TestAudio.power(heard, 1511);
        double elsewhere = Tip2TestAudio.power(heard, 3100);
        assertThat(ann1013).as("ann's tone through Opus").isGreaterThan(100 * elsewhere);
        assertThat(ann1013).as("not bob's own").isGreaterThan(50 * own);
        ClientStatistics heardStats = bob.statistics();
        System.out.printf(
                "bob: received %d, played %d, concealed %d, lost %d, late %d, delay %d ms%n",
                heardStats.framesReceived(),
                heardStats.framesPlayed(),
                heardStats.framesConcealed(),
                heardStats.framesLost(),
                heardStats.framesLate(),
                heardStats.playoutDelayMillis());
        assertThat(bob.statistics().datagramsRejected()).isLessThan(5);
        assertThat(bob.statistics().playoutDelayMillis())
                .as("bob's jitter buffer delay on a clean loopback")
                .isBetween(1L, 500L);
        assertThat(ann.statistics().playoutDelayMillis()).isNotNegative();
    }

    @Test
    void aClientThatOffersOnlyPcmSendsPcmAndAnOpusListenerHearsIt() {
        TipServer server = server();
        RecordingSink annHears = new RecordingSink(200);
        TipClient ann = client(server.tcpPort(), "ann", tone(1013), annHears, null);
        TipClient old = client(server.tcpPort(), "old", tone(1511), new RecordingSink(10), List.of());
        ann.connect();
        old.connect();
        assertThat(ann.statistics().codec()).isEqualTo("opus");
        assertThat(old.statistics().codec()).isEqualTo("pcm");
        assertThat(old.statistics().bitrate()).isZero();
        Await.until("ann records 200 frames", () -> annHears.size() == 200);
        List<short[]> heard = annHears.frames().subList(50, 200);
        assertThat(Tip2TestAudio.power(heard, 1511))
                .as("the PCM speaker in an Opus listener's mix")
                .isGreaterThan(100 * Tip2TestAudio.power(heard, 3100));
    }

    @Test
    void silenceIsNotSentOnlyKeptAlive() {
        TipServer server = server();
        TipClient quiet =
                client(server.tcpPort(), "quiet", new SilenceSource(AudioFormat.ORIGINAL), new RecordingSink(10), null);
        quiet.connect();
        assertThat(quiet.statistics().codec()).isEqualTo("opus");
        Await.until("200 frames of silence captured", () -> quiet.statistics().framesCaptured() >= 200);
        ClientStatistics s = quiet.statistics();
        // Opus's DTX sends a packet now and then during silence; far fewer than one per frame
        assertThat(s.framesSent())
                .as("datagrams sent for %d frames of silence", s.framesCaptured())
                .isLessThan(s.framesCaptured() / 5);
    }
}
