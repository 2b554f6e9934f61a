package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.ClientStatistics;
import dev.tip.core.Dialect;
import dev.tip.core.DialectPreference;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.User;
import dev.tip.core.voice.AudioFormat;
import dev.tip.integration.Tip2TestAudio.RecordingSink;
import dev.tip.server.TipServer;
import dev.tip.testing.Closer;
import dev.tip.testing.netsim.ImpairingRelay;
import dev.tip.testing.netsim.NetworkModel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TIP/2 end to end on loopback: real {@link TipServer}, real {@link TipClient}s with tone sources
 * and recording sinks; a mixed room with an original-dialect client, and two TIP/2 clients
 * behind a relay that delays, reorders and loses their voice.
 */
class Tip2ClientEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server() {
        return toClose.add(TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .build()
                .start());
    }

    /** tip-audio's tone source in the room format; amplitude in sample units as the checks use it. */
    private static ToneSource tone(double hz, int amplitude) {
        return new ToneSource(AudioFormat.ORIGINAL, hz, amplitude / 32767.0);
    }

    private TipClient client(
            int port,
            String name,
            DialectPreference dialect,
            ToneSource tone,
            RecordingSink sink,
            SessionListener listener) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .dialectPreference(dialect)
                .audioSource(tone)
                .audioSink(sink)
                .listener(listener)
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

    /** Remembers speaking events as lines. */
    static final class Speaking implements SessionListener {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void speakingChanged(User user, boolean speaking) {
            lines.add(user.name() + (speaking ? " on" : " off"));
        }
    }

    /** The tones expected in a recording stand far above the one that must not be there, and noise. */
    private static void assertHears(String who, RecordingSink sink, double notHz, double... hz) {
        List<short[]> heard = sink.frames();
        double own = Tip2TestAudio.power(heard, notHz);
        double elsewhere = Tip2TestAudio.power(heard, 3_607);
        for (double f : hz) {
            assertThat(Tip2TestAudio.power(heard, f))
                    .as("%s hears %s Hz", who, f)
                    .isGreaterThan(50 * Math.max(own, elsewhere));
        }
    }

    @Test
    void twoTip2ClientsAndAnOriginalClientInOneRoomHearEachOthersTones() {
        TipServer server = server();
        int port = server.tcpPort();
        RecordingSink annHears = new RecordingSink(200);
        RecordingSink bobHears = new RecordingSink(200);
        RecordingSink cyHears = new RecordingSink(200);
        Speaking annSees = new Speaking();
        TipClient ann = client(port, "ann", DialectPreference.AUTO, tone(1013, 6000), annHears, annSees);
        TipClient bob =
                client(port, "bob", DialectPreference.AUTO, tone(1511, 6000), bobHears, new SessionListener() {});
        TipClient cy =
                client(port, "cy", DialectPreference.ORIGINAL, tone(2003, 6000), cyHears, new SessionListener() {});
        ann.connect();
        bob.connect();
        cy.connect();
        assertThat(ann.dialect()).contains(Dialect.TIP2);
        assertThat(bob.dialect()).contains(Dialect.TIP2);
        assertThat(cy.dialect()).contains(Dialect.ORIGINAL);
        await("ann's roster names everyone with ids", () -> ann.roster().size() == 3);
        assertThat(ann.roster()).extracting(User::name).containsExactly("ann", "bob", "cy");
        assertThat(ann.roster())
                .extracting(User::id)
                .containsExactly(
                        ann.sessionId().getAsInt(),
                        bob.sessionId().getAsInt(),
                        cy.sessionId().getAsInt());
        await("cy's roster", () -> cy.roster().size() == 3);
        assertThat(cy.roster()).extracting(User::id).containsOnly(User.NO_ID);

        await(
                "everyone records 200 frames",
                () -> annHears.size() == 200 && bobHears.size() == 200 && cyHears.size() == 200);
        assertHears("ann", annHears, 1013, 1511, 2003);
        assertHears("bob", bobHears, 1511, 1013, 2003);
        assertHears("cy (original dialect)", cyHears, 2003, 1013, 1511);
        await("ann sees bob and cy speaking", () -> annSees.lines.containsAll(List.of("bob on", "cy on")));

        ClientStatistics stats = ann.statistics();
        assertThat(stats.framesReceived()).isGreaterThanOrEqualTo(200);
        // a newcomer's first datagrams could beat the roster naming it (UDP against TCP): a few at most
        assertThat(stats.datagramsRejected()).isLessThan(5);
        assertThat(cy.statistics().framesLost())
                .as("unknown in the original dialect")
                .isEqualTo(-1);
    }

    @Test
    void twoTip2ClientsThroughAnImpairingRelayHearAToneWithNoGapsBeyondTheConcealedLosses() throws Exception {
        TipServer server = server();
        NetworkModel network = NetworkModel.builder()
                .base(Duration.ofMillis(15))
                .gamma(2, Duration.ofMillis(6))
                .correlation(0.3)
                .gilbertElliott(0.03, 0.6)
                .build();
        ImpairingRelay relay = toClose.add(new ImpairingRelay(server.tcpPort(), network, 20_251_125L));
        int frames = 240;
        RecordingSink annHears = new RecordingSink(frames);
        RecordingSink bobHears = new RecordingSink(frames);
        TipClient ann = client(
                relay.port(), "ann", DialectPreference.AUTO, tone(1013, 8000), annHears, new SessionListener() {});
        TipClient bob = client(
                relay.port(), "bob", DialectPreference.AUTO, tone(1511, 8000), bobHears, new SessionListener() {});
        ann.connect();
        bob.connect();
        assertThat(ann.dialect()).contains(Dialect.TIP2);
        assertThat(bob.dialect()).contains(Dialect.TIP2);
        await("both record " + frames + " frames", () -> annHears.size() == frames && bobHears.size() == frames);
        ClientStatistics annStats = ann.statistics();
        ClientStatistics bobStats = bob.statistics();
        assertThat(relay.dropped.get()).as("the relay lost voice").isPositive();

        assertHears("ann", annHears, 1013, 1511);
        assertHears("bob", bobHears, 1511, 1013);
        assertContinuous("ann", annHears, 8000, annStats);
        assertContinuous("bob", bobHears, 8000, bobStats);
    }

    /**
     * The recorded tone holds its level frame after frame, except where frames were lost: every
     * run of quiet frames is matched by a loss the jitter buffer counted, and there are no more
     * quiet frames than concealed and lost ones.
     */
    private static void assertContinuous(String who, RecordingSink sink, int amplitude, ClientStatistics stats) {
        double full = amplitude / Math.sqrt(2);
        List<short[]> frames = sink.frames();
        int quiet = 0;
        int runs = 0;
        boolean inRun = false;
        // the end of the recording is not judged: the statistics were read a moment after it
        for (int i = 0; i < frames.size(); i++) {
            boolean q = Tip2TestAudio.rms(frames.get(i)) < 0.25 * full;
            if (q) {
                quiet++;
                if (!inRun) {
                    runs++;
                }
            }
            inRun = q;
        }
        System.out.printf(
                "%s: %d frames, %d quiet in %d runs; lost %d, late %d, concealed %d%n",
                who, frames.size(), quiet, runs, stats.framesLost(), stats.framesLate(), stats.framesConcealed());
        assertThat(stats.framesLost()).as("%s's buffer saw losses", who).isPositive();
        assertThat(stats.framesConcealed()).as("%s's buffer concealed", who).isPositive();
        assertThat(runs).as("%s: every gap is a counted loss", who).isLessThanOrEqualTo((int) stats.framesLost());
        assertThat(quiet).as("%s: quiet frames within concealed and lost", who).isLessThanOrEqualTo((int)
                (stats.framesConcealed() + stats.framesLost()));
    }
}
