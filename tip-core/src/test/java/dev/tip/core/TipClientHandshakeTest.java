package dev.tip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.TestAudio.RecordingSink;
import dev.tip.core.TestAudio.ToneSource;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The handshake and the session's end, against servers scripted byte by byte. */
class TipClientHandshakeTest {

    // groups: 1 NAME, 2 VERSION, 3 KEY_SHARE (a TIP/2 client encrypts by default), 4 PORT
    private static final Pattern HANDSHAKE = Pattern.compile(
            "\\{\"KEY\": 2, \"NAME\": \"([^\"]*)\"(, \"VERSION\": 2)?(, \"KEY_SHARE\": \"[A-Za-z0-9_-]{43}\")?(, \"TUNNEL\": 1)?(?:, \"RESUMABLE\": 1)?(?:, \"FEATURES\": \\[\"rooms\", \"deltas\", \"loss\"\\])?\\}\\{\"KEY\": 7, \"PORT\": ([0-9]+)\\}");

    /** Runs connect() on a thread of the test's own, so the test can play the server meanwhile. */
    private static FutureTask<Void> connectAsync(TipClient client) {
        FutureTask<Void> task = new FutureTask<>(client::connect, null);
        Thread t = new Thread(task, "test-connect");
        t.setDaemon(true);
        t.start();
        return task;
    }

    private static Throwable failureOf(FutureTask<Void> task) throws Exception {
        try {
            task.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("connect() returned normally");
    }

    @Test
    void sendsNicknameThenClientPortAtOnceAndThenTheJoinDatagramOfLetterA() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .dialectPreference(DialectPreference.ORIGINAL)
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            String handshake = ScriptedServer.readHandshake(peer);
            Matcher m = HANDSHAKE.matcher(handshake);
            assertThat(m.matches()).as(handshake).isTrue();
            assertThat(m.group(1)).isEqualTo("ann");
            assertThat(m.group(2)).as("ORIGINAL offers no VERSION").isNull();
            int voicePort = Integer.parseInt(m.group(5));

            DatagramPacket probe = server.receiveDatagram();
            assertThat(probe.getLength()).isEqualTo(1024);
            for (int i = 0; i < 1024; i++) {
                assertThat(probe.getData()[i]).isEqualTo((byte) 'a');
            }
            assertThat(probe.getPort())
                    .as("the datagram comes from the announced port")
                    .isEqualTo(voicePort);
            assertThat(probe.getAddress())
                    .as("UDP bound where the TCP connection is")
                    .isEqualTo(peer.getInetAddress());

            ScriptedServer.write(peer, "{\"KEY\": 3, \"USERS\": [\"ann\"]}{\"KEY\": 6, \"SESSION\": 0}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            assertThat(client.state()).isEqualTo(SessionState.IN_ROOM);
            assertThat(client.sessionId()).hasValue(0);
            assertThat(client.roster().stream().map(User::name).toList()).containsExactly("ann");
            assertThat(client.dialect()).contains(Dialect.ORIGINAL);
        }
    }

    @Test
    void acceptsSessionBeforeTheRosterDeliveredByteByByte() throws Exception {
        EventLog log = new EventLog();
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("bob").listener(log).build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.writeByteByByte(
                    peer, "{\"KEY\": 6, \"SESSION\": 7}{\"KEY\": 3, \"USERS\": [\"x\", \"bob\"]}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            assertThat(client.sessionId()).hasValue(7);
            Await.until(
                    "the roster after SESSION",
                    () -> client.roster().stream().map(User::name).toList().equals(List.of("x", "bob")));
            Await.until("the roster event", () -> log.has("users [x, bob]"));
            assertThat(log.snapshot())
                    .startsWith(
                            "state DISCONNECTED -> CONNECTING",
                            "state CONNECTING -> JOINING",
                            "session 7",
                            "state JOINING -> IN_ROOM",
                            "users [x, bob]");
        }
    }

