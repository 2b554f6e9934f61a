package dev.tip.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.TestAudio.RecordingSink;
import dev.tip.core.TestAudio.ToneSource;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The client against a stand-in that behaves on the wire like the original Python server: join,
 * roster, raw PCM both ways at 20 kHz pacing, mute, close, server shutdown.
 */
class OriginalServerInteropTest {

    private static TipClient.Builder client(OriginalPythonServer server, String nickname) {
        return TipClient.builder().server("127.0.0.1", server.port()).nickname(nickname);
    }

    /** The voice address the server registered for a client, from what the client sent it. */
    private static InetSocketAddress voiceOf(OriginalPythonServer server, String nickname) {
        OriginalPythonServer.Client c = server.client(nickname);
        assertThat(c).as("server knows " + nickname).isNotNull();
        Await.until(nickname + "'s CLIENT_PORT", () -> c.voice != null);
        return c.voice;
    }

    @Test
    void twoClientsJoinSeeEachOtherAndHearEachOthersToneAsRawPcm() throws Exception {
        ToneSource annTone = new ToneSource(1000, 8000);
        ToneSource bobTone = new ToneSource(1500, 8000);
        RecordingSink annHears = new RecordingSink();
        RecordingSink bobHears = new RecordingSink();
        EventLog annLog = new EventLog();
        try (OriginalPythonServer server = OriginalPythonServer.start();
                TipClient ann = client(server, "ann")
                        .audioSource(annTone)
                        .audioSink(annHears)
                        .listener(annLog)
                        .build();
                TipClient bob = client(server, "bob")
                        .audioSource(bobTone)
                        .audioSink(bobHears)
                        .build()) {
            ann.connect();
            assertThat(ann.state()).isEqualTo(SessionState.IN_ROOM);
            assertThat(ann.sessionId()).hasValue(0);
            bob.connect();
            assertThat(bob.sessionId()).hasValue(1);
            assertThat(bob.roster().stream().map(User::name).toList()).containsExactly("ann", "bob");
            Await.until(
                    "ann sees bob",
                    () -> ann.roster().stream().map(User::name).toList().equals(List.of("ann", "bob")));
            Await.until("ann's roster events", () -> annLog.has("users [ann, bob]"));
            assertThat(annLog.snapshot())
                    .containsSubsequence("users [ann]", "session 0", "state JOINING -> IN_ROOM", "users [ann, bob]");

            // the default (AUTO) offers TIP/2; the original server ignores the field, sends no VERSION
            assertThat(ann.dialect()).as("falls back to the original dialect").contains(Dialect.ORIGINAL);
            assertThat(bob.dialect()).contains(Dialect.ORIGINAL);
            // what the original server read from ann: nickname then port, one message each piece
            String handshake = server.client("ann").receivedText();
            Matcher m = Pattern.compile(
                            "\\{\"KEY\": 2, \"NAME\": \"ann\", \"VERSION\": 2, \"KEY_SHARE\": \"[A-Za-z0-9_-]{43}\", \"TUNNEL\": 1, \"RESUMABLE\": 1, \"FEATURES\": \\[\"rooms\", \"deltas\", \"loss\"\\]\\}\\{\"KEY\": 7, \"PORT\": ([0-9]+)\\}")
                    .matcher(handshake);
            assertThat(m.lookingAt()).as(handshake).isTrue();
            InetSocketAddress annVoice = voiceOf(server, "ann");
            assertThat(annVoice.getPort()).isEqualTo(Integer.parseInt(m.group(1)));
            // connect() returns in the room; the join datagram may still be on its way to the server
            Await.until(
                    "bob's first datagram reaches the server",
                    () -> server.firstDatagramFrom(voiceOf(server, "bob")) != null);
            byte[] probe = server.firstDatagramFrom(voiceOf(server, "bob"));
            assertThat(probe).as("bob's first datagram is the join datagram").hasSize(1024);
            byte[] letters = new byte[1024];
            Arrays.fill(letters, (byte) 'a');
            assertThat(probe).isEqualTo(letters);

            Await.until("bob hears 40 frames of ann", () -> bobHears.nonSilentFrames() >= 40);
            Await.until("ann hears 40 frames of bob", () -> annHears.nonSilentFrames() >= 40);
            // the original dialect's queue holds whole frames: played out whole
            assertThat(annHears.writeLengths()).containsExactly(512);

            assertHearsOnly(bobHears, 1000, 1500);
            assertHearsOnly(annHears, 1500, 1000);
            assertEveryFrameIsOneTheOtherSent(bobHears, annTone);
            assertEveryFrameIsOneTheOtherSent(annHears, bobTone);
            assertThat(annTone.readThread).endsWith("-capture");
            assertThat(annHears.writeThread).endsWith("-playout");

            ClientStatistics stats = bob.statistics();
            assertThat(stats.framesSent()).isPositive();
            assertThat(stats.framesCaptured()).isGreaterThanOrEqualTo(stats.framesSent());
            assertThat(stats.framesReceived()).isGreaterThanOrEqualTo(40);
            assertThat(stats.framesPlayed()).isGreaterThanOrEqualTo(40);
            assertThat(stats.framesLost()).as("unknown in the original dialect").isEqualTo(-1);
        }
    }

    /** The tone heard is the other's, by far; the listener's own tone is not echoed back. */
    private static void assertHearsOnly(RecordingSink sink, double expectedHz, double ownHz) {
        List<short[]> heard = sink.nonSilent();
        double expected = TestAudio.power(heard, expectedHz, 20_000);
        double own = TestAudio.power(heard, ownHz, 20_000);
        double elsewhere = TestAudio.power(heard, 3100, 20_000);
        assertThat(expected).as("power at %s Hz", expectedHz).isGreaterThan(100 * Math.max(own, elsewhere));
    }

