package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.audio.WavFileSink;
import dev.tip.audio.WavFileSource;
import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionListener;
import dev.tip.core.SessionState;
import dev.tip.core.TipClient;
import dev.tip.core.voice.AudioFormat;
import dev.tip.server.LeaveReason;
import dev.tip.server.Participant;
import dev.tip.server.ServerListener;
import dev.tip.server.TipServer;
import dev.tip.testing.ToneDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TipClient against an embedded TipServer on loopback: real sockets, real threads, tones in and
 * WAV recordings out. In the original dialect a frame carries one speaker (no mixing), so a
 * recording is judged frame by frame: which candidate tone fills each frame.
 */
class ClientAgainstServerTest {

    private static final AudioFormat ROOM = TipClient.ROOM_FORMAT;
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    @TempDir
    Path dir;

    private TipServer server;
    private final Map<String, LeaveReason> left = new ConcurrentHashMap<>();
    private final List<TipClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getByName("127.0.0.1"))
                .jmx(false)
                .listener(new ServerListener() {
                    @Override
                    public void userLeft(Participant user, LeaveReason reason) {
                        left.put(user.name(), reason);
                    }
                })
                .build()
                .start();
    }

    @AfterEach
    void stopAll() {
        clients.forEach(TipClient::close);
        server.close();
    }

    @Test
    void twoClientsSeeEachOtherInTheRosterAndHearEachOthersTone() throws Exception {
        TipClient ann = client("ann", 440, new Events());
        TipClient bob = client("bob", 880, new Events());
        ann.connect();
        bob.connect();
        await(
                () -> ann.roster().stream()
                                .map(dev.tip.core.User::name)
                                .toList()
                                .equals(List.of("ann", "bob"))
                        && bob.roster().stream()
                                .map(dev.tip.core.User::name)
                                .toList()
                                .equals(List.of("ann", "bob")),
                "both see both");
        await(
                () -> ann.statistics().framesReceived() >= 40
                        && bob.statistics().framesReceived() >= 40,
                "voice both ways");
        ann.close();
        bob.close();

        int[] annHeard = framesByTone(recording("ann"), 440, 880);
        int[] bobHeard = framesByTone(recording("bob"), 440, 880);
        assertThat(annHeard[1]).as("frames of bob's 880 Hz that ann recorded").isGreaterThanOrEqualTo(20);
        assertThat(annHeard[0]).as("frames of ann's own tone in her recording").isZero();
        assertThat(bobHeard[0]).as("frames of ann's 440 Hz that bob recorded").isGreaterThanOrEqualTo(20);
        assertThat(bobHeard[1]).as("frames of bob's own tone in his recording").isZero();
        assertThat(ToneDetector.dominantFrequency(recording("ann"), ROOM.sampleRate()))
                .isBetween(875.0, 885.0);
    }

    @Test
    void aMutedClientIsNoLongerHeardAndIsHeardAgainWhenUnmuted() throws Exception {
        TipClient ann = client("ann", 440, new Events());
        TipClient bob = client("bob", 880, new Events());
        bob.setMuted(true); // only ann speaks: everything bob receives comes from her
        ann.connect();
        bob.connect();
        await(() -> bob.statistics().framesReceived() >= 20, "bob hears ann");

        ann.setMuted(true);
        long capturedAtMute = ann.statistics().framesCaptured();
        // a frame already past the mute check when mute was set may still go out
        await(() -> ann.statistics().framesCaptured() >= capturedAtMute + 3, "ann captures on while muted");
        long sentWhileMuted = ann.statistics().framesSent();
        await(() -> ann.statistics().framesCaptured() >= capturedAtMute + 40, "a second of muted capture");
        assertThat(ann.statistics().framesSent())
                .as("ann sends nothing while muted")
                .isEqualTo(sentWhileMuted);
        assertThat(bob.statistics().framesReceived())
                .as("bob receives no more than ann sent before the mute")
                .isLessThanOrEqualTo(sentWhileMuted);

        ann.setMuted(false);
        await(() -> bob.statistics().framesReceived() > sentWhileMuted, "bob hears ann again");
        assertThat(ann.isMuted()).isFalse();
    }

    @Test
    void closingAClientShrinksTheRosterAndTheServerSeesItQuit() throws Exception {
        TipClient ann = client("ann", 440, new Events());
        TipClient bob = client("bob", 880, new Events());
        ann.connect();
        bob.connect();
        await(() -> ann.roster().size() == 2, "ann sees bob");

        bob.close();
        assertThat(bob.state()).isEqualTo(SessionState.CLOSED);
        await(
                () -> ann.roster().stream()
                        .map(dev.tip.core.User::name)
                        .toList()
                        .equals(List.of("ann")),
                "ann's roster shrinks to herself");
        await(() -> left.get("bob") == LeaveReason.QUIT, "the server's listener sees bob quit");
        assertThat(ann.state()).isEqualTo(SessionState.IN_ROOM);
    }

    @Test
    void stoppingTheServerTellsTheClientTheServerClosed() throws Exception {
        Events events = new Events();
        TipClient ann = client("ann", 440, events);
        ann.connect();
        await(
                () -> ann.roster().stream()
                        .map(dev.tip.core.User::name)
                        .toList()
                        .equals(List.of("ann")),
                "ann is in the room");

        server.close();
        await(() -> ann.state() == SessionState.FAILED, "ann's session fails");
        assertThat(ann.failureReason()).contains(DisconnectReason.SERVER_CLOSED);
        await(
                () -> events.serverClosed && events.disconnected.contains(DisconnectReason.SERVER_CLOSED),
                "the listener hears serverClosed and disconnected(SERVER_CLOSED)");
        assertThat(events.states).endsWith(SessionState.FAILED);
    }

    @Test
    void threeClientsTakingTurnsEachHearTheOtherTwo() throws Exception {
        double[] tones = {440, 700, 1000};
        String[] names = {"ann", "bob", "cy"};
        List<TipClient> room = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TipClient c = client(names[i], tones[i], new Events());
            c.setMuted(true);
            c.connect();
            room.add(c);
        }
        await(() -> room.stream().allMatch(c -> c.roster().size() == 3), "everyone sees three");
        for (TipClient speaker : room) {
            long[] before = room.stream()
                    .mapToLong(c -> c.statistics().framesReceived())
                    .toArray();
            speaker.setMuted(false);
            await(
                    () -> {
                        for (int j = 0; j < 3; j++) {
                            if (room.get(j) != speaker
                                    && room.get(j).statistics().framesReceived() < before[j] + 30) {
                                return false;
                            }
                        }
                        return true;
                    },
                    speaker.nickname() + " is heard by the other two");
            speaker.setMuted(true);
        }
        room.forEach(TipClient::close);

        for (int i = 0; i < 3; i++) {
            int[] heard = framesByTone(recording(names[i]), tones);
            for (int j = 0; j < 3; j++) {
                if (j == i) {
                    assertThat(heard[j]).as(names[i] + " hears " + names[i]).isZero();
                } else {
                    assertThat(heard[j]).as(names[i] + " hears " + names[j]).isGreaterThanOrEqualTo(15);
                }
            }
        }
    }

    @Test
    void threeClientsTalkingAtOnceEachReceiveBothOthersButNeverThemselves() throws Exception {
        double[] tones = {440, 700, 1000};
        String[] names = {"ann", "bob", "cy"};
        List<TipClient> room = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TipClient c = client(names[i], tones[i], new Events());
            c.connect();
            room.add(c);
        }
        await(() -> room.stream().allMatch(c -> c.roster().size() == 3), "everyone sees three");
        long[] sentBefore =
                room.stream().mapToLong(c -> c.statistics().framesSent()).toArray();
        long[] receivedBefore =
                room.stream().mapToLong(c -> c.statistics().framesReceived()).toArray();
        await(
                () -> room.stream().allMatch(c -> c.statistics().framesSent() >= sentBefore[room.indexOf(c)] + 80),
                "two seconds of everyone talking");
        room.forEach(TipClient::close);

        for (int i = 0; i < 3; i++) {
            long othersSent = 0;
            for (int j = 0; j < 3; j++) {
                othersSent += j == i ? 0 : room.get(j).statistics().framesSent() - sentBefore[j];
            }
            long received = room.get(i).statistics().framesReceived() - receivedBefore[i];
            // interleaved datagrams of two speakers: about twice a speaker's rate arrives
            assertThat(received).as(names[i] + " receives both others").isGreaterThan(othersSent / 2 + 40);
            int[] heard = framesByTone(recording(names[i]), tones);
            assertThat(heard[i]).as(names[i] + " never hears itself").isZero();
            assertThat(heard[(i + 1) % 3] + heard[(i + 2) % 3])
                    .as(names[i] + " plays the others")
                    .isGreaterThanOrEqualTo(40);
        }
    }

    // ------------------------------------------------------------------ helpers

    private TipClient client(String name, double toneHz, Events events) throws IOException {
        TipClient c = TipClient.builder()
                .server("127.0.0.1", server.tcpPort())
                .nickname(name)
                .audioSource(new ToneSource(ROOM, toneHz, 0.5))
                .audioSink(new WavFileSink(dir.resolve(name + ".wav"), ROOM))
                .listener(events)
                .build();
        clients.add(c);
        return c;
    }

    private short[] recording(String name) throws IOException {
        short[] frame = new short[ROOM.frameLength()];
        short[] all = new short[0];
        try (WavFileSource in = new WavFileSource(dir.resolve(name + ".wav"), ROOM, false)) {
            while (in.read(frame)) {
                all = Arrays.copyOf(all, all.length + frame.length);
                System.arraycopy(frame, 0, all, all.length - frame.length, frame.length);
            }
        }
        return all;
    }

    /**
     * Counts, per candidate, the frames of a recording that it fills: the loudest candidate of the
     * frame, at 0.05 of full scale or more. Silent frames count for none.
     */
    private static int[] framesByTone(short[] recording, double... tones) {
        int length = ROOM.frameLength();
        int[] counts = new int[tones.length];
        for (int start = 0; start + length <= recording.length; start += length) {
            short[] frame = Arrays.copyOfRange(recording, start, start + length);
            int best = -1;
            double loudest = 0.05;
            for (int t = 0; t < tones.length; t++) {
                double a = ToneDetector.amplitude(frame, ROOM.sampleRate(), tones[t]);
                if (a >= loudest) {
                    loudest = a;
                    best = t;
                }
            }
            if (best >= 0) {
                counts[best]++;
            }
        }
        return counts;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** What a client's listener heard. Thread-safe (concurrent collections, volatile flag). */
    private static final class Events implements SessionListener {
        final List<SessionState> states = new CopyOnWriteArrayList<>();
        final List<DisconnectReason> disconnected = new CopyOnWriteArrayList<>();
        volatile boolean serverClosed;

        @Override
        public void stateChanged(SessionState oldState, SessionState newState) {
            states.add(newState);
        }

        @Override
        public void serverClosed() {
            serverClosed = true;
        }

        @Override
        public void disconnected(DisconnectReason reason, String detail) {
            disconnected.add(reason);
        }
    }
}
