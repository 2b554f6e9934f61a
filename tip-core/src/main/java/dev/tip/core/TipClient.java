package dev.tip.core;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.internal.ListenerEvents;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.internal.SessionStateMachine;
import dev.tip.core.internal.client.ClientConfig;
import dev.tip.core.internal.client.ClientRooms;
import dev.tip.core.internal.client.ClientSession;
import dev.tip.core.internal.client.ClientSockets;
import dev.tip.core.internal.client.ControlConnection;
import dev.tip.core.internal.client.Reconnector;
import dev.tip.core.internal.client.ServerCallback;
import dev.tip.core.internal.client.ServerMessages;
import dev.tip.core.internal.client.VoiceEngine;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.KeyShare;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.protocol.RoomProtocol;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.AudioFormat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that joins a TIP room (our server or the original Python one) with a nickname, sends
 * the frames of an {@link AudioSource} and plays what the room says into an {@link AudioSink}.
 * Thread-safe: every method may be called from any thread.
 *
 * <pre>{@code
 * try (TipClient client = TipClient.builder()
 *         .server("voice.example.org", 9999)
 *         .nickname("Ann")
 *         .audioSource(microphone)
 *         .audioSink(speaker)
 *         .listener(new SessionListener() {
 *             public void rosterChanged(List<User> roster) { System.out.println(roster); }
 *         })
 *         .build()) {
 *     client.connect();          // returns in the room, or throws SessionFailedException
 *     client.setMuted(true);
 *     ...
 * }                              // sends {"KEY": 4, "REASON": "Quit"} and releases everything
 * }</pre>
 *
 * <p>Handshake, as the original client does it: TCP connect; a UDP socket bound to an ephemeral
 * port on the TCP connection's local address; SEND_NICKNAME and CLIENT_PORT at once, without
 * waiting; one datagram of 1024 bytes of ASCII {@code 'a'} to the server's UDP port (the same
 * number as its TCP port); then the client waits for SESSION, accepting the server's messages in
 * any order and framing.
 *
 * <p>Threads (all from the builder's thread factory, named {@code tip-client-N-ROLE}): a control
 * thread reads the TCP connection; in the room, a capture thread (source to socket, paced by the
 * clock unless the source is real-time), a receive thread (socket to playout queue) and a playout
 * thread (queue to sink, paced by the sink if real-time, else by the clock). Listener callbacks
 * run on the listener executor, never on these threads.
 *
 * <p>Dialects: by default ({@link DialectPreference#AUTO}) the client offers TIP/2 in
 * SEND_NICKNAME and speaks the original dialect if SESSION does not answer with a VERSION.
 * <ul>
 * <li>Original dialect: raw 16-bit little-endian mono PCM at 20000 Hz, 512 samples (1024 bytes)
 * per datagram. The playout queue keeps at most {@link Builder#maxPlayoutFrames} frames
 * (dropping the oldest) and plays silence when it is empty, so delay cannot pile up.
 * <li>TIP/2 (docs/protocol.md): after SESSION the client proves its voice address by sending
 * HELLO (session id and token) every 200 ms until HELLO_ACK arrives;
 * {@link #connect()} returns only then. With a server that accepts the voice tunnel
 * ({@link Builder#voiceTunnel}), voice moves to the control connection when no HELLO_ACK comes
 * within about a second (or UDP goes quiet later), and back to UDP once a UDP probe is answered
 * ({@link SessionListener#voiceTransportChanged}); without it, {@code connect()} fails with
 * {@link DisconnectReason#TIMED_OUT} if no HELLO_ACK comes within 5 s (a TIP/2 server does not
 * take the address from CLIENT_PORT). If the control connection breaks in the room, a TIP/2
 * session goes to {@link SessionState#RECONNECTING} and resumes on a new connection within the
 * server's resume window ({@link SessionListener#sessionResumed}), else fails. Each frame goes out with the 10-byte header; received
 * datagrams go to one {@link dev.tip.core.audio.JitterBuffer} per speaker (loss concealment
 * included), mixed with saturation into the sink; {@link SessionListener#speakingChanged} tells
 * who speaks. A fifth thread ({@code keepalive}) sends the HELLOs, then a KEEPALIVE whenever no
 * voice has been sent for {@link Builder#keepaliveInterval}. In TIP/2 the playout thread runs
 * even without a sink (paced by the clock, the mix discarded), so speaking events still come.
 * </ul>
 *
 * <p>Time: the {@link TipClock} paces voice and stamps arrivals for the jitter buffers; the
 * connect, handshake and voice-binding timeouts, HELLO and KEEPALIVE are real time (they bound
 * real sockets and NAT timers).
 */
public final class TipClient implements AutoCloseable {

    /** The port of the original server, for TCP and UDP alike. */
    public static final int DEFAULT_PORT = TipProtocol.DEFAULT_PORT;
    /** Default time allowed to open the TCP connection: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default time allowed from the TCP connection to SESSION: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default playout queue bound: 4 frames (about 100 ms in the original format). */
    public static final int DEFAULT_MAX_PLAYOUT_FRAMES = 4;
    /** The longest nickname the original client accepts, in characters (it requires fewer than 20). */
    public static final int MAX_NICKNAME_LENGTH = TipProtocol.MAX_NICKNAME_LENGTH;
    /** The audio format of rooms in the original dialect, and the only one this client supports in TIP/2. */
    public static final AudioFormat ROOM_FORMAT = AudioFormat.ORIGINAL;
    /** TIP/2: default codec bitrate: 24 kbit/s, about 3 600 bytes/s on the wire with headers. */
    public static final int DEFAULT_VOICE_BITRATE = 24_000;
    /** TIP/2: how often HELLO is repeated until HELLO_ACK arrives: 200 ms. */
    private static final Duration HELLO_INTERVAL = Duration.ofMillis(200);
    /** TIP/2: how long the client waits for HELLO_ACK before the session fails: 5 s. */
    private static final Duration VOICE_BIND_TIMEOUT = Duration.ofSeconds(5);
    /** TIP/2: default time without voice sent after which a KEEPALIVE goes out: 5 s. */
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(5);
    /** TIP/2: how long after a speaker's last played frame {@link SessionListener#speakingChanged} says stopped. */
    private static final Duration SPEAKING_HOLD = Duration.ofMillis(300);

    /** How long close() waits for the server to close its end after DISCONNECT, and for threads to end. */
    private static final long CLOSE_LINGER_MILLIS = 1_000;
    /** The most control bytes that may wait for a server that does not read: far more than a client sends. */
    private static final int MAX_QUEUED_CONTROL_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(TipClient.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ClientConfig config;
    private final ExecutorService ownedExecutor;
    private final ListenerEvents events;
    private final ClientSession session;
    private final VoiceEngine voice;
    private final ServerMessages rules;
    /** TIP/2: resumes the session when the control connection breaks. */
    private final Reconnector reconnector;
    /** The rooms: where it is, the deltas' roster, the answers it waits for. */
    private final ClientRooms rooms = new ClientRooms();
    /** The room to join first ({@link Builder#room}), or null for the server's default room. */
    private final String initialRoom;

    private final String initialPassword;
    /** This client's ephemeral X25519 key pair for TIP/2 voice, or null when it does not offer one. */
    private final KeyExchange keyExchange;
    /** Serializes close() calls, so a second caller returns when the first has finished. */
    private final Object closeLock = new Object();

    // the connection, guarded by this (taken after the session's lock is released, never inside it)
    private SocketChannel tcp;
    private ControlConnection control;
    private Thread controlThread;
    private boolean released;

    private TipClient(ClientConfig config, String initialRoom, String initialPassword) {
        this.initialRoom = initialRoom;
        this.initialPassword = initialPassword;
        this.config = config;
        Executor executor = config.listenerExecutor();
        if (executor == null) {
            ownedExecutor = Executors.newSingleThreadExecutor(r -> config.newThread(r, "events"));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.events = new ListenerEvents(executor);
        this.session = new ClientSession(config.name(), config.listener(), events, detail -> {
            release();
            // the final events are queued; the executor runs them, then its thread ends
            shutdownOwnedExecutor();
        });
        this.voice = new VoiceEngine(config, ROOM_FORMAT, session, SPEAKING_HOLD.toNanos(), HELLO_INTERVAL.toNanos());
        // ephemeral: one key pair per client, and a client connects once
        this.keyExchange = config.dialectPreference() == DialectPreference.AUTO && config.encryptVoice()
                ? KeyExchange.generate()
                : null;
        this.rules = new ServerMessages(config.dialectPreference(), ROOM_FORMAT, config.codecNames(), keyExchange);
        this.reconnector = new Reconnector(config, session, voice, keyExchange, MAX_QUEUED_CONTROL_BYTES);
    }

    /**
     * Returns a builder for a client.
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ session

    /**
     * Joins the room: connects, sends the handshake and returns once SESSION has arrived and, in
     * TIP/2, once the server has acknowledged the voice address (HELLO_ACK); the client is then
     * {@link SessionState#IN_ROOM} and voice flows. Blocks the calling thread for at most the
     * connect timeout plus the handshake timeout (plus 5 s in TIP/2). A
     * client connects once.
     *
     * @throws SessionFailedException if the client could not join; {@link SessionFailedException#reason()}
     *     says why: REFUSED, TIMED_OUT (also: no HELLO_ACK in TIP/2), NICKNAME_REJECTED,
     *     SERVER_CLOSED, CONNECTION_LOST, PROTOCOL_ERROR (also: a TIP/2 room format this client
     *     does not support), or QUIT if {@link #close()} was called meanwhile
     * @throws SessionStateException if connect() was called before
     */
    public void connect() {
        session.fire(SessionEvent.CONNECT, null);
        String where = config.host() + ":" + config.port();
        SocketChannel socket;
        DatagramChannel udp;
        InetSocketAddress serverVoice;
        try {
            socket = ClientSockets.open();
            if (!register(socket)) {
                throw session.endedWhileConnecting(null);
            }
            ClientSockets.connect(socket, config);
            serverVoice = ClientSockets.serverVoice(socket, config.port());
            udp = ClientSockets.openVoice(socket, config);
        } catch (ClientSockets.Failure f) {
            session.fail(f.event(), f.getMessage());
            throw session.endedWhileConnecting(f.getCause());
        }
        int voicePort = udp.socket().getLocalPort();
        if (!voice.attach(udp, serverVoice)) {
            throw session.endedWhileConnecting(null);
        }
        session.fire(SessionEvent.CONNECTED, null);
        if (session.state() != SessionState.JOINING || !startControl(socket)) {
            throw session.endedWhileConnecting(null);
        }
        if (!control.send(handshake(voicePort))) {
            session.fail(SessionEvent.CONNECTION_LOST, "cannot send the handshake: the connection is closed");
            throw session.endedWhileConnecting(null);
        }
        voice.sendGreeting();
        String noSession = "no SESSION from " + where + " within "
                + config.handshakeTimeout().toMillis() + " ms";
        await(
                () -> session.state() == SessionState.IN_ROOM,
                SessionState.JOINING,
                config.handshakeTimeout(),
                noSession);
        voice.start(session);
        if (session.dialect() == Dialect.TIP2) {
            String noAck = "no HELLO_ACK from the server's UDP port " + serverVoice + " within "
                    + VOICE_BIND_TIMEOUT.toMillis()
                    + " ms of HELLOs: UDP to the server is blocked, or it refused the token";
            await(
                    () -> session.isVoiceBound() && session.state() == SessionState.IN_ROOM,
                    SessionState.IN_ROOM,
                    VOICE_BIND_TIMEOUT,
                    noAck);
        }
    }

    /** Keeps the socket for release(); false (the socket closed) if the client was released meanwhile. */
    private synchronized boolean register(SocketChannel socket) {
        if (released) {
            closeQuietly(socket);
            return false;
        }
        tcp = socket;
        return true;
    }

    /** Starts the control thread on the connected socket; false if the client was released meanwhile. */
    private boolean startControl(SocketChannel socket) {
        ControlConnection c;
        ServerCallback callback = new ServerCallback(config.name(), rules, session, voice, reconnector, rooms);
        try {
            c = new ControlConnection(config.name(), socket, callback, MAX_QUEUED_CONTROL_BYTES);
        } catch (IOException e) {
            session.fail(SessionEvent.CONNECTION_LOST, "cannot watch the connection: " + e.getMessage());
            return false;
        }
        reconnector.wire(callback, new Reconnector.Host() {
            @Override
            public boolean register(SocketChannel s) {
                return TipClient.this.register(s);
            }

            @Override
            public boolean install(ControlConnection next) {
                return TipClient.this.install(next);
            }
        });
        if (!install(c)) {
            return false;
        }
        voice.control(c);
        return true;
    }

    /** Makes {@code c} the control connection and starts its thread; the one before is closed. */
    private boolean install(ControlConnection c) {
        Thread t = config.newThread(c::run, "control");
        ControlConnection before;
        synchronized (this) {
            if (released) {
                c.close();
                return false;
            }
            before = control;
            control = c;
            controlThread = t;
        }
        if (before != null) {
            before.close();
        }
        rooms.sender(c::send);
        t.start();
        return true;
    }

    /** SEND_NICKNAME and CLIENT_PORT in one write: the original's two sends usually reach the server in one read too. */
    private byte[] handshake(int voicePort) {
        Extensions ext = Extensions.NONE;
        if (config.dialectPreference() == DialectPreference.AUTO) {
            Extensions.Builder b = Extensions.builder().put("VERSION", TipProtocol.TIP2_VERSION);
            if (!config.codecs().isEmpty()) {
                List<JsonValue> names = new ArrayList<>();
                for (String n : config.codecNames()) {
                    names.add(JsonValue.of(n));
                }
                names.add(JsonValue.of(TipProtocol.PCM));
                b.put(TipProtocol.CODECS, new JsonValue.Arr(names));
            }
            if (keyExchange != null) {
                b.put(KeyShare.FIELD, KeyShare.encode(keyExchange.publicKey()));
            }
            if (config.voiceTunnel()) {
                b.put(TipProtocol.TUNNEL, 1);
            }
            b.put(Reconnector.RESUMABLE, 1);
            if (initialRoom != null) {
                b.put(RoomProtocol.ROOM, initialRoom);
                if (initialPassword != null) {
                    b.put(RoomProtocol.PASSWORD, initialPassword);
                }
            }
            // rooms, roster deltas and loss feedback: servers that know none ignore the field
            b.put(
                    RoomProtocol.FEATURES,
                    new JsonValue.Arr(List.of(
                            JsonValue.of(RoomProtocol.FEATURE_ROOMS),
                            JsonValue.of(RoomProtocol.FEATURE_DELTAS),
                            JsonValue.of(TipProtocol.FEATURE_LOSS))));
            ext = b.build();
        }
        ControlEncoder encoder = new ControlEncoder();
        byte[] hello = encoder.encode(new ControlMessage.SendNickname(config.nickname(), ext));
        byte[] port = encoder.encode(new ControlMessage.ClientPort(voicePort));
        byte[] both = Arrays.copyOf(hello, hello.length + port.length);
        System.arraycopy(port, 0, both, hello.length, port.length);
        return both;
    }

    /** connect()'s one wait: returns once reached, or throws what ended the way to the room. */
    private void await(BooleanSupplier reached, SessionState waitingIn, Duration timeout, String timeoutDetail) {
        boolean ok;
        try {
            ok = session.awaitUntil(reached, waitingIn, timeout.toNanos(), timeoutDetail);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new SessionFailedException(
                    DisconnectReason.QUIT, "interrupted while joining; the client is closed", null);
        }
        if (!ok) {
            throw session.endedWhileConnecting(null);
        }
    }

    /**
     * Leaves the room and releases everything: sends {@code {"KEY": 4, "REASON": "Quit"}}, gives
     * the server a moment to close its end, closes the sockets, stops the threads and closes the
     * source, the sink and the default listener executor. Idempotent; safe from any thread,
     * including a listener callback. After a failure it just releases what is left.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            SessionStateMachine.Transition t = session.fire(SessionEvent.CLOSE, null);
            if (t.to() == SessionState.CLOSING && t.changed()) {
                leaveRoom();
                release();
                joinThreads();
                session.fire(SessionEvent.CLOSE_DONE, null);
            } else {
                release();
                joinThreads();
            }
            shutdownOwnedExecutor();
        }
    }

    /** Ends the default listener thread once it has delivered every queued event. */
    private void shutdownOwnedExecutor() {
        if (ownedExecutor != null) {
            events.whenIdle(ownedExecutor::shutdown);
        }
    }

    private void leaveRoom() {
        ControlConnection c;
        Thread t;
        synchronized (this) {
            c = control;
            t = controlThread;
        }
        if (c == null) {
            return;
        }
        byte[] quit = new ControlEncoder().encode(new ControlMessage.Disconnect(ControlMessage.Disconnect.QUIT));
        if (!c.send(quit)) {
            log.debug("{}: DISCONNECT not sent: the connection is closed or does not drain", config.name());
            return;
        }
        // FIN after DISCONNECT; the control thread reads until the server closes its end, so that
        // unread input never turns our close into a reset that could lose the DISCONNECT
        c.finish();
        try {
            t.join(CLOSE_LINGER_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ queries

    /**
     * Returns the session's state now.
     *
     * @return the state
     */
    public SessionState state() {
        return session.state();
    }

    /**
     * Returns why the session ended, once it is CLOSED (QUIT) or FAILED.
     *
     * @return the reason, or empty while the session has not ended
     */
    public Optional<DisconnectReason> failureReason() {
        return Optional.ofNullable(session.endReason());
    }

    /**
     * Returns the room's roster with session ids as last sent by the server, this client included.
     * Ids are {@link User#NO_ID} when the server does not speak TIP/2.
     *
     * @return the members in join order, unmodifiable; empty before the first SEND_NEW_USERS
     */
    public List<User> roster() {
        return session.members();
    }

    /**
     * Returns the room this client is in, as the server last said (SESSION, or ROOM after a move).
     *
     * @return the room's name; empty before SESSION and with a server that does not speak rooms
     *     (an original server, or an older TIP/2 one)
     */
    public Optional<String> room() {
        return Optional.ofNullable(rooms.room());
    }

    /**
     * Returns the session ids of the members the server mutes (their voice reaches nobody), as of
     * the last roster or roster delta.
     *
     * @return the ids, unmodifiable; empty with a server that does not speak TIP/2
     */
    public java.util.Set<Integer> serverMuted() {
        return rooms.muted();
    }

    /**
     * Asks the server for its rooms and waits for the answer (at most the handshake timeout).
     *
     * @return the rooms with their member counts, permanent ones first
     * @throws SessionStateException if the client is not in a room
     * @throws TipException if the server does not speak rooms, or did not answer in time
     */
    public List<RoomListing> rooms() {
        requireRooms();
        try {
            return rooms.list().get(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new TipException("no ROOMS from the server within "
                    + config.handshakeTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TipException("interrupted while waiting for the rooms");
        }
    }

    /**
     * Moves to another room without reconnecting (see {@link #join(String, String)}).
     *
     * @param room the room's name
     * @throws RoomRefusedException if the server refused (the client stays where it was)
     */
    public void join(String room) {
        join(room, null);
    }

    /**
     * Moves to another room without reconnecting, and waits (at most the handshake timeout) until
     * the server says the client is there; its voice then reaches that room only, and {@link
     * #roster()} becomes that room's. On a server that lets clients create rooms, a room that does
     * not exist is created (with this password, if any).
     *
     * @param room the room's name
     * @param password its password, or null
     * @throws RoomRefusedException if the server refused (the client stays where it was)
     * @throws SessionStateException if the client is not in a room
     * @throws TipException if the server does not speak rooms, or did not answer in time
     */
    public void join(String room, String password) {
        Objects.requireNonNull(room, "room");
        String problem = RoomProtocol.roomNameProblem(room);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": " + room);
        }
        requireRooms();
        String refusal;
        try {
            refusal = rooms.join(room, password).get(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new TipException("no ROOM from the server within "
                    + config.handshakeTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TipException("interrupted while moving to " + room);
        }
        if (refusal != null) {
            throw new RoomRefusedException(room, refusal);
        }
    }

    private void requireRooms() {
        if (session.state() != SessionState.IN_ROOM) {
            throw new SessionStateException(session.state(), "a room request");
        }
        if (!rooms.roomsGranted()) {
            throw new TipException("the server does not speak rooms (an original or older TIP/2 server)");
        }
    }

    /**
     * Returns the session id the server assigned.
     *
     * @return the id, or empty before SESSION
     */
    public OptionalInt sessionId() {
        int id = session.sessionId();
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * Returns the dialect negotiated in the handshake: TIP2 if this client offered it
     * ({@link DialectPreference#AUTO}) and the server's SESSION carried {@code "VERSION": 2} or more,
     * else ORIGINAL.
     *
     * @return the dialect, or empty before SESSION
     */
    public Optional<Dialect> dialect() {
        return Optional.ofNullable(session.dialect());
    }

    /**
     * Returns this client's nickname.
     *
     * @return the nickname
     */
    public String nickname() {
        return config.nickname();
    }

    /**
     * Mutes or unmutes the microphone. Muted, the client keeps reading the source (so that a
     * device does not fill up with stale audio) and sends nothing: the others hear silence, the
     * server sees no voice datagrams.
     *
     * @param mute true to stop sending, false to send again
     */
    public void setMuted(boolean mute) {
        voice.setMuted(mute);
    }

    /**
     * Sets how loud one member is played (TIP/2: each speaker has its own buffer, so each can have
     * its own volume; in the original dialect the client cannot tell speakers apart and this has no
     * effect). Takes effect at the next frame and lasts while the session does, also across the
     * member's silences.
     *
     * @param sessionId the member's session id ({@link User#id()})
     * @param volume linear gain from 0 (silent) to 4; 1 plays the member as received
     * @throws IllegalArgumentException if the volume is out of range
     */
    public void setVolume(int sessionId, double volume) {
        voice.setVolume(sessionId, (float) volume);
    }

    /**
     * Returns how loud one member is played.
     *
     * @param sessionId the member's session id
     * @return the linear gain, 1 unless {@link #setVolume} changed it
     */
    public double volume(int sessionId) {
        return voice.volume(sessionId);
    }

    /**
     * Tells whether the microphone is muted.
     *
     * @return true if muted
     */
    public boolean isMuted() {
        return voice.isMuted();
    }

    /**
     * Returns the voice counters now.
     *
     * @return a snapshot
     */
    public ClientStatistics statistics() {
        return voice.statistics();
    }

    @Override
    public String toString() {
        return "TipClient[" + config.name() + ", " + config.nickname() + "@" + config.host() + ":" + config.port()
                + ", " + state() + "]";
    }

    // ------------------------------------------------------------------ resources

    /** Stops voice and closes the sockets. Idempotent; does not wait for the threads. */
    private void release() {
        ControlConnection c;
        SocketChannel socket;
        synchronized (this) {
            released = true;
            c = control;
            socket = tcp;
        }
        voice.stop();
        if (c != null) {
            c.close();
        } else {
            closeQuietly(socket);
        }
    }

    private void joinThreads() {
        Thread t;
        synchronized (this) {
            t = controlThread;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_LINGER_MILLIS);
        List<Thread> alive = new ArrayList<>();
        try {
            if (t != null && t != Thread.currentThread()) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    alive.add(t);
                }
            }
            alive.addAll(voice.join(deadline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (Thread a : alive) {
            log.warn(
                    "{}: thread {} did not end within {} ms (a source or sink blocked?)",
                    config.name(),
                    a.getName(),
                    CLOSE_LINGER_MILLIS);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            log.debug("close failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link TipClient}; validates each value as it is set and names the bad
     * parameter. Not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private String host;
        private int port = DEFAULT_PORT;
        private String nickname;
        private AudioSource source;
        private AudioSink sink;
        private SessionListener listener = new SessionListener() {};
        private Executor listenerExecutor;
        private DialectPreference dialectPreference = DialectPreference.AUTO;
        private boolean encryptVoice = true;
        private boolean voiceTunnel = true;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration keepaliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
        private TipClock clock = TipClock.system();
        private ThreadFactory threadFactory = Builder::daemonThread;
        private InetAddress localAddress;
        private int maxPlayoutFrames = DEFAULT_MAX_PLAYOUT_FRAMES;
        private List<VoiceCodec> voiceCodecs;
        private int voiceBitrate = DEFAULT_VOICE_BITRATE;
        private String room;
        private String roomPassword;

        private Builder() {}

        /**
         * Sets the room to join on a server that hosts several (TIP/2; an original server ignores
         * it). Default: none, the server's default room. A room the server does not have (and will
         * not create), a wrong password or a full room make {@link TipClient#connect()} fail with
         * {@link DisconnectReason#REFUSED} or the server's reason.
         *
         * @param room the room's name (1..32 characters, no control characters), or null
         * @param password its password, or null
         * @return this builder
         */
        public Builder room(String room, String password) {
            if (room != null) {
                String problem = RoomProtocol.roomNameProblem(room);
                if (problem != null) {
                    throw new IllegalArgumentException("room: " + problem);
                }
            }
            this.room = room;
            this.roomPassword = password;
            return this;
        }

        /**
         * Sets the room to join, without a password (see {@link #room(String, String)}).
         *
         * @param room the room's name, or null
         * @return this builder
         */
        public Builder room(String room) {
            return room(room, null);
        }

        private static Thread daemonThread(Runnable r) {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }

        /**
         * Sets the server (required).
         *
         * @param host a host name or address literal
         * @param port its port, TCP and UDP alike, 1..65535
         * @return this builder
         */
        public Builder server(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be 1..65535, was " + port);
            }
            this.host = host;
            this.port = port;
            return this;
        }

        /**
         * Sets the server on the default port {@value TipClient#DEFAULT_PORT}.
         *
         * @param host a host name or address literal
         * @return this builder
         */
        public Builder server(String host) {
            return server(host, DEFAULT_PORT);
        }

        /**
         * Sets the nickname (required), validated as the original client does: not empty, fewer
         * than 20 characters ({@value TipClient#MAX_NICKNAME_LENGTH} at most), and no control
         * characters.
         *
         * @param nickname the name the room shows
         * @return this builder
         */
        public Builder nickname(String nickname) {
            Objects.requireNonNull(nickname, "nickname");
            String problem = TipProtocol.nicknameProblem(nickname);
            if (problem != null) {
                String found = nickname.codePoints()
                        .filter(Character::isISOControl)
                        .mapToObj(c -> String.format(" (found U+%04X)", c))
                        .findFirst()
                        .orElse("");
                throw new IllegalArgumentException("invalid nickname: " + problem + found);
            }
            this.nickname = nickname;
            return this;
        }

        /**
         * Sets where the client's voice comes from; none (the default) means listen only. Its
         * format must be the room's ({@link TipClient#ROOM_FORMAT}).
         *
         * @param source the source, or null for none; the client closes it
         * @return this builder
         */
        public Builder audioSource(AudioSource source) {
            if (source != null) {
                checkFormat(source.format(), "audioSource");
            }
            this.source = source;
            return this;
        }

        /**
         * Sets where received voice goes; none (the default) discards it. Its format must be the
         * room's ({@link TipClient#ROOM_FORMAT}).
         *
         * @param sink the sink, or null for none; the client closes it
         * @return this builder
         */
        public Builder audioSink(AudioSink sink) {
            if (sink != null) {
                checkFormat(sink.format(), "audioSink");
            }
            this.sink = sink;
            return this;
        }

        private static void checkFormat(AudioFormat format, String parameter) {
            if (!ROOM_FORMAT.equals(format)) {
                throw new IllegalArgumentException(parameter + " format " + format + " differs from the room format "
                        + ROOM_FORMAT + " (20000 Hz mono 16-bit, 512 samples a frame); convert it first, "
                        + "for example with tip-audio's converting sources and sinks");
            }
        }

        /**
         * Sets who hears about the session's events.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(SessionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the executor that calls the listener. By default each client has one daemon thread
         * for this, ended when the session ends. Callbacks never run on TIP's I/O threads; with
         * your own executor, they run one at a time, in order, whatever the executor.
         *
         * @param executor the executor; {@code execute} must not block
         * @return this builder
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "listenerExecutor");
            return this;
        }

        /**
         * Sets which dialect to offer; default {@link DialectPreference#AUTO} (TIP/2 with a
         * server that speaks it, the original dialect otherwise).
         *
         * @param preference ORIGINAL, or AUTO to offer TIP/2 and fall back
         * @return this builder
         */
        public Builder dialectPreference(DialectPreference preference) {
            this.dialectPreference = Objects.requireNonNull(preference, "dialectPreference");
            return this;
        }

        /**
         * Sets whether TIP/2 voice is encrypted; default true. The client then offers an
         * ephemeral X25519 key in the handshake ({@code KEY_SHARE}); with a server that answers
         * with its own, every voice and association datagram is sealed with AES-128-GCM in both
         * directions, with a replay window (docs/protocol.md, "Voice protection"). With a server
         * that does not, or with false here, TIP/2 voice is plaintext with the TOKEN, as before.
         * The original dialect is never encrypted.
         *
         * @param encrypt false to offer no key (plaintext TIP/2, as an older client)
         * @return this builder
         */
        public Builder encryptVoice(boolean encrypt) {
            this.encryptVoice = encrypt;
            return this;
        }

        /**
         * Sets whether TIP/2 voice may go through the control connection when UDP does not get
         * through; default true. The client offers {@code "TUNNEL": 1}; with a server that accepts
         * it, voice moves to the TCP connection when no HELLO_ACK comes within about a second (or
         * UDP goes quiet), and back to UDP once a UDP probe is answered (docs/protocol.md, "Voice
         * over the control connection"; {@link SessionListener#voiceTransportChanged}). With false,
         * or a server that does not accept it, a TIP/2 session without UDP fails after 5 s.
         *
         * @param tunnel false to use UDP only
         * @return this builder
         */
        public Builder voiceTunnel(boolean tunnel) {
            this.voiceTunnel = tunnel;
            return this;
        }

        /**
         * Sets the time allowed to open the TCP connection; default 10 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the time allowed between the TCP connection and SESSION; default 10 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Sets how long a TIP/2 client may send nothing before it sends a KEEPALIVE, so that a NAT
         * keeps its binding; default 5 s.
         *
         * @param interval 10 ms .. 10 min
         * @return this builder
         */
        public Builder keepaliveInterval(Duration interval) {
            positive(interval, "keepaliveInterval");
            if (interval.toMillis() < 10 || interval.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("keepaliveInterval must be 10 ms .. 10 min, was " + interval);
            }
            this.keepaliveInterval = interval;
            return this;
        }

        private static Duration positive(Duration d, String parameter) {
            Objects.requireNonNull(d, parameter);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(parameter + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * Sets the clock that paces sources and sinks that are not real-time; default
         * {@link TipClock#system()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(TipClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the factory of the client's threads (the client names them); by default daemon
         * threads.
         *
         * @param factory the thread factory
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "threadFactory");
            return this;
        }

        /**
         * Sets the local address for the TCP connection and the UDP socket; by default the system
         * chooses for TCP and UDP binds to the TCP connection's local address.
         *
         * @param address a local address, or null for the default
         * @return this builder
         */
        public Builder localAddress(InetAddress address) {
            this.localAddress = address;
            return this;
        }

        /**
         * Sets the most frames the original dialect's playout queue holds before it drops the
         * oldest, which caps the receive delay; default {@value TipClient#DEFAULT_MAX_PLAYOUT_FRAMES}.
         * TIP/2 sessions use adaptive jitter buffers instead, and ignore this.
         *
         * @param frames 1..64
         * @return this builder
         */
        public Builder maxPlayoutFrames(int frames) {
            if (frames < 1 || frames > 64) {
                throw new IllegalArgumentException("maxPlayoutFrames must be 1..64, was " + frames);
            }
            this.maxPlayoutFrames = frames;
            return this;
        }

        /**
         * TIP/2: the codecs this client offers, best first (default: {@link VoiceCodec#available()},
         * Opus where tip-audio is on the path). The server picks the one the client sends in; the
         * client decodes every offered codec and PCM. An empty list offers PCM only.
         *
         * @param codecs the codecs
         * @return this builder
         */
        public Builder voiceCodecs(List<VoiceCodec> codecs) {
            this.voiceCodecs = List.copyOf(codecs);
            return this;
        }

        /**
         * TIP/2: the codec bitrate this client wants, in bits per second (default {@value
         * TipClient#DEFAULT_VOICE_BITRATE}); the server's BITRATE caps it.
         *
         * @param bitsPerSecond 6000..510000
         * @return this builder
         */
        public Builder voiceBitrate(int bitsPerSecond) {
            if (bitsPerSecond < 6_000 || bitsPerSecond > 510_000) {
                throw new IllegalArgumentException("voiceBitrate must be 6000..510000, was " + bitsPerSecond);
            }
            this.voiceBitrate = bitsPerSecond;
            return this;
        }

        /**
         * Returns a new client, not yet connected.
         *
         * @return the client, in state {@link SessionState#DISCONNECTED}
         * @throws IllegalStateException if the server or the nickname was not set
         */
        public TipClient build() {
            if (host == null) {
                throw new IllegalStateException("server must be set");
            }
            if (nickname == null) {
                throw new IllegalStateException("nickname must be set");
            }
            return new TipClient(
                    new ClientConfig(
                            host,
                            port,
                            nickname,
                            source,
                            sink,
                            listener,
                            listenerExecutor,
                            dialectPreference,
                            connectTimeout,
                            handshakeTimeout,
                            keepaliveInterval,
                            clock,
                            threadFactory,
                            localAddress,
                            maxPlayoutFrames,
                            voiceCodecs != null ? voiceCodecs : VoiceCodec.available(),
                            voiceBitrate,
                            encryptVoice,
                            voiceTunnel,
                            "tip-client-" + IDS.incrementAndGet()),
                    room,
                    roomPassword);
        }
    }
}
