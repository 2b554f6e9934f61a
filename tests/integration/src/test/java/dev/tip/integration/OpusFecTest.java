package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.SilenceSource;
import dev.tip.audio.ToneSource;
import dev.tip.core.ClientStatistics;
import dev.tip.core.DialectPreference;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import dev.tip.integration.Tip2TestAudio.RecordingSink;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import dev.tip.testing.netsim.ImpairingRelay;
import dev.tip.testing.netsim.NetworkModel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opus in-band FEC driven by loss feedback, end to end: through a relay that loses bursts of
 * datagrams, the listener reports its loss, the server asks the speaker to protect against it,
 * the speaker's Opus encoder carries FEC, and the listener rebuilds lost packets from it.
 */
class OpusFecTest {

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipClient client(int port, String name, AudioSource source, RecordingSink sink) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .dialectPreference(DialectPreference.AUTO)
                .audioSource(source)
                .audioSink(sink)
                .listener(new SessionListener() {})
                .build());
    }

    @Test
    void aListenersLossTurnsOnTheSpeakersFecAndTheListenerRebuildsLostPacketsFromIt() throws Exception {
        TipServer server = toClose.add(TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .build()
                .start());
        // bursty loss of about 5%, little jitter: losses, not reordering
        NetworkModel network = NetworkModel.builder()
                .base(Duration.ofMillis(10))
                .gamma(2, Duration.ofMillis(1))
                .gilbertElliott(0.04, 0.7)
                .build();
        ImpairingRelay relay = toClose.add(new ImpairingRelay(server.tcpPort(), network, 20_261_204L));
        int frames = 600;
        RecordingSink bobHears = new RecordingSink(frames);
        TipClient ann = client(
                relay.port(), "ann", new ToneSource(AudioFormat.ORIGINAL, 1013, 8000 / 32767.0), new RecordingSink(1));
        TipClient bob = client(relay.port(), "bob", new SilenceSource(AudioFormat.ORIGINAL), bobHears);
        ann.connect();
        bob.connect();
        assertThat(ann.statistics().codec()).isEqualTo("opus");

        Await.until("bob reports loss", () -> bob.statistics().lossReportedPercent() > 0);
        Await.until(
                "the server asks ann to protect against it",
                () -> ann.statistics().lossProtectionPercent() > 0);
        Await.until(
                "bob rebuilds a lost packet from ann's FEC",
                () -> bob.statistics().framesRebuilt() > 0);
        Await.until("bob records " + frames + " frames", () -> bobHears.size() == frames);
        ClientStatistics heard = bob.statistics();
        assertThat(relay.dropped.get()).as("the relay lost voice").isPositive();
        assertThat(ann.statistics().lossProtectionPercent())
                .as("ann protects against what bob reports")
                .isEqualTo(heard.lossReportedPercent());

        // the tone in the frames after FEC came on: it never drops out (a rebuilt frame is Opus's
        // coarse copy, quieter than the buffer's concealment of a steady tone: 81-83% of frames
        // at half level or more with rebuilding, 97% without, on this relay and seed)
        List<short[]> late = bobHears.frames().subList(frames / 2, frames);
        double full = 8000 / Math.sqrt(2);
        long holding =
                late.stream().filter(f -> Tip2TestAudio.rms(f) >= 0.5 * full).count();
        double share = holding / (double) late.size();
        System.out.printf(
                "bob: reported %d%%, ann protects %d%%, rebuilt %d, lost %d, concealed %d, relay dropped %d;"
                        + " tone held in %.1f%% of the last %d frames%n",
                heard.lossReportedPercent(),
                ann.statistics().lossProtectionPercent(),
                heard.framesRebuilt(),
                heard.framesLost(),
                heard.framesConcealed(),
                relay.dropped.get(),
                100 * share,
                late.size());
        assertThat(Tip2TestAudio.power(late, 1013)).isGreaterThan(100 * Tip2TestAudio.power(late, 3100));
        long heardAtAll =
                late.stream().filter(f -> Tip2TestAudio.rms(f) >= 0.1 * full).count();
        // measured 98.7% and 82%; the bounds leave room for a loaded machine's late frames
        assertThat(heardAtAll / (double) late.size()).as("frames with the tone").isGreaterThanOrEqualTo(0.9);
        assertThat(share).as("frames with the tone at half level or more").isGreaterThanOrEqualTo(0.6);
    }
}
