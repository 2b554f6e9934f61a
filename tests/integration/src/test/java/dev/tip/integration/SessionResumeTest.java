package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionListener;
import dev.tip.core.SessionState;
import dev.tip.core.TipClient;
import dev.tip.core.User;
import dev.tip.core.VoiceTransport;
import dev.tip.core.internal.crypto.ResumeProof;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.voice.AudioFormat;
import dev.tip.server.Participant;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import dev.tip.testing.netsim.PathProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TIP/2 sessions that survive a broken control connection (docs/protocol.md, "Resuming a
 * session"), on loopback: a real {@link TipServer}, real {@link TipClient}s, a {@link PathProxy}
 * that cuts the TCP connections of the client behind it as a network change does, and raw peers
 * that try to resume with wrong, replayed and expired proofs.
 */
class SessionResumeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server(Duration window) {
        return toClose.add(TipServer.builder()
                .port(0)
                .bindAddress(LOOPBACK)
                .resumeWindow(window)
                .build()
                .start());
    }

    /** Records what the application is told. */
    private static final class Events implements SessionListener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<List<User>> rosters = new CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(SessionState oldState, SessionState newState) {
            seen.add(oldState + "->" + newState);
        }

        @Override
        public void rosterChanged(List<User> roster) {
            rosters.add(roster);
        }

        @Override
        public void sessionResumed(int sessionId) {
            seen.add("resumed " + sessionId);
        }

        @Override
        public void disconnected(DisconnectReason reason, String detail) {
            seen.add("disconnected " + reason);
        }
    }

    private TipClient client(int port, String name, boolean talks, Events events) {
        TipClient.Builder b = TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .voiceCodecs(List.of())
                .listener(events);
        if (talks) {
            b.audioSource(new ToneSource(AudioFormat.ORIGINAL, 1013, 0.2));
        }
        return toClose.add(b.build());
    }

    private static List<String> names(TipServer server) {
        return server.users().stream().map(Participant::name).toList();
    }

    private static int controlPort(TipServer server, String name) {
        return server.users().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow()
                .controlAddress()
                .getPort();
    }

    @Test
    void aBrokenControlConnectionIsResumedWithTheSameIdAndNobodySeesARosterChange() throws Exception {
        TipServer server = server(TipServer.DEFAULT_RESUME_WINDOW);
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), false));
        Events annEvents = new Events();
        Events cidEvents = new Events();
        TipClient ann = client(proxy.port(), "Ann", true, annEvents);
        TipClient bob = client(server.tcpPort(), "Bob", false, new Events());
        TipClient cid = client(server.tcpPort(), "Cid", false, cidEvents);
        ann.connect();
        bob.connect();
        cid.connect();
        Await.until(
                "cid sees all three",
                () -> cidEvents.rosters.size() > 0
                        && cidEvents.rosters.get(cidEvents.rosters.size() - 1).size() == 3);
        int annId = ann.sessionId().getAsInt();
        List<String> before = names(server);
        int annPortBefore = controlPort(server, "Ann");
        int cidRosters = cidEvents.rosters.size();
        long bobHad = bob.statistics().framesReceived();
        Await.until("bob hears ann", () -> bob.statistics().framesReceived() > bobHad + 20);

        proxy.breakConnections();

        Await.until("ann resumed", () -> annEvents.seen.contains("resumed " + annId));
        assertThat(annEvents.seen)
                .containsSubsequence("IN_ROOM->RECONNECTING", "RECONNECTING->IN_ROOM", "resumed " + annId)
                .doesNotContain("disconnected CONNECTION_LOST");
        assertThat(ann.state()).isEqualTo(SessionState.IN_ROOM);
        assertThat(ann.sessionId()).hasValue(annId);
        assertThat(names(server)).isEqualTo(before);
        assertThat(server.statistics().sessionsResumed()).isEqualTo(1);
        // the server shows where the session is now: the new connection's address
        assertThat(controlPort(server, "Ann")).isNotEqualTo(annPortBefore);
        assertThat(proxy.connectionsAccepted.get()).isEqualTo(2);
        long bobHas = bob.statistics().framesReceived();
        Await.until("bob still hears ann", () -> bob.statistics().framesReceived() > bobHas + 40);
        // ann can still talk to the server over control: her leave is seen by the others
        assertThat(cidEvents.rosters).hasSize(cidRosters);
        ann.close();
        Await.until("cid sees ann leave", () -> cidEvents.rosters.size() == cidRosters + 1);
        assertThat(cidEvents.rosters.get(cidRosters)).extracting(User::name).containsExactly("Bob", "Cid");
    }

    @Test
    void aTunnelledSessionResumesAndItsVoiceGoesThroughTheNewConnection() throws Exception {
        TipServer server = server(TipServer.DEFAULT_RESUME_WINDOW);
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), true));
        Events annEvents = new Events();
        TipClient ann = client(proxy.port(), "Ann", true, annEvents);
        TipClient bob = client(server.tcpPort(), "Bob", false, new Events());
        ann.connect();
        bob.connect();
        assertThat(ann.statistics().voiceTransport()).isEqualTo(VoiceTransport.TCP);
        long bobHad = bob.statistics().framesReceived();
        Await.until("bob hears ann through the tunnel", () -> bob.statistics().framesReceived() > bobHad + 20);

        proxy.breakConnections();

        Await.until(
                "ann resumed",
                () -> annEvents.seen.contains("resumed " + ann.sessionId().getAsInt()));
        long bobHas = bob.statistics().framesReceived();
        Await.until(
                "bob hears ann through the new tunnel", () -> bob.statistics().framesReceived() > bobHas + 40);
        assertThat(ann.statistics().voiceTransport()).isEqualTo(VoiceTransport.TCP);
    }

    @Test
    void aClientThatCannotReconnectWithinTheWindowFailsClearlyAndTheOthersSeeItLeave() throws Exception {
        TipServer server = server(Duration.ofSeconds(2));
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), false));
        Events annEvents = new Events();
        Events bobEvents = new Events();
        TipClient ann = client(proxy.port(), "Ann", false, annEvents);
        TipClient bob = client(server.tcpPort(), "Bob", false, bobEvents);
        ann.connect();
        bob.connect();
        Await.until(
                "bob sees ann",
                () -> !bobEvents.rosters.isEmpty()
                        && bobEvents.rosters.get(bobEvents.rosters.size() - 1).size() == 2);
        proxy.refuseConnections(true);

        proxy.breakConnections();

        Await.until("ann reconnects", () -> annEvents.seen.contains("IN_ROOM->RECONNECTING"));
        assertThat(names(server)).containsExactly("Ann", "Bob");
        Await.until("ann fails", () -> ann.state() == SessionState.FAILED);
        assertThat(ann.failureReason()).contains(DisconnectReason.CONNECTION_LOST);
        // the listener hears of it on its executor, a moment after the state changed
        Await.until(
                "ann's listener hears it",
                () -> annEvents.seen.containsAll(List.of("RECONNECTING->FAILED", "disconnected CONNECTION_LOST")));
        Await.until(
                "bob sees ann leave once the window passed",
                () -> bobEvents.rosters.get(bobEvents.rosters.size() - 1).stream()
                        .map(User::name)
                        .toList()
                        .equals(List.of("Bob")));
        assertThat(server.statistics().sessionsResumed()).isZero();
    }

    /** A raw TIP/2 peer: joins as resumable, reads what the server says. */
    private static final class Raw implements AutoCloseable {
        final Socket socket = new Socket();
        final ControlDecoder decoder = new ControlDecoder();
        final List<ControlMessage> messages = new ArrayList<>();
        private final byte[] buf = new byte[4096];

        Raw(int port) throws IOException {
            socket.connect(new InetSocketAddress(LOOPBACK, port));
            socket.setSoTimeout(30_000);
        }

        void send(String json) throws IOException {
            socket.getOutputStream().write(json.getBytes(StandardCharsets.US_ASCII));
        }

        /** Reads until a message of the type arrives (or the stream ends: null). */
        <T extends ControlMessage> T await(Class<T> type) throws IOException {
            InputStream in = socket.getInputStream();
            while (true) {
                for (ControlMessage m : messages) {
                    if (type.isInstance(m)) {
                        messages.remove(m);
                        return type.cast(m);
                    }
                }
                int n = in.read(buf);
                if (n < 0) {
                    return null;
                }
                decoder.feed(buf, 0, n);
                ControlMessage m;
                while ((m = decoder.next()) != null) {
                    messages.add(m);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String resume(int id, String proof) {
        return "{\"KEY\": 2, \"NAME\": \"x\", \"VERSION\": 2, \"RESUME_ID\": " + id + ", \"RESUME_PROOF\": \"" + proof
                + "\"}";
    }

    @Test
    void wrongReplayedAndExpiredProofsAreRefusedClearly() throws Exception {
        TipServer server = server(Duration.ofSeconds(2));
        Events bobEvents = new Events();
        TipClient bob = client(server.tcpPort(), "Bob", false, bobEvents);
        bob.connect();
        Raw raw = toClose.add(new Raw(server.tcpPort()));
        raw.send("{\"KEY\": 2, \"NAME\": \"Raw\", \"VERSION\": 2, \"RESUMABLE\": 1}");
        ControlMessage.Session s = raw.await(ControlMessage.Session.class);
        assertThat(s.extensions().getLong("RESUME_WINDOW")).hasValue(2000);
        byte[] secret = HexFormat.of()
                .parseHex(s.extensions().getString("RESUME_SECRET").orElseThrow());
        int id = s.session();
        raw.close();
        Await.until(
                "the server saw the connection break",
                () -> server.statistics().resumesRefused() == 0
                        && server.users().size() == 2);

        // a wrong proof: refused, the session waits on
        try (Raw wrong = new Raw(server.tcpPort())) {
            wrong.send(resume(id, ResumeProof.proof(new byte[16], id, 1)));
            assertThat(wrong.await(ControlMessage.Disconnect.class).reason())
                    .isEqualTo("Resume refused: wrong resume proof for session " + id);
        }
        // the right one: resumed, same id
        try (Raw right = new Raw(server.tcpPort())) {
            right.send(resume(id, ResumeProof.proof(secret, id, 1)));
            ControlMessage.Session back = right.await(ControlMessage.Session.class);
            assertThat(back.session()).isEqualTo(id);
            assertThat(back.extensions().getLong("RESUMED")).hasValue(1);
            assertThat(right.await(ControlMessage.SendNewUsers.class).users()).containsExactly("Bob", "Raw");
        }
        // the same proof again (seen on the wire): refused
        try (Raw replay = new Raw(server.tcpPort())) {
            replay.send(resume(id, ResumeProof.proof(secret, id, 1)));
            assertThat(replay.await(ControlMessage.Disconnect.class).reason())
                    .isEqualTo("Resume refused: resume proof for session " + id + " used before");
        }
        assertThat(names(server)).containsExactly("Bob", "Raw");
        // after the window: gone, and a correct new proof is refused
        Await.until("raw left once its window passed", () -> names(server).equals(List.of("Bob")));
        try (Raw late = new Raw(server.tcpPort())) {
            late.send(resume(id, ResumeProof.proof(secret, id, 2)));
            assertThat(late.await(ControlMessage.Disconnect.class).reason())
                    .isEqualTo(
                            "Resume refused: no session " + id + " to resume (it ended, or its resume window passed)");
        }
        assertThat(server.statistics().resumesRefused()).isEqualTo(3);
        assertThat(server.statistics().sessionsResumed()).isEqualTo(1);
        assertThat(bobEvents.seen).doesNotContain("disconnected CONNECTION_LOST");
    }
}
