package dev.tip.core.internal.client;

import dev.tip.core.SessionState;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.KeyShare;
import dev.tip.core.internal.crypto.ResumeProof;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.TipProtocol;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TIP/2 session resumption, the client's side (docs/protocol.md, "Resuming a session"): keeps what
 * SESSION said about resuming (the window, and the secret: derived from the key exchange, or the
 * plaintext session's {@code RESUME_SECRET}); when the control connection breaks in the room, moves
 * the session to RECONNECTING and, on a thread of its own, reconnects with bounded backoff (100 ms
 * doubling to 2 s) and asks for the session back with a fresh proof per attempt, until the server
 * gives it back (RESUMED: IN_ROOM again, same id), refuses (FAILED, RESUME_REFUSED), or the window
 * passes (FAILED, CONNECTION_LOST). Voice goes on meanwhile: the voice threads and the UDP socket
 * are the session's, not the connection's.
 *
 * <p>Thread-safe: the ticket is volatile; one reconnect thread at a time (the session's state
 * decides). The secret is never logged.
 */
public final class Reconnector {
    private static final Logger log = LoggerFactory.getLogger(Reconnector.class);

    /** SEND_NICKNAME: the client can resume its session. */
    public static final String RESUMABLE = "RESUMABLE";

    static final String RESUME_WINDOW = "RESUME_WINDOW";
    static final String RESUME_SECRET = "RESUME_SECRET";
    static final String RESUME_ID = "RESUME_ID";
    static final String RESUME_PROOF = "RESUME_PROOF";
    static final String RESUMED = "RESUMED";

    private static final long FIRST_BACKOFF_NANOS = 100_000_000L;
    private static final long MAX_BACKOFF_NANOS = 2_000_000_000L;

    /** What the client needs of its owner to swap connections. */
    public interface Host {
        /**
         * Keeps a new socket where close() finds it.
         *
         * @param socket the socket
         * @return false if the client was released (the socket is then closed)
         */
        boolean register(SocketChannel socket);

        /**
         * Makes {@code c} the client's control connection and starts its thread; the broken one
         * is closed.
         *
         * @param c the new connection
         * @return false if the client was released (then {@code c} is closed)
         */
        boolean install(ControlConnection c);
    }

    private final ClientConfig config;
    private final ClientSession session;
    private final VoiceEngine voice;
    private final KeyExchange keyExchange;
    private final int maxQueuedBytes;
    private volatile ControlConnection.Callback delegate;
    private volatile Host host;
    private final AtomicLong attempts = new AtomicLong();

    // the ticket, from SESSION
    private volatile int id = -1;
    private volatile byte[] secret;
    private volatile long windowMillis;

    /**
     * Creates the resumption side of a client.
     *
     * @param config the client's configuration
     * @param session its session
     * @param voice its voice, which gets the new connection for the tunnel
     * @param keyExchange its key pair, or null when it does not encrypt
     * @param maxQueuedBytes the control connection's send queue bound
     */
    public Reconnector(
            ClientConfig config,
            ClientSession session,
            VoiceEngine voice,
            KeyExchange keyExchange,
            int maxQueuedBytes) {
        this.config = config;
        this.session = session;
        this.voice = voice;
        this.keyExchange = keyExchange;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Sets where messages of a resumed connection go, and how connections are swapped.
     *
     * @param callback the client's usual callback
     * @param owner the client
     */
    public void wire(ControlConnection.Callback callback, Host owner) {
        this.delegate = callback;
        this.host = owner;
    }

    /**
     * SESSION of a TIP/2 join: remembers whether and how the session may be resumed.
     *
     * @param s the SESSION
     */
    void sessionAssigned(ControlMessage.Session s) {
        long window = s.extensions().getLong(RESUME_WINDOW).orElse(0);
        if (window <= 0) {
            return;
        }
        byte[] k = null;
        String hex = s.extensions().getString(RESUME_SECRET).orElse(null);
        if (hex != null && hex.length() == 2 * ResumeProof.SECRET_LENGTH) {
            try {
                k = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                k = null;
            }
        } else if (keyExchange != null) {
            String share = s.extensions().getString(KeyShare.FIELD).orElse(null);
            if (share != null) {
                try {
                    byte[] server = KeyShare.decode(share);
                    k = ResumeProof.deriveSecret(keyExchange.sharedSecret(server), keyExchange.publicKey(), server);
                } catch (IllegalArgumentException e) {
                    k = null;
                }
            }
        }
        if (k != null) {
            secret = k;
            windowMillis = window;
            id = s.session();
        }
    }

    /** @return whether the session may be resumed if its connection breaks */
    boolean resumable() {
        return secret != null && host != null;
    }

    /**
     * The control connection broke: starts resuming, if the session may be resumed.
     *
     * @param detail why it broke
     * @return true if resuming started (the session is RECONNECTING), false to fail as before
     */
    boolean connectionLost(String detail) {
        if (!resumable() || session.state() != SessionState.IN_ROOM) {
            return false;
        }
        if (!session.fire(SessionEvent.INTERRUPTED, detail).changed()) {
            return false;
        }
        log.info("{}: control connection lost ({}); resuming session {}", config.name(), detail, id);
        long lostAt = System.nanoTime();
        config.newThread(() -> run(detail, lostAt), "reconnect").start();
        return true;
    }

    private void run(String detail, long lostAt) {
        long deadline = lostAt + TimeUnit.MILLISECONDS.toNanos(windowMillis);
        long backoff = FIRST_BACKOFF_NANOS;
        String last = detail;
        try {
            while (session.state() == SessionState.RECONNECTING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                String outcome = attempt(left);
                if (outcome == null) {
                    return;
                }
                last = outcome;
                TimeUnit.NANOSECONDS.sleep(Math.max(1, Math.min(backoff, deadline - System.nanoTime())));
                backoff = Math.min(2 * backoff, MAX_BACKOFF_NANOS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (session.state() == SessionState.RECONNECTING) {
            session.fail(
                    SessionEvent.CONNECTION_LOST,
                    "the control connection broke (" + detail + ") and the session could not be resumed within "
                            + windowMillis + " ms: " + last);
        }
    }

    /** One try: null when done (resumed, refused, or the client went away), else why it failed. */
    private String attempt(long leftNanos) throws InterruptedException {
        SocketChannel socket;
        try {
            socket = ClientSockets.open();
            if (!host.register(socket)) {
                return null;
            }
            ClientSockets.connect(socket, config);
        } catch (ClientSockets.Failure f) {
            return f.getMessage();
        }
        Waiter waiter = new Waiter();
        ControlConnection c;
        try {
            c = new ControlConnection(config.name(), socket, waiter, maxQueuedBytes);
        } catch (IOException e) {
            closeQuietly(socket);
            return "cannot watch the connection: " + e.getMessage();
        }
        waiter.connection = c;
        if (!host.install(c)) {
            return null;
        }
        if (!c.send(request(attempts.incrementAndGet()))) {
            return "cannot send the resume request";
        }
        String failure =
                waiter.await(Math.min(leftNanos, config.handshakeTimeout().toNanos()));
        if (failure != null) {
            c.close();
        }
        return failure;
    }

    private byte[] request(long n) {
        Extensions.Builder b = Extensions.builder()
                .put("VERSION", TipProtocol.TIP2_VERSION)
                .put(RESUME_ID, id)
                .put(RESUME_PROOF, ResumeProof.proof(secret, id, n));
        if (config.voiceTunnel()) {
            b.put(TipProtocol.TUNNEL, 1);
        }
        return new ControlEncoder().encode(new ControlMessage.SendNickname(config.nickname(), b.build()));
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /**
     * The callback of a connection that asks for the session back: waits for SESSION with RESUMED
     * (or a refusal), then passes everything on to the client's usual callback.
     */
    private final class Waiter implements ControlConnection.Callback {
        volatile ControlConnection connection;
        private boolean done;
        private boolean resumed;
        private String failure;

        @Override
        public boolean onMessage(ControlMessage m) {
            synchronized (this) {
                if (resumed) {
                    return delegate.onMessage(m);
                }
            }
            if (m instanceof ControlMessage.Session s
                    && s.session() == id
                    && s.extensions().getLong(RESUMED).orElse(0) == 1) {
                voice.control(connection);
                synchronized (this) {
                    resumed = true;
                    done = true;
                    notifyAll();
                }
                session.resumed(id);
                log.info("{}: session {} resumed", config.name(), id);
                return true;
            }
            if (m instanceof ControlMessage.Disconnect d) {
                String why = d.reason() != null ? d.reason() : "the server refused to resume the session";
                session.fail(SessionEvent.RESUME_REFUSED, why);
                finish(why);
                return false;
            }
            if (m instanceof ControlMessage.ServerClose) {
                session.fail(SessionEvent.SERVER_CLOSE, "the server is shutting down (SERVER_CLOSE)");
                finish("the server is shutting down");
                return false;
            }
            // nothing else means anything before the session is back
            return true;
        }

        @Override
        public void onDatagram(byte[] buf, int off, int len) {
            delegate.onDatagram(buf, off, len);
        }

        @Override
        public void onEnd(SessionEvent event, String detail) {
            synchronized (this) {
                if (!resumed) {
                    finish0(detail);
                    return;
                }
            }
            delegate.onEnd(event, detail);
        }

        private synchronized void finish(String why) {
            finish0(why);
        }

        private void finish0(String why) {
            if (!done) {
                done = true;
                failure = why;
                notifyAll();
            }
        }

        /** Null once resumed or refused (nothing more to try), else why this attempt failed. */
        synchronized String await(long nanos) throws InterruptedException {
            long deadline = System.nanoTime() + nanos;
            while (!done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return "no answer to the resume request";
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (resumed || session.state() != SessionState.RECONNECTING) {
                return null;
            }
            return failure;
        }
    }
}