    /** Raw PCM relayed unchanged: each frame played is bit for bit a frame the other client produced. */
    private static void assertEveryFrameIsOneTheOtherSent(RecordingSink sink, ToneSource source) {
        List<short[]> produced = source.produced();
        int from = 0;
        for (short[] frame : sink.nonSilent()) {
            int found = -1;
            for (int i = from; i < produced.size(); i++) {
                if (Arrays.equals(produced.get(i), frame)) {
                    found = i;
                    break;
                }
            }
            assertThat(found).as("a played frame is a produced frame, in order").isGreaterThanOrEqualTo(0);
            from = found + 1;
        }
    }

    @Test
    void muteStopsSendingAndUnmuteResumes() throws Exception {
        ToneSource tone = new ToneSource(700, 8000);
        try (OriginalPythonServer server = OriginalPythonServer.start();
                TipClient ann = client(server, "ann").audioSource(tone).build();
                TipClient bob = client(server, "bob").build()) {
            ann.connect();
            bob.connect();
            InetSocketAddress annVoice = voiceOf(server, "ann");
            Await.until("bob receives ann", () -> bob.statistics().framesReceived() >= 5);

            ann.setMuted(true);
            assertThat(ann.isMuted()).isTrue();
            long captured = ann.statistics().framesCaptured();
            Await.until(
                    "ann captures 5 more frames while muted",
                    () -> ann.statistics().framesCaptured() >= captured + 5);
            long sentWhileMuted = ann.statistics().framesSent();
            int atServer = server.datagramsFrom(annVoice);
            long receivedByBob = bob.statistics().framesReceived();
            Await.until(
                    "ann captures 10 more frames while muted",
                    () -> ann.statistics().framesCaptured() >= captured + 15);
            assertThat(ann.statistics().framesSent())
                    .as("nothing sent while muted")
                    .isEqualTo(sentWhileMuted);

            ann.setMuted(false);
            Await.until("sending resumes", () -> ann.statistics().framesSent() >= sentWhileMuted + 5);
            Await.until("the server sees ann again", () -> server.datagramsFrom(annVoice) > atServer);
            Await.until("bob hears ann again", () -> bob.statistics().framesReceived() > receivedByBob);
        }
    }

    @Test
    void closeSendsQuitAndTheOthersSeeTheRosterShrink() throws Exception {
        ToneSource tone = new ToneSource(700, 8000);
        RecordingSink sink = new RecordingSink();
        EventLog bobLog = new EventLog();
        try (OriginalPythonServer server = OriginalPythonServer.start();
                TipClient bob = client(server, "bob").listener(bobLog).build()) {
            TipClient ann =
                    client(server, "ann").audioSource(tone).audioSink(sink).build();
            ann.connect();
            bob.connect();
            Await.until("ann sees bob", () -> ann.roster().size() == 2);
            OriginalPythonServer.Client annAtServer = server.client("ann");
            try {
                Await.until("voice flows", () -> ann.statistics().framesSent() > 3);
            } finally {
                ann.close();
            }
            assertThat(ann.state()).isEqualTo(SessionState.CLOSED);
            assertThat(annAtServer.receivedText()).endsWith("{\"KEY\": 4, \"REASON\": \"Quit\"}");
            assertThat(annAtServer.messages).last().satisfies(m -> assertThat(m).containsEntry("REASON", "Quit"));
            Await.until(
                    "bob sees the roster shrink",
                    () -> bob.roster().stream().map(User::name).toList().equals(List.of("bob")));
            Await.until("bob's roster event", () -> bobLog.has("users [bob]"));
            assertThat(tone.closed).isTrue();
            assertThat(sink.closed).isTrue();
            Await.until("ann's threads end", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith(threadPrefix(annTone(tone)))));
        }
    }

    /** The capture thread's name minus its role: every thread of that client starts with it. */
    private static String threadPrefix(String captureThreadName) {
        return captureThreadName.substring(0, captureThreadName.lastIndexOf('-') + 1);
    }

    private static String annTone(ToneSource tone) {
        assertThat(tone.readThread).isNotNull();
        return tone.readThread;
    }

    @Test
    void aServerShutdownIsToldToTheListenerAndEndsTheSession() throws Exception {
        EventLog log = new EventLog();
        RecordingSink sink = new RecordingSink();
        OriginalPythonServer server = OriginalPythonServer.start();
        try (TipClient ann = client(server, "ann").listener(log).audioSink(sink).build()) {
            try {
                ann.connect();
            } finally {
                server.close();
            }
            Await.until("the server-closed event", () -> log.has("serverClosed"));
            Await.until("the disconnected event", () -> log.hasPrefix("disconnected SERVER_CLOSED"));
            assertThat(ann.state()).isEqualTo(SessionState.FAILED);
            assertThat(ann.failureReason()).contains(DisconnectReason.SERVER_CLOSED);
            assertThat(log.snapshot())
                    .containsSubsequence(
                            "serverClosed",
                            "state IN_ROOM -> FAILED",
                            "disconnected SERVER_CLOSED: the server is shutting down (SERVER_CLOSE)");
            Await.until("the sink is released", () -> sink.closed);
            assertThat(log.threads).allSatisfy(t -> assertThat(t).endsWith("-events"));
        }
    }
}