    @Test
    void ignoresMessagesItCannotUseAndKeysItDoesNotKnow() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("cy").build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(
                    peer,
                    "{\"KEY\": 42, \"NEW\": [1]}{\"KEY\": 6}{\"KEY\": 0}[1, 2]"
                            + "{\"KEY\": 3, \"USERS\": [\"cy\"], \"IDS\": [4]}{\"KEY\": 6, \"SESSION\": 4}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            assertThat(client.sessionId()).hasValue(4);
            assertThat(client.roster().stream().map(User::name).toList()).containsExactly("cy");
        }
    }

    @Test
    void autoOffersVersion2AndRecordsTip2WhenTheServerAnswersWithIt() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .dialectPreference(DialectPreference.AUTO)
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            Matcher m = HANDSHAKE.matcher(ScriptedServer.readHandshake(peer));
            assertThat(m.matches()).isTrue();
            assertThat(m.group(2)).isEqualTo(", \"VERSION\": 2");
            assertThat(m.group(4))
                    .as("a TIP/2 client offers the voice tunnel by default")
                    .isNotNull();
            assertThat(m.group(3))
                    .as("a TIP/2 client offers its key by default")
                    .isNotNull();
            ScriptedServer.write(
                    peer,
                    "{\"KEY\": 6, \"SESSION\": 3, \"VERSION\": 2, \"TOKEN\": \"5f1c0a9e33d2b871\", "
                            + "\"RATE\": 20000, \"FRAME\": 512}");
            server.answerHello(0x5f1c0a9e33d2b871L);
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            assertThat(client.dialect()).contains(Dialect.TIP2);
        }
    }

    @Test
    void autoFallsBackToTheOriginalDialectWhenSessionHasNoVersion() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .dialectPreference(DialectPreference.AUTO)
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 6, \"SESSION\": 3}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            assertThat(client.dialect()).contains(Dialect.ORIGINAL);
        }
    }

    @Test
    void anOriginalPreferenceIgnoresAVersionTheServerSendsAnyway() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .dialectPreference(DialectPreference.ORIGINAL)
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 6, \"SESSION\": 3, \"VERSION\": 2}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            assertThat(client.dialect()).contains(Dialect.ORIGINAL);
        }
    }

    @Test
    void isRefusedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, LoopbackPorts.LOOPBACK)) {
            port = s.getLocalPort();
        }
        EventLog log = new EventLog();
        ToneSource source = new ToneSource(440, 1000);
        RecordingSink sink = new RecordingSink();
        try (TipClient client = TipClient.builder()
                .server("127.0.0.1", port)
                .nickname("ann")
                .listener(log)
                .audioSource(source)
                .audioSink(sink)
                .build()) {
            assertThatThrownBy(client::connect)
                    .isInstanceOf(SessionFailedException.class)
                    .satisfies(e ->
                            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.REFUSED))
                    .hasMessageContaining("127.0.0.1:" + port);
            assertThat(client.state()).isEqualTo(SessionState.FAILED);
            assertThat(client.failureReason()).contains(DisconnectReason.REFUSED);
            assertThat(source.closed).as("a failed session releases the source").isTrue();
            assertThat(sink.closed).isTrue();
            Await.until("the disconnected event", () -> log.hasPrefix("disconnected REFUSED"));
            assertThat(log.states()).containsExactly("state DISCONNECTED -> CONNECTING", "state CONNECTING -> FAILED");
        }
    }

    @Test
    void timesOutWhenTheServerAcceptsAndSaysNothing() throws Exception {
        EventLog log = new EventLog();
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .listener(log)
                        .handshakeTimeout(Duration.ofMillis(300))
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            Throwable e = failureOf(joined);
            assertThat(e).isInstanceOf(SessionFailedException.class).hasMessageContaining("no SESSION");
            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.TIMED_OUT);
            assertThat(client.state()).isEqualTo(SessionState.FAILED);
            Await.until("the disconnected event", () -> log.hasPrefix("disconnected TIMED_OUT"));
            assertThat(log.states())
                    .containsExactly(
                            "state DISCONNECTED -> CONNECTING",
                            "state CONNECTING -> JOINING",
                            "state JOINING -> FAILED");
            assertThat(peer.getInputStream().read())
                    .as("the client closed the connection")
                    .isEqualTo(-1);
        }
    }

    @Test
    void aServerFullDisconnectDuringTheHandshakeSaysServerFullNotNicknameRejected() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 4, \"REASON\": \"Server full\"}");
            Throwable e = failureOf(joined);
            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.SERVER_FULL);
            assertThat(e).hasMessageContaining("Server full");
        }
    }

    @Test
    void aDisconnectDuringTheHandshakeIsANicknameRejectionWithTheServersReason() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(
                    peer, "{\"KEY\": 3, \"USERS\": [\"ann\"]}{\"KEY\": 4, \"REASON\": \"Nickname taken\"}");
            Throwable e = failureOf(joined);
            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.NICKNAME_REJECTED);
            assertThat(e).hasMessageContaining("Nickname taken");
        }
    }

    @Test
    void aServerCloseDuringTheHandshakeFailsWithServerClosed() throws Exception {
        EventLog log = new EventLog();
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").listener(log).build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 5}");
            Throwable e = failureOf(joined);
            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.SERVER_CLOSED);
            Await.until("the disconnected event", () -> log.hasPrefix("disconnected SERVER_CLOSED"));
            assertThat(log.snapshot())
                    .containsSubsequence(
                            "serverClosed",
                            "state JOINING -> FAILED",
                            "disconnected SERVER_CLOSED: the server is shutting down (SERVER_CLOSE)");
        }
    }

    @Test
    void aConnectionThatDropsDuringTheHandshakeFailsWithConnectionLost() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 3, \"USERS\": [\"ann\"]}{\"KEY\": 6, \"SESS");
            peer.close();
            Throwable e = failureOf(joined);
            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.CONNECTION_LOST);
        }
    }

    @Test
    void bytesThatAreNotJsonFailWithAProtocolError() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "HTTP/1.1 400 Bad Request\r\n\r\n");
            Throwable e = failureOf(joined);
            assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        }
    }

    @Test
    void aConnectionThatDropsInTheRoomEndsTheSessionAndReleasesTheAudio() throws Exception {
        EventLog log = new EventLog();
        ToneSource source = new ToneSource(440, 1000);
        RecordingSink sink = new RecordingSink();
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .listener(log)
                        .audioSource(source)
                        .audioSink(sink)
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 6, \"SESSION\": 1}");
            joined.get(20, TimeUnit.SECONDS);
            Await.until("voice flows", () -> client.statistics().framesSent() > 2);
            peer.close();
            Await.until("the session fails", () -> client.state() == SessionState.FAILED);
            assertThat(client.failureReason()).contains(DisconnectReason.CONNECTION_LOST);
            Await.until("the source is closed by the capture thread", () -> source.closed);
            Await.until("the sink is closed by the playout thread", () -> sink.closed);
            Await.until("the disconnected event", () -> log.hasPrefix("disconnected CONNECTION_LOST"));
            assertThat(log.states()).endsWith("state IN_ROOM -> FAILED");
        }
    }

    @Test
    void aDisconnectInTheRoomEndsTheSessionWithTheServersReason() throws Exception {
        EventLog log = new EventLog();
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").listener(log).build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 6, \"SESSION\": 1}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.write(peer, "{\"KEY\": 4, \"REASON\": \"Kicked\"}");
            Await.until("the disconnected event", () -> log.has("disconnected DISCONNECTED_BY_SERVER: Kicked"));
            assertThat(client.state()).isEqualTo(SessionState.FAILED);
        }
    }

    @Test
    void closeInTheRoomSendsQuitAndEndsInClosed() throws Exception {
        EventLog log = new EventLog();
        try (ScriptedServer server = new ScriptedServer()) {
            TipClient client = server.client("ann").listener(log).build();
            try {
                FutureTask<Void> joined = connectAsync(client);
                Socket peer = server.accept();
                ScriptedServer.readHandshake(peer);
                ScriptedServer.write(peer, "{\"KEY\": 6, \"SESSION\": 1}");
                joined.get(20, TimeUnit.SECONDS);
                client.close();
                assertThat(ScriptedServer.readUntil(peer, t -> t.endsWith("}")))
                        .isEqualTo("{\"KEY\": 4, \"REASON\": \"Quit\"}");
                assertThat(peer.getInputStream().read()).isEqualTo(-1);
                assertThat(client.state()).isEqualTo(SessionState.CLOSED);
                assertThat(client.failureReason()).contains(DisconnectReason.QUIT);
                Await.until("the disconnected event", () -> log.has("disconnected QUIT: closed by the application"));
                assertThat(log.states()).endsWith("state IN_ROOM -> CLOSING", "state CLOSING -> CLOSED");
                client.close();
                assertThat(client.state()).as("close is idempotent").isEqualTo(SessionState.CLOSED);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void closeDuringTheHandshakeMakesConnectThrowQuit() throws Exception {
        try (ScriptedServer server = new ScriptedServer()) {
            TipClient client = server.client("ann").build();
            try {
                FutureTask<Void> joined = connectAsync(client);
                Socket peer = server.accept();
                ScriptedServer.readHandshake(peer);
                client.close();
                Throwable e = failureOf(joined);
                assertThat(((SessionFailedException) e).reason()).isEqualTo(DisconnectReason.QUIT);
                assertThat(client.state()).isEqualTo(SessionState.CLOSED);
                assertThat(ScriptedServer.readUntil(peer, t -> t.endsWith("}")))
                        .isEqualTo("{\"KEY\": 4, \"REASON\": \"Quit\"}");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void connectTwiceAndConnectAfterCloseAreIllegal() throws Exception {
        try (ScriptedServer server = new ScriptedServer()) {
            TipClient client = server.client("ann").build();
            try {
                FutureTask<Void> joined = connectAsync(client);
                Socket peer = server.accept();
                ScriptedServer.readHandshake(peer);
                ScriptedServer.write(peer, "{\"KEY\": 6, \"SESSION\": 1}");
                joined.get(20, TimeUnit.SECONDS);
                ScriptedServer.closeOnQuit(peer);
                assertThatThrownBy(client::connect)
                        .isInstanceOf(SessionStateException.class)
                        .hasMessageContaining("connect()")
                        .hasMessageContaining("IN_ROOM");
                client.close();
                assertThatThrownBy(client::connect)
                        .isInstanceOf(SessionStateException.class)
                        .hasMessageContaining("CLOSED");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void closeBeforeConnectReleasesTheSourceAndTheSink() {
        ToneSource source = new ToneSource(440, 1000);
        RecordingSink sink = new RecordingSink();
        EventLog log = new EventLog();
        TipClient client = TipClient.builder()
                .server("127.0.0.1", 9)
                .nickname("ann")
                .listener(log)
                .audioSource(source)
                .audioSink(sink)
                .build();
        assertThat(client.state()).isEqualTo(SessionState.DISCONNECTED);
        client.close();
        client.close();
        assertThat(client.state()).isEqualTo(SessionState.CLOSED);
        assertThat(source.closed).isTrue();
        assertThat(sink.closed).isTrue();
        Await.until("the state event", () -> log.has("state DISCONNECTED -> CLOSED"));
        assertThat(log.hasPrefix("disconnected"))
                .as("a client never connected was never disconnected")
                .isFalse();
    }

    @Test
    void aListenerThatThrowsDoesNotDisturbTheSession() throws Exception {
        EventLog log = new EventLog();
        SessionListener throwing = new SessionListener() {
            @Override
            public void stateChanged(SessionState oldState, SessionState newState) {
                log.stateChanged(oldState, newState);
                throw new IllegalStateException("a careless listener");
            }

            @Override
            public void rosterChanged(List<User> roster) {
                throw new IllegalStateException("a careless listener");
            }
        };
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann").listener(throwing).build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            ScriptedServer.write(peer, "{\"KEY\": 3, \"USERS\": [\"ann\"]}{\"KEY\": 6, \"SESSION\": 1}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            Await.until("every state event despite the exceptions", () -> log.has("state JOINING -> IN_ROOM"));
            assertThat(log.threads).allSatisfy(t -> assertThat(t).endsWith("-events"));
        }
    }

    @Test
    void callbacksRunOnTheGivenExecutorInOrder() throws Exception {
        EventLog log = new EventLog();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try (ScriptedServer server = new ScriptedServer();
                TipClient client = server.client("ann")
                        .listener(log)
                        .listenerExecutor(pool)
                        .build()) {
            FutureTask<Void> joined = connectAsync(client);
            Socket peer = server.accept();
            ScriptedServer.readHandshake(peer);
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                many.append("{\"KEY\": 3, \"USERS\": [\"u").append(i).append("\"]}");
            }
            ScriptedServer.write(peer, many + "{\"KEY\": 6, \"SESSION\": 1}");
            joined.get(20, TimeUnit.SECONDS);
            ScriptedServer.closeOnQuit(peer);
            Await.until("every event", () -> log.has("state JOINING -> IN_ROOM"));
            List<String> users =
                    log.snapshot().stream().filter(l -> l.startsWith("users")).toList();
            assertThat(users).hasSize(50);
            for (int i = 0; i < 50; i++) {
                assertThat(users.get(i)).isEqualTo("users [u" + i + "]");
            }
        } finally {
            pool.shutdown();
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // test cleanup
        }
    }
}
