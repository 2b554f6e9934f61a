package dev.tip.gui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.TipClient;
import dev.tip.gui.CallState.Member;
import dev.tip.gui.CallState.Phase;
import dev.tip.server.NicknamePolicy;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The presenter against a real server on loopback, without a display: join, roster, speaking,
 * mute and push-to-talk, errors in words, the end of a session from the server's side, missing
 * audio devices, and what is remembered.
 */
@Timeout(120)
class PresenterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Presenter.Config FAST =
            new Presenter.Config(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(50));

    private TipServer server;
    private Preferences node;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() {
        server = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .jmx(false)
                .build()
                .start();
        node = Preferences.userRoot().node("dev/tip/gui-test/" + UUID.randomUUID());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
        try {
            node.removeNode();
        } catch (BackingStoreException | IllegalStateException e) {
            // nothing stored
        }
    }

    private String address() {
        return "127.0.0.1:" + server.tcpPort();
    }

    private Presenter presenter(InputChoice input) {
        GuiPreferences prefs = new GuiPreferences(node);
        prefs.setInput(input);
        prefs.setOutput(OutputChoice.NONE);
        Presenter p = new Presenter(prefs, FAST);
        open.add(p);
        return p;
    }

    private TipClient member(String nick, boolean talking) {
        TipClient.Builder b =
                TipClient.builder().server("127.0.0.1", server.tcpPort()).nickname(nick);
        if (talking) {
            b.audioSource(new ToneSource(TipClient.ROOM_FORMAT, 440, 0.3));
        }
        TipClient c = b.build();
        open.add(c);
        c.connect();
        return c;
    }

    private static CallState await(Presenter p, String what, Predicate<CallState> condition) {
        if (!Await.within(WAIT, () -> condition.test(p.state()))) {
            throw new AssertionError(
                    "timed out after " + WAIT + " waiting for: " + what + " (state: " + p.state() + ")");
        }
        return p.state();
    }

    private boolean serverHas(String nick) {
        return server.users().stream().anyMatch(u -> u.name().equals(nick));
    }

    /** Waits until the counter has not moved for a whole observation window (voice stopped). */
    private static void awaitStill(String what, LongSupplier counter) {
        Await.until(what, WAIT, () -> {
            long before = counter.getAsLong();
            long end = System.nanoTime() + Duration.ofMillis(400).toNanos();
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
                if (counter.getAsLong() != before) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void awaitGrowing(String what, LongSupplier counter) {
        long start = counter.getAsLong();
        Await.until(what, WAIT, () -> counter.getAsLong() >= start + 10);
    }

    @Test
    void joinsShowsTheRosterAndLeaves() {
        Presenter p = presenter(InputChoice.SILENCE);
        p.connect(address(), "ann", "");
        CallState joined = await(p, "in the call", s -> s.phase() == Phase.CALL);
        assertThat(serverHas("ann")).isTrue();
        assertThat(joined.names()).contains("ann");

        member("bob", false);
        CallState both = await(p, "bob in the roster", s -> s.names().equals(List.of("ann", "bob")));
        assertThat(both.roster())
                .filteredOn(Member::self)
                .extracting(Member::name)
                .containsExactly("ann");
        await(p, "statistics shown", s -> s.statistics().startsWith("TIP/2"));

        p.disconnect();
        assertThat(p.state().phase()).isEqualTo(Phase.CONNECT);
        Await.until("ann left the server", WAIT, () -> !serverHas("ann"));
        assertThat(p.state().message()).isEqualTo("You left the room.");

        // remembered for the next run
        GuiPreferences again = new GuiPreferences(node);
        assertThat(again.server()).isEqualTo(address());
        assertThat(again.nick()).isEqualTo("ann");
        assertThat(new Presenter(again, FAST).state().nick()).isEqualTo("ann");
    }

    @Test
    void showsWhoSpeaks() {
        Presenter p = presenter(InputChoice.SILENCE);
        p.connect(address(), "ann", "");
        await(p, "in the call", s -> s.phase() == Phase.CALL);
        TipClient bob = member("bob", true);
        await(p, "bob speaking", s -> s.roster().stream().anyMatch(m -> m.name().equals("bob") && m.speaking()));
        bob.close();
        await(p, "bob gone", s -> s.names().equals(List.of("ann")));
    }

    @Test
    void aMembersVolumeGoesToTheClientAndIsClamped() {
        Presenter p = presenter(InputChoice.SILENCE);
        p.connect(address(), "ann", "");
        await(p, "in the call", s -> s.phase() == Phase.CALL);
        TipClient bob = member("bob", true);
        await(p, "bob in the roster", s -> s.names().contains("bob"));
        int id = p.state().roster().stream()
                .filter(m -> m.name().equals("bob"))
                .findFirst()
                .orElseThrow()
                .id();
        assertThat(p.volume(id)).isEqualTo(1.0);
        p.setVolume(id, 0.25);
        assertThat(p.volume(id)).isEqualTo(0.25);
        p.setVolume(id, 9);
        assertThat(p.volume(id)).as("the window's slider goes to 2").isEqualTo(2.0);
        bob.close();
    }

    @Test
    void muteAndPushToTalkStopTheVoice() {
        Presenter p = presenter(InputChoice.tone(440));
        TipClient bob = member("bob", false);
        p.connect(address(), "ann", "");
        await(p, "in the call", s -> s.phase() == Phase.CALL);
        LongSupplier heard = () -> bob.statistics().framesReceived();
        awaitGrowing("bob hears ann", heard);
        await(p, "ann shows as speaking", s -> s.roster().stream().anyMatch(m -> m.self() && m.speaking()));
        assertThat(p.state().level()).isGreaterThan(0.1);

        p.setMuted(true);
        awaitStill("bob no longer hears ann (muted)", heard);
        await(p, "ann not speaking when muted", s -> s.roster().stream().noneMatch(m -> m.self() && m.speaking()));
        p.setMuted(false);
        awaitGrowing("bob hears ann again (unmuted)", heard);

        p.setPushToTalkKey(32);
        awaitStill("push-to-talk: silent until the key", heard);
        p.pushToTalkPressed();
        assertThat(p.state().sending()).isTrue();
        awaitGrowing("push-to-talk held: bob hears ann", heard);
        p.pushToTalkReleased();
        awaitStill("push-to-talk released", heard);
        assertThat(new GuiPreferences(node).pushToTalkKey()).isEqualTo(32);
    }

    @Test
    void fieldErrorsInWordsBeforeJoining() {
        Presenter p = presenter(InputChoice.SILENCE);
        p.connect("127.0.0.1:", "", "");
        CallState s = p.state();
        assertThat(s.phase()).isEqualTo(Phase.CONNECT);
        assertThat(s.serverError()).contains("is not HOST:PORT");
        assertThat(s.nickError()).contains("Type a nickname");
        p.connect("127.0.0.1:70000", "a-name-of-far-too-many-characters", "");
        assertThat(p.state().serverError()).contains("1 to 65535");
        assertThat(p.state().nickError()).contains("At most 19");
        p.connect("[::1", "ann", "");
        assertThat(p.state().serverError()).isNotNull();
    }

    @Test
    void refusedTakenAndFullInWords() throws IOException {
        Presenter p = presenter(InputChoice.SILENCE);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        p.connect("127.0.0.1:" + closedPort, "ann", "");
        CallState refused = await(p, "refused", s -> s.phase() == Phase.CONNECT && s.serverError() != null);
        assertThat(refused.serverError()).startsWith("Connection refused");
        assertThat(refused.nickError()).isNull();

        TipServer unique = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .jmx(false)
                .nicknamePolicy(NicknamePolicy.UNIQUE)
                .build()
                .start();
        open.add(unique);
        TipClient other = TipClient.builder()
                .server("127.0.0.1", unique.tcpPort())
                .nickname("ann")
                .build();
        open.add(other);
        other.connect();
        p.connect("127.0.0.1:" + unique.tcpPort(), "ann", "");
        CallState taken = await(p, "taken", s -> s.phase() == Phase.CONNECT && s.nickError() != null);
        assertThat(taken.nickError()).isEqualTo("This nickname is taken: choose another.");
        assertThat(taken.serverError()).isNull();

        try (TipServer full = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .jmx(false)
                .maxUsers(1)
                .build()
                .start()) {
            TipClient first = TipClient.builder()
                    .server("127.0.0.1", full.tcpPort())
                    .nickname("first")
                    .build();
            open.add(first);
            first.connect();
            p.connect("127.0.0.1:" + full.tcpPort(), "ann", "");
            CallState s = await(p, "full", st -> st.phase() == Phase.CONNECT && st.serverError() != null);
            assertThat(s.serverError()).startsWith("The server is full");
        }
    }

    @Test
    void timedOutInWords() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = silent.accept();
                        InputStream in = s.getInputStream()) {
                    in.transferTo(java.io.OutputStream.nullOutputStream()); // takes the nickname, never answers
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Presenter p = presenter(InputChoice.SILENCE);
            p.connect("127.0.0.1:" + silent.getLocalPort(), "ann", "");
            assertThat(p.state().phase()).isEqualTo(Phase.CONNECTING);
            CallState s = await(p, "timed out", st -> st.phase() == Phase.CONNECT && st.serverError() != null);
            assertThat(s.serverError()).startsWith("Timed out: 127.0.0.1:" + silent.getLocalPort());
        }
    }

    @Test
    void kickedAndServerClosedTakeTheWindowBackToConnect() {
        Presenter p = presenter(InputChoice.SILENCE);
        p.connect(address(), "ann", "");
        await(p, "in the call", s -> s.phase() == Phase.CALL);
        int id = server.users().stream()
                .filter(u -> u.name().equals("ann"))
                .findFirst()
                .orElseThrow()
                .id();
        server.kick(id, "Be nice");
        CallState kicked = await(p, "kicked", s -> s.phase() == Phase.CONNECT);
        assertThat(kicked.message()).isEqualTo("The server disconnected you (kicked): Be nice.");

        p.connect(address(), "ann", "");
        await(p, "in the call again", s -> s.phase() == Phase.CALL);
        server.close();
        CallState closed = await(p, "server closed", s -> s.phase() == Phase.CONNECT);
        assertThat(closed.message()).isEqualTo("The server closed: it is shutting down.");
    }

    @Test
    void joinsWithoutAudioDevicesAndSaysWhichSideIsMissing() {
        GuiPreferences prefs = new GuiPreferences(node);
        prefs.setInput(InputChoice.microphone("no-such-device-" + UUID.randomUUID()));
        prefs.setOutput(OutputChoice.speaker("no-such-device-" + UUID.randomUUID()));
        Presenter p = new Presenter(prefs, FAST);
        open.add(p);
        p.connect(address(), "ann", "");
        CallState s = await(p, "in the call", st -> st.phase() == Phase.CALL);
        assertThat(serverHas("ann")).isTrue();
        assertThat(s.audioNote()).contains("No microphone").contains("No speaker");

        p.setInput(InputChoice.tone(440));
        p.setOutput(OutputChoice.NONE);
        await(p, "note gone", st -> st.audioNote() == null && st.input().equals(InputChoice.tone(440)));
        await(p, "tone level", st -> st.level() > 0.1);
        assertThat(new GuiPreferences(node).input()).isEqualTo(InputChoice.tone(440));
    }

    @Test
    void addressesAndChoicesParse() {
        assertThat(ServerAddress.parse(" example.org ")).isEqualTo(new ServerAddress("example.org", 9999));
        assertThat(ServerAddress.parse("[::1]:1234")).isEqualTo(new ServerAddress("::1", 1234));
        assertThat(ServerAddress.parse("[::1]:1234").toString()).isEqualTo("[::1]:1234");
        for (String text : List.of("mic", "mic:USB Audio", "tone:440", "tone:261.5", "wav:a b.wav", "silence")) {
            assertThat(InputChoice.parse(text).toString()).isEqualTo(text);
        }
        for (String text : List.of("speaker", "speaker:HDMI 1", "null")) {
            assertThat(OutputChoice.parse(text).toString()).isEqualTo(text);
        }
    }
}
