package dev.tip.core;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.internal.FramePacer;
import dev.tip.core.internal.ListenerEvents;
import dev.tip.core.internal.PlayoutQueue;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.internal.SessionStateMachine;
import dev.tip.core.internal.Speakers;
import dev.tip.core.internal.VoiceCounters;
import dev.tip.core.internal.VoiceParameters;
import dev.tip.core.internal.VoiceSender;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 *             public void usersChanged(List<String> users) { System.out.println(users); }
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
 * HELLO (session id and token) every {@link #HELLO_INTERVAL} until HELLO_ACK arrives;
 * {@link #connect()} returns only then, and fails with {@link DisconnectReason#TIMED_OUT} if no
 * HELLO_ACK comes within {@link #VOICE_BIND_TIMEOUT} (there is no fallback: a TIP/2 server does
 * not take the address from CLIENT_PORT). Each frame goes out with the 10-byte header; received
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
    public static final int DEFAULT_PORT = 9999;
    /** Default time allowed to open the TCP connection: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default time allowed from the TCP connection to SESSION: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default playout queue bound: 4 frames (about 100 ms in the original format). */
    public static final int DEFAULT_MAX_PLAYOUT_FRAMES = 4;
    /** The longest nickname the original client accepts, in characters (it requires fewer than 20). */
    public static final int MAX_NICKNAME_LENGTH = 19;
    /** The audio format of rooms in the original dialect, and the only one this client supports in TIP/2. */
    public static final AudioFormat ROOM_FORMAT = AudioFormat.ORIGINAL;
    /** TIP/2: how often HELLO is repeated until HELLO_ACK arrives: 200 ms. */
    public static final Duration HELLO_INTERVAL = Duration.ofMillis(200);
    /** TIP/2: how long the client waits for HELLO_ACK before the session fails: 5 s. */
    public static final Duration VOICE_BIND_TIMEOUT = Duration.ofSeconds(5);
    /** TIP/2: default time without voice sent after which a KEEPALIVE goes out: 5 s. */
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(5);
    /** TIP/2: how long after a speaker's last played frame {@link SessionListener#speakingChanged} says stopped. */
    public static final Duration SPEAKING_HOLD = Duration.ofMillis(300);

    /** How long close() waits for the server to close its end after DISCONNECT, and for threads to end. */
    private static final long CLOSE_LINGER_MILLIS = 1_000;
    /** Bytes read from the control connection at a time. */
    private static final int CONTROL_READ_BYTES = 4096;
    /** A pacer that falls this many frames behind restarts its schedule rather than burst. */
    private static final int MAX_LAG_FRAMES = 4;
    /** The datagram the original client sends right after CLIENT_PORT: 1024 bytes of ASCII 'a'. */
    private static final int PROBE_BYTES = 1024;

    private static final byte PROBE_BYTE = 'a';
    /** TIP/2: most speakers with a jitter buffer at once (a room bigger than this is unusual for voice). */
    private static final int MAX_SPEAKERS = 64;
    /** TIP/2: a source that delivers nothing for this long had a gap; the next frame starts a talk spurt. */
    private static final long SOURCE_GAP_NANOS = 200_000_000L;

    private static final Logger log = LoggerFactory.getLogger(TipClient.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    // ---- configuration (immutable) ----
    private final String host;
    private final int port;
    private final String nickname;
    private final AudioSource source;
    private final AudioSink sink;
    private final SessionListener listener;
    private final ExecutorService ownedExecutor;
    private final DialectPreference dialectPreference;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final Duration keepaliveInterval;
    private final TipClock clock;
    private final ThreadFactory threadFactory;
    private final InetAddress localAddress;
    private final String name;

    private final ListenerEvents events;
    private final VoiceCounters counters = new VoiceCounters();
    private final PlayoutQueue playoutQueue;
    private final Speakers speakers;

    // ---- session, guarded by lock ----
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stateChanged = lock.newCondition();
    private final SessionStateMachine machine = new SessionStateMachine();
    private String endDetail;
    private Socket tcp;
    private DatagramChannel udp;
    private InetSocketAddress serverVoice;
    private Thread controlThread;
    private Thread captureThread;
    private Thread receiveThread;
    private Thread playoutThread;
    private Thread keepaliveThread;
    private boolean sourceClosed;
    private boolean sinkClosed;
    private boolean released;

    /** Serializes close() calls, so a second caller returns when the first has finished. */
    private final Object closeLock = new Object();
    /** Guards the encoder and the TCP output stream. */
    private final Object writeLock = new Object();

    private final ControlEncoder encoder = new ControlEncoder();

    private volatile boolean voiceRunning;
    private volatile boolean muted;
    private volatile List<String> users = List.of();
    private volatile List<User> roster = List.of();
    private volatile int sessionId = -1;
    private volatile Dialect dialect;
    /** TIP/2: token and room format from SESSION; set under lock before IN_ROOM. */
    private volatile VoiceParameters voiceParameters;
    /** TIP/2: the server acknowledged our voice address (HELLO_ACK); set under lock, signalled. */
    private volatile boolean voiceBound;
    /** TIP/2: System.nanoTime() of the last datagram sent, for KEEPALIVE. */
    private volatile long lastSentNanos;

    private TipClient(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.nickname = b.nickname;
        this.source = b.source;
        this.sink = b.sink;
        this.listener = b.listener;
        this.dialectPreference = b.dialectPreference;
        this.connectTimeout = b.connectTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.keepaliveInterval = b.keepaliveInterval;
        this.clock = b.clock;
        this.threadFactory = b.threadFactory;
        this.localAddress = b.localAddress;
        this.name = "tip-client-" + IDS.incrementAndGet();
        Executor executor = b.listenerExecutor;
        if (executor == null) {
            ownedExecutor = Executors.newSingleThreadExecutor(r -> newThread(r, "events"));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.events = new ListenerEvents(executor);
        this.playoutQueue = new PlayoutQueue(b.maxPlayoutFrames, ROOM_FORMAT.frameLength());
        this.speakers = new Speakers(ROOM_FORMAT, MAX_SPEAKERS, SPEAKING_HOLD.toNanos(), this::speakingChanged);
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
     * connect timeout plus the handshake timeout (plus {@link #VOICE_BIND_TIMEOUT} in TIP/2). A
     * client connects once.
     *
     * @throws SessionFailedException if the client could not join; {@link SessionFailedException#reason()}
     *     says why: REFUSED, TIMED_OUT (also: no HELLO_ACK in TIP/2), NICKNAME_REJECTED,
     *     SERVER_CLOSED, CONNECTION_LOST, PROTOCOL_ERROR (also: a TIP/2 room format this client
     *     does not support), or QUIT if {@link #close()} was called meanwhile
     * @throws SessionStateException if connect() was called before
     */
    public void connect() {
        fire(SessionEvent.CONNECT, null);
        Socket socket = new Socket();
        lock.lock();
        try {
            if (machine.state() != SessionState.CONNECTING) {
                closeQuietly(socket);
                throw endedWhileConnecting(null);
            }
            tcp = socket;
        } finally {
            lock.unlock();
        }
        InetSocketAddress server = new InetSocketAddress(host, port);
        if (server.isUnresolved()) {
            throw failConnect(SessionEvent.CONNECT_REFUSED, "unknown host " + host, null);
        }
        try {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(server, timeoutMillis(connectTimeout));
            socket.setTcpNoDelay(true);
        } catch (SocketTimeoutException e) {
            throw failConnect(
                    SessionEvent.TIMED_OUT,
                    "no TCP connection to " + host + ":" + port + " within " + connectTimeout.toMillis() + " ms",
                    e);
        } catch (IOException e) {
            throw failConnect(
                    SessionEvent.CONNECT_REFUSED, "cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        DatagramChannel channel;
        InetSocketAddress voice = new InetSocketAddress(socket.getInetAddress(), port);
        try {
            // the original server registers (TCP peer address, PORT): bind where the TCP connection is
            InetAddress local = localAddress != null ? localAddress : socket.getLocalAddress();
            ProtocolFamily family =
                    local instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            channel = DatagramChannel.open(family);
            channel.bind(new InetSocketAddress(local, 0));
        } catch (IOException e) {
            throw failConnect(SessionEvent.CONNECT_REFUSED, "cannot open a UDP socket for voice: " + e.getMessage(), e);
        }
        int voicePort = channel.socket().getLocalPort();
        Thread control;
        lock.lock();
        try {
            udp = channel;
            serverVoice = voice;
            if (released) {
                closeQuietly(channel);
            }
            apply(SessionEvent.CONNECTED, null);
            if (machine.state() != SessionState.JOINING) {
                throw endedWhileConnecting(null);
            }
            control = newThread(() -> controlLoop(socket), "control");
            controlThread = control;
        } finally {
            unlockAndFlush();
        }
        control.start();
        try {
            sendHandshake(socket, voicePort);
        } catch (IOException e) {
            fail(SessionEvent.CONNECTION_LOST, "cannot send the handshake: " + e.getMessage());
            throw endedWhileConnecting(null);
        }
        sendProbe(channel, voice);
        awaitRoom();
        if (dialect == Dialect.TIP2) {
            awaitVoiceBinding();
        }
    }

    /** TIP/2: waits until the receive thread has seen HELLO_ACK (the keepalive thread sends HELLO). */
    private void awaitVoiceBinding() {
        long deadline = System.nanoTime() + VOICE_BIND_TIMEOUT.toNanos();
        String detail =
                "no HELLO_ACK from the server's UDP port " + serverVoice + " within " + VOICE_BIND_TIMEOUT.toMillis()
                        + " ms of HELLOs: UDP to the server is blocked, or it refused the token";
        boolean interrupted = false;
        SessionStateMachine.Transition timeout = null;
        lock.lock();
        try {
            while (!voiceBound && machine.state() == SessionState.IN_ROOM) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    stateChanged.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (voiceBound && machine.state() == SessionState.IN_ROOM) {
                return;
            }
            if (!interrupted && machine.state() == SessionState.IN_ROOM) {
                timeout = apply(SessionEvent.TIMED_OUT, detail);
            }
        } finally {
            unlockAndFlush();
        }
        if (interrupted) {
            close();
            Thread.currentThread().interrupt();
            throw new SessionFailedException(
                    DisconnectReason.QUIT, "interrupted while joining; the client is closed", null);
        }
        if (timeout != null) {
            afterFailure(timeout, detail);
        }
        throw endedWhileConnecting(null);
    }

    private void sendHandshake(Socket socket, int voicePort) throws IOException {
        Extensions ext = dialectPreference == DialectPreference.AUTO
                ? Extensions.builder().put("VERSION", 2).build()
                : Extensions.NONE;
        synchronized (writeLock) {
            byte[] hello = encoder.encode(new ControlMessage.SendNickname(nickname, ext));
            byte[] portMessage = encoder.encode(new ControlMessage.ClientPort(voicePort));
            // one write: the original client's two sends usually reach the server in one read too
            byte[] both = Arrays.copyOf(hello, hello.length + portMessage.length);
            System.arraycopy(portMessage, 0, both, hello.length, portMessage.length);
            OutputStream out = socket.getOutputStream();
            out.write(both);
            out.flush();
        }
    }

    /** Sends what the original client sends after CLIENT_PORT; an original server relays it. */
    private static void sendProbe(DatagramChannel channel, InetSocketAddress voice) {
        ByteBuffer probe = ByteBuffer.allocate(PROBE_BYTES);
        Arrays.fill(probe.array(), PROBE_BYTE);
        try {
            channel.send(probe, voice);
        } catch (IOException e) {
            log.debug("join datagram not sent: {}", e.toString());
        }
    }

    private void awaitRoom() {
        long deadline = System.nanoTime() + handshakeTimeout.toNanos();
        String detail = "no SESSION from " + host + ":" + port + " within " + handshakeTimeout.toMillis() + " ms";
        boolean interrupted = false;
        SessionStateMachine.Transition timeout = null;
        lock.lock();
        try {
            while (machine.state() == SessionState.JOINING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    stateChanged.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (machine.state() == SessionState.IN_ROOM) {
                startVoiceLocked();
                return;
            }
            if (!interrupted && machine.state() == SessionState.JOINING) {
                // decided under the lock: SESSION cannot slip in between the check and the timeout
                timeout = apply(SessionEvent.TIMED_OUT, detail);
            }
        } finally {
            unlockAndFlush();
        }
        if (interrupted) {
            close();
            Thread.currentThread().interrupt();
            throw new SessionFailedException(
                    DisconnectReason.QUIT, "interrupted while joining; the client is closed", null);
        }
        if (timeout != null) {
            afterFailure(timeout, detail);
        }
        throw endedWhileConnecting(null);
    }

    private SessionFailedException failConnect(SessionEvent event, String detail, Throwable cause) {
        fail(event, detail);
        return endedWhileConnecting(cause);
    }

    /** The exception connect() throws once the session has left the way to the room. */
    private SessionFailedException endedWhileConnecting(Throwable cause) {
        lock.lock();
        try {
            SessionState s = machine.state();
            DisconnectReason reason = machine.endReason();
            if (s == SessionState.FAILED && reason != null) {
                return new SessionFailedException(reason, endDetail, cause);
            }
            return new SessionFailedException(DisconnectReason.QUIT, "the client was closed while connecting", cause);
        } finally {
            lock.unlock();
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
            SessionStateMachine.Transition t = fire(SessionEvent.CLOSE, null);
            if (t.to() == SessionState.CLOSING && t.changed()) {
                leaveRoom();
                release();
                joinThreads();
                fire(SessionEvent.CLOSE_DONE, null);
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
        Socket socket;
        Thread control;
        lock.lock();
        try {
            socket = tcp;
            control = controlThread;
        } finally {
            lock.unlock();
        }
        if (socket == null || !socket.isConnected() || socket.isClosed()) {
            closeQuietly(socket);
            return;
        }
        try {
            synchronized (writeLock) {
                OutputStream out = socket.getOutputStream();
                out.write(encoder.encode(new ControlMessage.Disconnect(ControlMessage.Disconnect.QUIT)));
                out.flush();
            }
            // FIN after DISCONNECT; the control thread reads until the server closes its end, so
            // that unread input never turns our close into a reset that could lose the DISCONNECT
            socket.shutdownOutput();
            if (control != null) {
                control.join(CLOSE_LINGER_MILLIS);
            }
        } catch (IOException e) {
            log.debug("{}: DISCONNECT not delivered: {}", name, e.toString());
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
        lock.lock();
        try {
            return machine.state();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns why the session ended, once it is CLOSED (QUIT) or FAILED.
     *
     * @return the reason, or empty while the session has not ended
     */
    public Optional<DisconnectReason> failureReason() {
        lock.lock();
        try {
            return Optional.ofNullable(machine.endReason());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the room's roster as last sent by the server, this client included.
     *
     * @return the nicknames in join order, unmodifiable; empty before the first SEND_NEW_USERS
     */
    public List<String> users() {
        return users;
    }

    /**
     * Returns the room's roster with session ids as last sent by the server, this client included.
     * Ids are {@link User#NO_ID} when the server does not speak TIP/2.
     *
     * @return the members in join order, unmodifiable; empty before the first SEND_NEW_USERS
     */
    public List<User> roster() {
        return roster;
    }

    /**
     * Returns the session id the server assigned.
     *
     * @return the id, or empty before SESSION
     */
    public OptionalInt sessionId() {
        int id = sessionId;
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
        return Optional.ofNullable(dialect);
    }

    /**
     * Returns this client's nickname.
     *
     * @return the nickname
     */
    public String nickname() {
        return nickname;
    }

    /**
     * Mutes or unmutes the microphone. Muted, the client keeps reading the source (so that a
     * device does not fill up with stale audio) and sends nothing: the others hear silence, the
     * server sees no voice datagrams.
     *
     * @param mute true to stop sending, false to send again
     */
    public void setMuted(boolean mute) {
        this.muted = mute;
    }

    /**
     * Tells whether the microphone is muted.
     *
     * @return true if muted
     */
    public boolean isMuted() {
        return muted;
    }

    /**
     * Returns the voice counters now.
     *
     * @return a snapshot
     */
    public ClientStatistics statistics() {
        if (dialect == Dialect.TIP2) {
            long[] t = speakers.totals();
            return counters.snapshot(t[0], t[1], t[2]);
        }
        return counters.snapshot(playoutQueue.dropped());
    }

    @Override
    public String toString() {
        return "TipClient[" + name + ", " + nickname + "@" + host + ":" + port + ", " + state() + "]";
    }

    // ------------------------------------------------------------------ state changes

    /** Applies an event under the lock and tells the listener (after the lock is released). */
    private SessionStateMachine.Transition fire(SessionEvent event, String detail) {
        lock.lock();
        try {
            return apply(event, detail);
        } finally {
            unlockAndFlush();
        }
    }

    /** Applies a failure event; if it ends the session, releases everything at once. */
    private void fail(SessionEvent event, String detail) {
        afterFailure(fire(event, detail), detail);
    }

    private void afterFailure(SessionStateMachine.Transition t, String detail) {
        if (t.changed() && t.to() == SessionState.FAILED) {
            log.info("{}: session failed: {}: {}", name, t.reason(), detail);
            release();
            // the final events are queued; the executor runs them, then its thread ends
            shutdownOwnedExecutor();
        }
    }

    /** Must hold lock. Fires the event and queues the listener calls it causes. */
    private SessionStateMachine.Transition apply(SessionEvent event, String detail) {
        SessionStateMachine.Transition t = machine.fire(event);
        if (!t.changed()) {
            return t;
        }
        SessionState from = t.from();
        SessionState to = t.to();
        if (event == SessionEvent.SERVER_CLOSE) {
            events.add(listener::serverClosed);
        }
        events.add(() -> listener.stateChanged(from, to));
        if (to.isTerminal()) {
            endDetail = to == SessionState.CLOSED ? "closed by the application" : detail;
            if (from != SessionState.DISCONNECTED) {
                DisconnectReason reason = t.reason();
                String d = endDetail;
                events.add(() -> listener.disconnected(reason, d));
            }
        }
        stateChanged.signalAll();
        return t;
    }

    private void unlockAndFlush() {
        lock.unlock();
        events.flush();
    }

    /**
     * Stops voice and closes the sockets; closes the source and the sink unless their threads do.
     * Idempotent; does not wait for the threads.
     */
    private void release() {
        Socket socket;
        DatagramChannel channel;
        boolean closeSource;
        boolean closeSink;
        lock.lock();
        try {
            released = true;
            voiceRunning = false;
            socket = tcp;
            channel = udp;
            closeSource = captureThread == null && !sourceClosed;
            closeSink = playoutThread == null && !sinkClosed;
            sourceClosed = true;
            sinkClosed = true;
            if (captureThread != null) {
                captureThread.interrupt();
            }
            if (playoutThread != null) {
                playoutThread.interrupt();
            }
            if (keepaliveThread != null) {
                keepaliveThread.interrupt();
            }
        } finally {
            lock.unlock();
        }
        closeQuietly(socket);
        closeQuietly(channel);
        if (closeSource && source != null) {
            closeAudio(source, "source");
        }
        if (closeSink && sink != null) {
            closeAudio(sink, "sink");
        }
    }

    private void joinThreads() {
        Thread[] threads;
        lock.lock();
        try {
            threads = new Thread[] {controlThread, captureThread, receiveThread, playoutThread, keepaliveThread};
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_LINGER_MILLIS);
        for (Thread t : threads) {
            if (t == null || t == Thread.currentThread()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                log.warn(
                        "{}: thread {} did not end within {} ms (a source or sink blocked?)",
                        name,
                        t.getName(),
                        CLOSE_LINGER_MILLIS);
            }
        }
    }

    // ------------------------------------------------------------------ control thread

    private void controlLoop(Socket socket) {
        ControlDecoder decoder = new ControlDecoder();
        byte[] buf = new byte[CONTROL_READ_BYTES];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    // every complete message has been handled; a message cut off by the end is lost
                    // with the connection, it is not a protocol error
                    fail(SessionEvent.CONNECTION_LOST, "the server closed the connection");
                    return;
                }
                decoder.feed(buf, 0, n);
                if (!drain(decoder)) {
                    return;
                }
            }
        } catch (IOException e) {
            fail(SessionEvent.CONNECTION_LOST, "the connection broke: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: control thread failed", name, e);
            fail(SessionEvent.PROTOCOL_VIOLATION, "internal error: " + e);
        }
    }

    /** Handles every complete message; returns false when the session has ended. */
    private boolean drain(ControlDecoder decoder) {
        while (true) {
            ControlMessage m;
            try {
                m = decoder.next();
            } catch (ProtocolException e) {
                if (e.isRecoverable()) {
                    // an original peer ignores a message it cannot use; so do we
                    log.debug("{}: ignoring a control message: {}", name, e.getMessage());
                    continue;
                }
                fail(SessionEvent.PROTOCOL_VIOLATION, e.getMessage());
                return false;
            }
            if (m == null) {
                return true;
            }
            if (!handle(m)) {
                return false;
            }
        }
    }

    private boolean handle(ControlMessage m) {
        if (m instanceof ControlMessage.SendNewUsers u) {
            List<String> names = u.users();
            int[] ids = rosterIds(u);
            List<User> members = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                members.add(new User(ids == null ? User.NO_ID : ids[i], names.get(i)));
            }
            List<User> withIds = List.copyOf(members);
            if (ids != null) {
                // before the roster is published: whoever sees the new roster sees the leaver's buffer
                // gone; a leaver who was speaking is told to have stopped, named from the old roster
                speakers.retain(ids);
            }
            lock.lock();
            try {
                SessionState s = machine.state();
                if (s == SessionState.JOINING || s == SessionState.IN_ROOM) {
                    users = names;
                    roster = withIds;
                    events.add(() -> listener.usersChanged(names));
                    events.add(() -> listener.rosterChanged(withIds));
                }
            } finally {
                unlockAndFlush();
            }
        } else if (m instanceof ControlMessage.Session s) {
            int id = s.session();
            Dialect negotiated = dialectPreference == DialectPreference.AUTO
                            && s.extensions().getLong("VERSION").orElse(0) >= 2
                    ? Dialect.TIP2
                    : Dialect.ORIGINAL;
            VoiceParameters parameters = null;
            if (negotiated == Dialect.TIP2) {
                try {
                    parameters = VoiceParameters.fromSession(s.extensions());
                } catch (IllegalArgumentException e) {
                    fail(SessionEvent.PROTOCOL_VIOLATION, e.getMessage());
                    return false;
                }
                if (!parameters.format().equals(ROOM_FORMAT)) {
                    fail(
                            SessionEvent.PROTOCOL_VIOLATION,
                            "the room's format (SESSION RATE "
                                    + parameters.format().sampleRate() + ", FRAME "
                                    + parameters.format().samplesPerFrame()
                                    + ") is not supported: this client supports RATE " + ROOM_FORMAT.sampleRate()
                                    + ", FRAME "
                                    + ROOM_FORMAT.samplesPerFrame() + " only");
                    return false;
                }
            }
            lock.lock();
            try {
                SessionState st = machine.state();
                if (st == SessionState.JOINING || st == SessionState.IN_ROOM) {
                    sessionId = id;
                    dialect = negotiated;
                    voiceParameters = parameters;
                    events.add(() -> listener.sessionAssigned(id));
                }
                apply(SessionEvent.SESSION_RECEIVED, null);
            } finally {
                unlockAndFlush();
            }
        } else if (m instanceof ControlMessage.Disconnect d) {
            String reason = d.reason() == null ? "the server sent DISCONNECT without a reason" : d.reason();
            fail(SessionEvent.SERVER_DISCONNECT, reason);
            return false;
        } else if (m instanceof ControlMessage.ServerClose) {
            fail(SessionEvent.SERVER_CLOSE, "the server is shutting down (SERVER_CLOSE)");
            return false;
        } else {
            // ACK and UNKNOWN_ERROR are never sent by the original; NAME and PORT are not for clients
            log.debug("{}: ignoring {}", name, m);
        }
        return true;
    }

    /** The IDS of a TIP/2 roster, if present, well formed and as long as USERS; else null. */
    private int[] rosterIds(ControlMessage.SendNewUsers u) {
        JsonValue v = u.extensions().get("IDS").orElse(null);
        if (!(v instanceof JsonValue.Arr arr)
                || arr.values().size() != u.users().size()) {
            if (v != null) {
                log.debug("{}: ignoring a roster's IDS that does not match its USERS: {}", name, v);
            }
            return null;
        }
        int[] ids = new int[arr.values().size()];
        for (int i = 0; i < ids.length; i++) {
            JsonValue e = arr.values().get(i);
            if (!(e instanceof JsonValue.Num n)) {
                return null;
            }
            int id;
            try {
                id = n.value().intValueExact();
            } catch (ArithmeticException ex) {
                return null;
            }
            if (id < 0 || id > 0xFFFF) {
                return null;
            }
            ids[i] = id;
        }
        return ids;
    }

    /** Speakers' callback (playout or control thread): hands the event to the listener executor. */
    private void speakingChanged(int id, boolean speaking) {
        User who = new User(id, "");
        for (User u : roster) {
            if (u.id() == id) {
                who = u;
                break;
            }
        }
        User user = who;
        events.add(() -> listener.speakingChanged(user, speaking));
        events.flush();
    }

    // ------------------------------------------------------------------ voice threads

    /** Must hold lock, state IN_ROOM. */
    private void startVoiceLocked() {
        if (voiceRunning || released) {
            return;
        }
        voiceRunning = true;
        DatagramChannel channel = udp;
        InetSocketAddress target = serverVoice;
        if (dialect == Dialect.TIP2) {
            startTip2VoiceLocked(channel, target, voiceParameters, sessionId);
            return;
        }
        receiveThread = newThread(() -> receiveLoop(channel), "receive");
        receiveThread.start();
        if (sink != null) {
            playoutThread = newThread(this::playoutLoop, "playout");
            playoutThread.start();
        }
        if (source != null) {
            captureThread = newThread(() -> captureLoop(channel, target), "capture");
            captureThread.start();
        }
    }

    private void captureLoop(DatagramChannel channel, InetSocketAddress target) {
        AudioFormat format = source.format();
        short[] frame = new short[format.frameLength()];
        ByteBuffer out = ByteBuffer.allocateDirect(format.frameBytes()).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer samples = out.asShortBuffer();
        FramePacer pacer = new FramePacer(clock, format, MAX_LAG_FRAMES);
        boolean paced = !source.isRealTime();
        try {
            while (voiceRunning) {
                if (!source.read(frame)) {
                    log.info("{}: the audio source ended; nothing more to send", name);
                    return;
                }
                counters.captured.incrementAndGet();
                if (paced) {
                    pacer.awaitNext();
                }
                if (muted || !voiceRunning) {
                    continue;
                }
                samples.clear();
                samples.put(frame);
                out.clear();
                try {
                    channel.send(out, target);
                    counters.sent.incrementAndGet();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // a voice datagram that cannot be sent is dropped, not a reason to stop
                    log.debug("{}: voice datagram not sent: {}", name, e.toString());
                }
            }
        } catch (InterruptedException e) {
            // close() or a failure stops the capture
        } catch (IOException | RuntimeException e) {
            if (voiceRunning) {
                log.warn("{}: the audio source failed; nothing more is sent", name, e);
            }
        } finally {
            closeAudio(source, "source");
        }
    }

    private void receiveLoop(DatagramChannel channel) {
        int frameBytes = ROOM_FORMAT.frameBytes();
        // larger than a frame, so that an oversized datagram is seen (and cut, as the original does)
        ByteBuffer in = ByteBuffer.allocateDirect(2 * frameBytes);
        boolean play = sink != null;
        while (voiceRunning) {
            in.clear();
            try {
                channel.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!voiceRunning) {
                    return;
                }
                log.debug("{}: voice receive failed: {}", name, e.toString());
                continue;
            }
            int n = in.position();
            if (n == 0) {
                continue;
            }
            if (isProbe(in, n)) {
                counters.probes.incrementAndGet();
                continue;
            }
            counters.received.incrementAndGet();
            if (play) {
                playoutQueue.offer(in, Math.min(n, frameBytes));
            } else {
                counters.discarded.incrementAndGet();
            }
        }
    }

    /** The original client's join datagram, relayed by an original server: no one wants to hear it. */
    private static boolean isProbe(ByteBuffer in, int n) {
        if (n != PROBE_BYTES || in.get(0) != PROBE_BYTE || in.get(n - 1) != PROBE_BYTE) {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            if (in.get(i) != PROBE_BYTE) {
                return false;
            }
        }
        return true;
    }

    private void playoutLoop() {
        short[] frame = new short[ROOM_FORMAT.frameLength()];
        FramePacer pacer = new FramePacer(clock, ROOM_FORMAT, MAX_LAG_FRAMES);
        boolean paced = !sink.isRealTime();
        try {
            while (voiceRunning) {
                if (paced) {
                    pacer.awaitNext();
                }
                if (playoutQueue.poll(frame)) {
                    counters.played.incrementAndGet();
                } else {
                    Arrays.fill(frame, (short) 0);
                    counters.silence.incrementAndGet();
                }
                sink.write(frame);
            }
        } catch (InterruptedException e) {
            // close() or a failure stops the playout
        } catch (IOException | RuntimeException e) {
            if (voiceRunning) {
                log.warn("{}: the audio sink failed; nothing more is played", name, e);
            }
        } finally {
            closeAudio(sink, "sink");
        }
    }

    // ------------------------------------------------------------------ TIP/2 voice threads

    /** Must hold lock, state IN_ROOM, dialect TIP2. */
    private void startTip2VoiceLocked(
            DatagramChannel channel, InetSocketAddress target, VoiceParameters parameters, int id) {
        receiveThread = newThread(() -> receiveLoopTip2(channel, parameters.token(), id), "receive");
        receiveThread.start();
        keepaliveThread = newThread(() -> keepaliveLoop(channel, target, parameters.token(), id), "keepalive");
        keepaliveThread.start();
        playoutThread = newThread(this::playoutLoopTip2, "playout");
        playoutThread.start();
        if (source != null) {
            captureThread = newThread(() -> captureLoopTip2(channel, target, id), "capture");
            captureThread.start();
        }
    }

    /** HELLO every HELLO_INTERVAL until bound, then KEEPALIVE whenever nothing was sent for a while. */
    private void keepaliveLoop(DatagramChannel channel, InetSocketAddress target, long token, int id) {
        ByteBuffer hello = VoiceSender.control(PayloadType.HELLO, id, token);
        ByteBuffer keepalive = VoiceSender.control(PayloadType.KEEPALIVE, id, token);
        long helloNanos = HELLO_INTERVAL.toNanos();
        long keepaliveNanos = keepaliveInterval.toNanos();
        try {
            while (voiceRunning) {
                long now = System.nanoTime();
                long wait;
                if (!voiceBound) {
                    sendControl(channel, hello, target);
                    wait = helloNanos;
                } else {
                    long idle = now - lastSentNanos;
                    if (idle >= keepaliveNanos) {
                        sendControl(channel, keepalive, target);
                        lastSentNanos = now;
                        idle = 0;
                    }
                    wait = keepaliveNanos - idle;
                }
                TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000L, wait));
            }
        } catch (InterruptedException e) {
            // close() or a failure stops it
        }
    }

    private void sendControl(DatagramChannel channel, ByteBuffer datagram, InetSocketAddress target) {
        datagram.clear();
        try {
            channel.send(datagram, target);
        } catch (IOException e) {
            log.debug(
                    "{}: {} not sent: {}",
                    name,
                    PayloadType.name(datagram.get(VoiceDatagram.OFFSET_PAYLOAD_TYPE)),
                    e.toString());
        }
    }

    private void captureLoopTip2(DatagramChannel channel, InetSocketAddress target, int id) {
        AudioFormat format = source.format();
        short[] frame = new short[format.frameLength()];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        VoiceSender sender = new VoiceSender(format, id, random.nextInt(0x10000), random.nextLong(0x1_0000_0000L));
        FramePacer pacer = new FramePacer(clock, format, MAX_LAG_FRAMES);
        boolean paced = !source.isRealTime();
        long frameNanos = format.frameNanos();
        long last = 0;
        boolean first = true;
        try {
            while (voiceRunning) {
                if (!source.read(frame)) {
                    log.info("{}: the audio source ended; nothing more to send", name);
                    return;
                }
                counters.captured.incrementAndGet();
                long t = paced ? pacer.awaitNext() : clock.nanoTime();
                long elapsed = t - last;
                if (!first && elapsed > SOURCE_GAP_NANOS) {
                    // the source stalled: the frames it did not deliver pass in the timestamps
                    sender.skip(Math.max(1, Math.round((double) elapsed / frameNanos) - 1));
                }
                first = false;
                last = t;
                if (muted || !voiceBound || !voiceRunning) {
                    sender.skip(1);
                    continue;
                }
                try {
                    channel.send(sender.encode(frame), target);
                    counters.sent.incrementAndGet();
                    lastSentNanos = System.nanoTime();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    log.debug("{}: voice datagram not sent: {}", name, e.toString());
                }
            }
        } catch (InterruptedException e) {
            // close() or a failure stops the capture
        } catch (IOException | RuntimeException e) {
            if (voiceRunning) {
                log.warn("{}: the audio source failed; nothing more is sent", name, e);
            }
        } finally {
            closeAudio(source, "source");
        }
    }

    private void receiveLoopTip2(DatagramChannel channel, long token, int ownId) {
        // room for a datagram longer than header + frame, so that one is seen (the buffer cuts it)
        ByteBuffer in = ByteBuffer.allocateDirect(VoiceDatagram.HEADER_LENGTH + 2 * ROOM_FORMAT.frameBytes());
        VoiceDatagram d = new VoiceDatagram();
        while (voiceRunning) {
            in.clear();
            try {
                channel.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!voiceRunning) {
                    return;
                }
                log.debug("{}: voice receive failed: {}", name, e.toString());
                continue;
            }
            int n = in.position();
            if (n == 0) {
                continue;
            }
            if (isProbe(in, n)) {
                counters.probes.incrementAndGet();
                continue;
            }
            if (d.wrap(in, 0, n).check() != VoiceDatagram.OK) {
                counters.rejected.incrementAndGet();
                continue;
            }
            int type = d.payloadType();
            if (type == PayloadType.PCM) {
                if (d.senderId() == ownId) {
                    counters.rejected.incrementAndGet();
                    continue;
                }
                counters.received.incrementAndGet();
                if (speakers.insert(d, clock.nanoTime()) == Speakers.UNKNOWN_SENDER) {
                    counters.rejected.incrementAndGet();
                }
            } else if (type == PayloadType.HELLO_ACK) {
                counters.control.incrementAndGet();
                if (d.token() == token && !voiceBound) {
                    voiceBoundNow();
                } else if (d.token() != token) {
                    counters.rejected.incrementAndGet();
                }
            } else if (PayloadType.isControl(type)) {
                counters.control.incrementAndGet();
            } else {
                // Opus needs a decoder that tip-core does not have; the server sends PCM in PCM rooms
                counters.rejected.incrementAndGet();
            }
        }
    }

    private void voiceBoundNow() {
        lock.lock();
        try {
            voiceBound = true;
            stateChanged.signalAll();
        } finally {
            lock.unlock();
        }
        log.debug("{}: the server acknowledged the voice address", name);
    }

    private void playoutLoopTip2() {
        short[] frame = new short[ROOM_FORMAT.frameLength()];
        FramePacer pacer = new FramePacer(clock, ROOM_FORMAT, MAX_LAG_FRAMES);
        boolean paced = sink == null || !sink.isRealTime();
        try {
            while (voiceRunning) {
                if (paced) {
                    pacer.awaitNext();
                }
                int contributing = speakers.mixNext(clock.nanoTime(), frame);
                if (sink == null) {
                    if (contributing > 0) {
                        counters.discarded.incrementAndGet();
                    }
                    continue;
                }
                if (contributing > 0) {
                    counters.played.incrementAndGet();
                } else {
                    counters.silence.incrementAndGet();
                }
                sink.write(frame);
            }
        } catch (InterruptedException e) {
            // close() or a failure stops the playout
        } catch (IOException | RuntimeException e) {
            if (voiceRunning) {
                log.warn("{}: the audio sink failed; nothing more is played", name, e);
            }
        } finally {
            if (sink != null) {
                closeAudio(sink, "sink");
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private Thread newThread(Runnable body, String role) {
        Thread t = threadFactory.newThread(body);
        t.setName(name + "-" + role);
        return t;
    }

    private void closeAudio(AutoCloseable audio, String what) {
        try {
            audio.close();
        } catch (Exception e) {
            log.warn("{}: closing the audio {} failed", name, what, e);
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

    private static int timeoutMillis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
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
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration keepaliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
        private TipClock clock = TipClock.system();
        private ThreadFactory threadFactory = Builder::daemonThread;
        private InetAddress localAddress;
        private int maxPlayoutFrames = DEFAULT_MAX_PLAYOUT_FRAMES;

        private Builder() {}

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
            if (nickname.isEmpty()) {
                throw new IllegalArgumentException("nickname must not be empty");
            }
            int length = nickname.codePointCount(0, nickname.length());
            if (length > MAX_NICKNAME_LENGTH) {
                throw new IllegalArgumentException("nickname must be shorter than 20 characters, was " + length);
            }
            nickname.codePoints().filter(Character::isISOControl).findFirst().ifPresent(c -> {
                throw new IllegalArgumentException(
                        "nickname must not contain control characters, found U+" + String.format("%04X", c));
            });
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
            return new TipClient(this);
        }
    }
}
