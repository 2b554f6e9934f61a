package dev.tip.server;

import dev.tip.core.TipClock;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.server.internal.Counters;
import dev.tip.server.internal.MonotonicClock;
import dev.tip.server.internal.RoomsConfig;
import dev.tip.server.internal.RunningServer;
import dev.tip.server.internal.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * A TIP server: TCP control and UDP voice on one port, wire-compatible with the original Python
 * clients. Embed it in three lines:
 *
 * <pre>{@code
 * try (TipServer server = TipServer.builder().port(9999).build().start()) {
 *     System.out.println("listening on " + server.tcpPort());
 *     // ... until the application shuts down
 * }
 * }</pre>
 *
 * <p>It runs three threads, all named after its port: {@code tip-server-control-PORT} (one
 * selector for every TCP connection), {@code tip-server-relay-PORT} (receives and relays UDP; it
 * never waits on TCP, listeners or slow recipients) and, unless an executor is given,
 * {@code tip-server-events-PORT} for listener callbacks. {@link #close()} sends SERVER_CLOSE to
 * every client and ends them all.
 *
 * <p>Duplicate nicknames follow the {@link NicknamePolicy} (allowed by default, as the original
 * server does). A second SEND_NICKNAME from a joined client renames it. The roster goes to
 * everyone whole on every change, even when that makes a message longer than the 1024 bytes an
 * original client reads at once (about 50 users with long names): the original server does the
 * same, and a shortened roster would be wrong for every client.
 * <p>Clients that announce {@code "VERSION": 2} in their nickname speak TIP/2 (voice header,
 * token-proved voice address, session ids in the roster); the others get exactly the original
 * bytes, and the relay translates the framing per recipient in a mixed room
 * (docs/protocol.md, "TIP/2").
 *
 * <p>Rooms: the server hosts one room ({@value Participant#DEFAULT_ROOM}) unless given others
 * ({@link Builder#rooms}, {@link Builder#room}) or told to let TIP/2 clients create them
 * ({@link Builder#openRooms}). Original clients land in the default room (the first) and see only
 * its roster and voice; TIP/2 clients may name a room when they join and move later. Moderation:
 * {@link #kick}, {@link #ban}, {@link #banAddress}, {@link #mute}, {@link #move}; an application
 * may refuse joins and moves ({@link Builder#joinPolicy}).
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class TipServer implements AutoCloseable {

    /** The original's port: {@value}. */
    public static final int DEFAULT_PORT = TipProtocol.DEFAULT_PORT;
    /** Default most users: {@value}, the original's range of session ids (0..999). */
    public static final int DEFAULT_MAX_USERS = 1000;
    /** Default most connections still in their handshake: {@value}. */
    public static final int DEFAULT_MAX_PENDING_CONNECTIONS = 256;
    /** Default most connections still in their handshake from one IP address: {@value}. */
    public static final int DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS = 32;
    /** Default most users with the same IP address: {@value}. */
    public static final int DEFAULT_MAX_USERS_PER_ADDRESS = 256;
    /** Default renames one user may make per minute (and at once): {@value}. */
    public static final int DEFAULT_MAX_RENAMES_PER_MINUTE = 12;
    /** Default CLIENT_PORT changes one user may make per minute (and at once): {@value}. */
    public static final int DEFAULT_MAX_CLIENT_PORT_CHANGES_PER_MINUTE = 12;
    /**
     * Default datagrams relayed per second from one user (and at once): {@value}, four times the
     * room's 39 frames per second.
     */
    public static final int DEFAULT_MAX_VOICE_DATAGRAMS_PER_SECOND = 160;
    /** Default time a new connection has to send its nickname: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default longest control message from a client: {@value} bytes. */
    public static final int DEFAULT_MAX_CONTROL_MESSAGE_BYTES = 4096;
    /** Default most bytes queued for one client: {@value} (1 MiB). */
    public static final int DEFAULT_OUTBOUND_QUEUE_BYTES = 1 << 20;
    /** Default longest time queued bytes may wait for a client to read them: 30 s. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** How long a broken TIP/2 session may be resumed when nothing else is said: 30 s. */
    public static final Duration DEFAULT_RESUME_WINDOW = Duration.ofSeconds(30);
    /** Default time a closing connection gets to receive its last message: 2 s. */
    public static final Duration DEFAULT_LINGER = Duration.ofSeconds(2);
    /** Default longest datagram relayed: {@value}, what an original client reads. */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 1024;

    /** Default most bits per second a TIP/2 sender's codec may use: 24 kbit/s. */
    public static final int DEFAULT_VOICE_BITRATE = 24_000;

    /** Original listeners get one mixed stream by default: what the original client can play. */
    public static final boolean DEFAULT_MIX_ORIGINAL_LISTENERS = true;
    /** Default longest wait before changes reach a member that needs full rosters: 100 ms. */
    public static final Duration DEFAULT_ROSTER_COALESCE = Duration.ofMillis(100);
    /** Largest UDP payload. */
    public static final int MAX_DATAGRAM_BYTES = 65_507;

    private final ServerConfig config;
    /** Guards {@link #state}; start and close hold it while they bind or stop. */
    private final Object lock = new Object();

    private State state = State.NEW;
    /** The virtual speakers made, closed (their pacing threads ended) by {@link #close()}. */
    private final java.util.concurrent.CopyOnWriteArrayList<VirtualSpeaker> speakers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set once by {@link #start()}, under the lock; read by anyone. */
    private volatile RunningServer running;

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private TipServer(ServerConfig config) {
        this.config = config;
    }

    /**
     * Returns a builder with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds TCP and UDP on the same port and starts the threads. Returns once connections are
     * accepted. With port 0 it picks an ephemeral TCP port and binds UDP to the same number,
     * trying another port if that UDP port is taken.
     *
     * @return this server
     * @throws UncheckedIOException if the ports cannot be bound (the message names them)
     * @throws IllegalStateException if already started or closed
     */
    public TipServer start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException(state == State.CLOSED ? "server is closed" : "server already started");
            }
            try {
                running = RunningServer.start(config);
                state = State.STARTED;
                return this;
            } catch (IOException e) {
                state = State.CLOSED;
                throw new UncheckedIOException(
                        "cannot start the TIP server on port " + config.port() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Returns the TCP port the server listens on.
     *
     * @return the port
     * @throws IllegalStateException before {@link #start()}
     */
    public int tcpPort() {
        RunningServer r = running;
        if (r == null) {
            throw new IllegalStateException("not started");
        }
        return r.port();
    }

    /**
     * Returns the UDP port voice goes to: the same number as {@link #tcpPort()}.
     *
     * @return the port
     * @throws IllegalStateException before {@link #start()}
     */
    public int udpPort() {
        return tcpPort();
    }

    /**
     * Returns the users connected now, in join order.
     *
     * @return an immutable list, empty before start and after close
     */
    public List<Participant> users() {
        RunningServer r = running;
        return r == null ? List.of() : r.users();
    }

    /**
     * Kicks a user: it gets DISCONNECT with {@code reason}, its connection is closed, and the
     * others get the new roster. Asynchronous.
     *
     * @param id the session id
     * @param reason the REASON sent; null sends none
     * @return true if a user with that id was connected
     */
    public boolean kick(int id, String reason) {
        RunningServer r = running;
        return r != null && r.kick(id, reason);
    }

    /**
     * Returns the rooms now: permanent ones first, in their configured order, then those clients
     * created.
     *
     * @return an immutable list, empty before start and after close
     */
    public List<RoomInfo> rooms() {
        RunningServer r = running;
        return r == null ? List.of() : r.rooms();
    }

    /**
     * Moves a user to another room, which is created if it does not exist (an operator's move:
     * no password, limit or {@link JoinPolicy} applies). Both rooms get their new roster; a TIP/2
     * client that speaks rooms is told its new room. Asynchronous.
     *
     * @param id the session id
     * @param room the room's name
     * @return true if a user with that id was connected
     */
    public boolean move(int id, String room) {
        Objects.requireNonNull(room, "room");
        RunningServer r = running;
        return r != null && r.move(id, room);
    }

    /**
     * Server mute: the server stops relaying the user's voice (to everyone, original listeners'
     * mix included; counted in {@link ServerStatistics#droppedMuted()}), and TIP/2 clients in its
     * room see it in the roster. Asynchronous.
     *
     * @param id the session id
     * @return true if a user with that id was connected
     */
    public boolean mute(int id) {
        RunningServer r = running;
        return r != null && r.mute(id, true);
    }

    /**
     * Lifts a server mute. Asynchronous.
     *
     * @param id the session id
     * @return true if a user with that id was connected
     */
    public boolean unmute(int id) {
        RunningServer r = running;
        return r != null && r.mute(id, false);
    }

    /**
     * Bans a nickname: users with it are kicked, and clients that join with it are refused with
     * DISCONNECT "Banned" (and the reason), until the ban expires. Kept in the ban file
     * ({@link Builder#banFile}) across restarts. Asynchronous.
     *
     * @param nickname the nickname, exactly
     * @param duration how long; null or zero for ever
     * @param reason shown to the client after "Banned: ", or null
     * @throws IllegalStateException before start or after close
     */
    public void ban(String nickname, Duration duration, String reason) {
        addBan(new Ban(Ban.Kind.NICKNAME, Objects.requireNonNull(nickname, "nickname"), until(duration), reason));
    }

    /**
     * Bans an IP address: its users are kicked and its clients refused until the ban expires.
     * Asynchronous.
     *
     * @param address the address
     * @param duration how long; null or zero for ever
     * @param reason shown to the client after "Banned: ", or null
     * @throws IllegalStateException before start or after close
     */
    public void banAddress(InetAddress address, Duration duration, String reason) {
        addBan(new Ban(Ban.Kind.ADDRESS, address.getHostAddress(), until(duration), reason));
    }

    /**
     * Lifts the ban of a nickname or an IP address (its textual form). Asynchronous.
     *
     * @param kind what is banned
     * @param value the nickname or address
     * @throws IllegalStateException before start or after close
     */
    public void unban(Ban.Kind kind, String value) {
        runningOrThrow().unban(kind, value);
    }

    /**
     * Returns the bans in force.
     *
     * @return an immutable list, empty before start
     */
    public List<Ban> bans() {
        RunningServer r = running;
        return r == null ? List.of() : r.bans();
    }

    private void addBan(Ban ban) {
        runningOrThrow().ban(ban);
    }

    private RunningServer runningOrThrow() {
        RunningServer r = running;
        if (r == null) {
            throw new IllegalStateException("not started");
        }
        return r;
    }

    private Instant until(Duration d) {
        return d == null || d.isZero() || d.isNegative()
                ? null
                : Instant.now().plus(d); // wall-clock, as the ban file keeps it
    }

    /**
     * A running {@link AudioTap} on a room; {@link #close()} stops it. Thread-safe.
     */
    public static final class Tap implements AutoCloseable {
        private final RunningServer server;
        private final dev.tip.server.internal.TapSink sink;
        private final String room;

        private Tap(RunningServer server, dev.tip.server.internal.TapSink sink, String room) {
            this.server = server;
            this.sink = sink;
            this.room = room;
        }

        /**
         * Returns the room tapped.
         *
         * @return its name
         */
        public String room() {
            return room;
        }

        /**
         * Returns the frames the tap was given.
         *
         * @return frames delivered
         */
        public long framesDelivered() {
            return sink.delivered();
        }

        /**
         * Returns the frames lost because the tap fell behind.
         *
         * @return frames dropped
         */
        public long framesDropped() {
            return sink.dropped();
        }

        /** Stops the tap; frames still queued are not delivered. Idempotent. */
        @Override
        public void close() {
            server.untap(sink);
        }
    }

    /**
     * Starts receiving a room's voice as decoded PCM ({@link AudioTap}): each speaker's frames and
     * the room's mix. Taps are for permanent rooms (a created room's id is reused once it is gone).
     *
     * @param room a permanent room's name
     * @param tap the application's tap
     * @return the running tap
     * @throws IllegalArgumentException if there is no such room
     * @throws IllegalStateException before start or after close
     */
    public Tap tap(String room, AudioTap tap) {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(tap, "tap");
        RunningServer r = runningOrThrow();
        dev.tip.server.internal.TapSink sink = r.tap(room, tap);
        if (sink == null) {
            throw new IllegalArgumentException("no such room: " + room);
        }
        return new Tap(r, sink, room);
    }

    /**
     * Adds a virtual member that the application speaks through ({@link VirtualSpeaker}) to an
     * existing room: it joins the roster (everyone in the room gets it) and everyone in the room
     * hears what it plays, TIP/2 and original listeners alike. It takes a session id (and counts
     * against the server's {@code maxUsers}).
     *
     * @param room the room's name
     * @param name the speaker's nickname
     * @return the speaker, in the room
     * @throws IllegalArgumentException if there is no such room, or the server is full
     * @throws IllegalStateException before start or after close
     */
    public VirtualSpeaker addVirtualSpeaker(String room, String name) {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(name, "name");
        RunningServer r = runningOrThrow();
        int id = r.addVirtual(name, room);
        if (id < 0) {
            throw new IllegalArgumentException(
                    "cannot add a virtual speaker to " + room + ": no such room, or the server is full");
        }
        VirtualSpeaker speaker =
                new VirtualSpeaker(id, name, room, pcm -> r.inject(id, pcm), () -> r.removeVirtual(id), r.port());
        speakers.add(speaker);
        return speaker;
    }

    /**
     * Returns each connected member's voice stream as the relay counted it (packets, bytes,
     * lost, late, jitter, codec, path); also the MBean's {@code Streams} attribute.
     *
     * @return one entry per member that has a voice stream registered, in join order; empty
     *     before start and after close
     */
    public List<StreamStatistics> streamStatistics() {
        RunningServer r = running;
        return r == null ? List.of() : r.streams();
    }

    /**
     * Returns the counters, read now.
     *
     * @return the statistics now (all zero, and relayAllocatedBytes -1, before start)
     */
    public ServerStatistics statistics() {
        RunningServer r = running;
        return r == null ? new Counters().snapshot(0, -1) : r.statistics();
    }

    /**
     * Stops the server: SERVER_CLOSE to every client (each gets up to the linger time to receive
     * it), then every socket is closed and every thread the server started has ended.
     * Idempotent. Listener callbacks already queued still run (userLeft with
     * {@link LeaveReason#SERVER_STOPPED} for each user) before the events thread ends.
     */
    @Override
    public void close() {
        synchronized (lock) {
            State was = state;
            state = State.CLOSED;
            if (was == State.STARTED) {
                for (VirtualSpeaker v : speakers) {
                    v.close();
                }
                running.close();
            }
        }
    }

    @Override
    public String toString() {
        RunningServer r = running;
        return "TipServer[port=" + (r == null ? -1 : r.port()) + ", users=" + users().size() + "]";
    }

    /**
     * Configures a {@link TipServer}; each setter validates its value and names the parameter in
     * its exception. Not thread-safe: confined to the thread that builds.
     */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private InetAddress bindAddress;
        private int maxUsers = DEFAULT_MAX_USERS;
        private int maxPendingConnections = DEFAULT_MAX_PENDING_CONNECTIONS;
        private int maxPendingConnectionsPerAddress = DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS;
        private int maxUsersPerAddress = DEFAULT_MAX_USERS_PER_ADDRESS;
        private int maxRenamesPerMinute = DEFAULT_MAX_RENAMES_PER_MINUTE;
        private int maxClientPortChangesPerMinute = DEFAULT_MAX_CLIENT_PORT_CHANGES_PER_MINUTE;
        private int maxVoiceDatagramsPerSecond = DEFAULT_MAX_VOICE_DATAGRAMS_PER_SECOND;
        private boolean mixOriginalListeners = DEFAULT_MIX_ORIGINAL_LISTENERS;
        private List<VoiceCodec> voiceCodecs;
        private int voiceBitrate = DEFAULT_VOICE_BITRATE;
        private boolean requireEncryption;
        private Duration resumeWindow = DEFAULT_RESUME_WINDOW;
        private NicknamePolicy nicknamePolicy = NicknamePolicy.ORIGINAL_CLIENT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private int maxControlMessageBytes = DEFAULT_MAX_CONTROL_MESSAGE_BYTES;
        private int outboundQueueBytes = DEFAULT_OUTBOUND_QUEUE_BYTES;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private Duration linger = DEFAULT_LINGER;
        private int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;
        private int udpBufferBytes;
        private int controlSendBufferBytes;
        private ServerListener listener = new ServerListener() {};
        private Executor listenerExecutor;
        private TipClock clock = TipClock.system();
        private ThreadFactory threadFactory = Thread::new;
        private boolean jmx = true;
        private final List<RoomsConfig.Room> rooms = new ArrayList<>();
        private boolean openRooms;
        private Path banFile;
        private JoinPolicy joinPolicy = JoinPolicy.ALLOW_ALL;
        private Duration rosterCoalesce = DEFAULT_ROSTER_COALESCE;

        private Builder() {}

        /**
         * Adds permanent rooms without passwords or limits, in order; the first room added (here
         * or by {@link #room}) is the default room, where original clients land. Without any, the
         * server has one room, {@value Participant#DEFAULT_ROOM}.
         *
         * @param names the rooms' names (1..32 characters, no control characters, no duplicates)
         * @return this builder
         */
        public Builder rooms(String... names) {
            for (String n : names) {
                room(n, null, 0);
            }
            return this;
        }

        /**
         * Adds a permanent room.
         *
         * @param name its name (1..32 characters, no control characters)
         * @param password its password, or null for none
         * @param maxUsers its user limit, 0 for none
         * @return this builder
         */
        public Builder room(String name, String password, int maxUsers) {
            RoomsConfig.Room r = new RoomsConfig.Room(name, password, maxUsers);
            for (RoomsConfig.Room o : rooms) {
                if (o.name().equals(name)) {
                    throw new IllegalArgumentException("room " + name + " is added twice");
                }
            }
            rooms.add(r);
            return this;
        }

        /**
         * Lets TIP/2 clients create rooms by naming one that does not exist (with the password
         * they give, if any); a created room disappears when its last member leaves. Default off.
         *
         * @param open true to let clients create rooms
         * @return this builder
         */
        public Builder openRooms(boolean open) {
            this.openRooms = open;
            return this;
        }

        /**
         * Sets the file bans are kept in across restarts (read at start, rewritten on every
         * change); null (the default) keeps them in memory only.
         *
         * @param file the file, or null
         * @return this builder
         */
        public Builder banFile(Path file) {
            this.banFile = file;
            return this;
        }

        /**
         * Sets who may refuse joins and moves (with a reason the client sees). Default: nobody.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder joinPolicy(JoinPolicy policy) {
            this.joinPolicy = Objects.requireNonNull(policy, "joinPolicy");
            return this;
        }

        /**
         * Sets how often, at most, a full roster goes to a member that needs full rosters
         * (original clients; TIP/2 clients without roster deltas) while the roster keeps
         * changing: changes within the interval are sent as one roster at its end. A joining
         * member always gets its roster at once. Zero sends every roster at once. Default 100 ms.
         *
         * @param interval 0..10 s
         * @return this builder
         */
        public Builder rosterCoalesceInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("rosterCoalesceInterval must be 0..10 s, was " + interval);
            }
            this.rosterCoalesce = interval;
            return this;
        }

        /**
         * Sets the port for both TCP and UDP; 0 picks an ephemeral one. Default {@value #DEFAULT_PORT}.
         *
         * @param port 0..65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the local address to bind; null (the default) binds all IPv4 interfaces, as the
         * original does. An IPv6 address makes the server IPv6.
         *
         * @param address the address, or null
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /**
         * Sets the most users at once; session ids are 0..maxUsers-1. Default
         * {@value #DEFAULT_MAX_USERS}. Beyond it a client gets DISCONNECT "Server full".
         *
         * @param maxUsers 1..65536
         * @return this builder
         */
        public Builder maxUsers(int maxUsers) {
            if (maxUsers < 1 || maxUsers > 65_536) {
                throw new IllegalArgumentException("maxUsers must be 1..65536, was " + maxUsers);
            }
            this.maxUsers = maxUsers;
            return this;
        }

        /**
         * Sets the most connections that have not sent a valid nickname yet; a newcomer beyond it
         * takes the place of the oldest of them, which gets DISCONNECT "Server busy" (counted in
         * {@link ServerStatistics#pendingConnectionsEvicted()}). Default
         * {@value #DEFAULT_MAX_PENDING_CONNECTIONS}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPendingConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingConnections must be positive, was " + max);
            }
            this.maxPendingConnections = max;
            return this;
        }

        /**
         * Sets the most connections from one IP address that have not sent a valid nickname yet;
         * a newcomer beyond it takes the place of the oldest of them (DISCONNECT "Server busy"),
         * so that one address cannot hold the server's pending slots. Default
         * {@value #DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPendingConnectionsPerAddress(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingConnectionsPerAddress must be positive, was " + max);
            }
            this.maxPendingConnectionsPerAddress = max;
            return this;
        }

        /**
         * Sets the most users with the same IP address; beyond it a client gets DISCONNECT
         * "Server full: too many users from your address". Default
         * {@value #DEFAULT_MAX_USERS_PER_ADDRESS}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxUsersPerAddress(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxUsersPerAddress must be positive, was " + max);
            }
            this.maxUsersPerAddress = max;
            return this;
        }

        /**
         * Sets how many renames (SEND_NICKNAME after joining, to another name) one user may make
         * per minute, and at once; a rename beyond it waits for its turn (the latest one wins), so
         * that nobody can make the server send rosters to everyone without end. A rename to the
         * user's own name is nothing at all. Default {@value #DEFAULT_MAX_RENAMES_PER_MINUTE}.
         *
         * @param max 1..60000
         * @return this builder
         */
        public Builder maxRenamesPerMinute(int max) {
            this.maxRenamesPerMinute = perMinute(max, "maxRenamesPerMinute");
            return this;
        }

        /**
         * Sets how many CLIENT_PORT changes one original-dialect user may make per minute, and at
         * once; a change beyond it waits for its turn (the latest one wins). Each change costs
         * the relay a socket. Default {@value #DEFAULT_MAX_CLIENT_PORT_CHANGES_PER_MINUTE}.
         *
         * @param max 1..60000
         * @return this builder
         */
        public Builder maxClientPortChangesPerMinute(int max) {
            this.maxClientPortChangesPerMinute = perMinute(max, "maxClientPortChangesPerMinute");
            return this;
        }

        /**
         * Sets how many datagrams per second from one user are relayed, and at once (a token
         * bucket); the excess is dropped and counted in
         * {@link ServerStatistics#droppedRateLimited()}. A client sends 39 frames per second.
         * Default {@value #DEFAULT_MAX_VOICE_DATAGRAMS_PER_SECOND}.
         *
         * @param max 1..1000000
         * @return this builder
         */
        public Builder maxVoiceDatagramsPerSecond(int max) {
            if (max < 1 || max > 1_000_000) {
                throw new IllegalArgumentException("maxVoiceDatagramsPerSecond must be 1..1000000, was " + max);
            }
            this.maxVoiceDatagramsPerSecond = max;
            return this;
        }

        /**
         * Sets the nickname policy. Default {@link NicknamePolicy#ORIGINAL_CLIENT}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder nicknamePolicy(NicknamePolicy policy) {
            this.nicknamePolicy = Objects.requireNonNull(policy, "nicknamePolicy");
            return this;
        }

        /**
         * Sets how long a new connection has to send a valid nickname before it gets DISCONNECT
         * and is closed. Default 10 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Sets the longest control message a client may send; a longer one closes its connection.
         * Default {@value #DEFAULT_MAX_CONTROL_MESSAGE_BYTES}.
         *
         * @param bytes 64..1048576
         * @return this builder
         */
        public Builder maxControlMessageBytes(int bytes) {
            if (bytes < 64 || bytes > 1 << 20) {
                throw new IllegalArgumentException("maxControlMessageBytes must be 64..1048576, was " + bytes);
            }
            this.maxControlMessageBytes = bytes;
            return this;
        }

        /**
         * Sets the most bytes queued for one client beyond what its socket takes; a client
         * whose queue would grow past it is disconnected. Default 1 MiB.
         *
         * @param bytes at least 1024
         * @return this builder
         */
        public Builder outboundQueueBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("outboundQueueBytes must be at least 1024, was " + bytes);
            }
            this.outboundQueueBytes = bytes;
            return this;
        }

        /**
         * Sets how long queued bytes may wait for a client to read them before it is
         * disconnected ({@link LeaveReason#TIMEOUT}). Default 30 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /**
         * Sets how long a closing connection (DISCONNECT or SERVER_CLOSE sent) is kept for the
         * peer to read its last message. Default 2 s.
         *
         * @param linger positive
         * @return this builder
         */
        public Builder linger(Duration linger) {
            this.linger = positive(linger, "linger");
            return this;
        }

        /**
         * Sets the longest voice payload relayed; longer ones are dropped and counted (an original
         * client would truncate them). A TIP/2 datagram may be its 10-byte header longer.
         * Default {@value #DEFAULT_MAX_DATAGRAM_BYTES}.
         *
         * @param bytes 1..65507
         * @return this builder
         */
        public Builder maxDatagramBytes(int bytes) {
            if (bytes < 1 || bytes > MAX_DATAGRAM_BYTES) {
                throw new IllegalArgumentException("maxDatagramBytes must be 1..65507, was " + bytes);
            }
            this.maxDatagramBytes = bytes;
            return this;
        }

        /**
         * Sets SO_RCVBUF and SO_SNDBUF of the UDP sockets (the main one and, on Java 17's NIO path, each member's; on
         * the batched path of Linux with Java 22+ the one socket queues everyone's bursts; the kernel caps them at its maximum,
         * {@code net.core.rmem_max} and {@code wmem_max} on Linux); 0 (the default) keeps the
         * system's. Larger buffers absorb bursts; a full send buffer drops copies (counted).
         *
         * @param bytes 0 or more
         * @return this builder
         */
        public Builder udpBufferBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("udpBufferBytes must not be negative, was " + bytes);
            }
            this.udpBufferBytes = bytes;
            return this;
        }

        /**
         * Sets SO_SNDBUF of each control connection; 0 (the default) keeps the system's. A small
         * value makes the outbound queue bound bite sooner.
         *
         * @param bytes 0 or more
         * @return this builder
         */
        public Builder controlSendBufferBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("controlSendBufferBytes must not be negative, was " + bytes);
            }
            this.controlSendBufferBytes = bytes;
            return this;
        }

        /**
         * Sets the listener. Default: none.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(ServerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the executor listener callbacks run on; it should run them in order (one thread).
         * Default: a thread of the server's own, ended by {@link #close()}. A given executor is
         * not shut down by the server.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "listenerExecutor");
            return this;
        }

        /**
         * Sets the clock that deadlines, rate budgets and the mix's pace are measured with: a
         * monotonic clock, the type {@code TipClient.Builder.clock} takes too. Default
         * {@link TipClock#system()}. Tests inject a virtual clock; the server only reads it (it
         * waits on its selectors, not on the clock).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(TipClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the factory for the server's threads (the server names them). Default
         * {@code Thread::new}.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "threadFactory");
            return this;
        }

        /**
         * Sets whether to register the JMX MBean {@code dev.tip.server:type=TipServer,port=PORT}:
         * the {@link ServerStatistics} counters as attributes ({@code Users},
         * {@code DatagramsRelayed}, ...), {@code Port}, {@code Roster}, and {@code kick}. Default true.
         *
         * @param enabled true to register
         * @return this builder
         */
        public Builder jmx(boolean enabled) {
            this.jmx = enabled;
            return this;
        }

        /**
         * Whether original listeners get one mixed stream instead of every speaker's datagrams
         * (default: on; off forwards each datagram as the original server does, which a relay
         * benchmark against a plain forwarder wants). On, an original
         * listener receives one 1024-byte frame per 25.6 ms of the server's clock while anyone
         * else talks, the clipped sum of everyone else, its own voice left out, so that it hears
         * two people talking at once instead of each voice chopped; a lone speaker's frames still
         * arrive byte for byte. TIP/2 listeners get each speaker's own stream either way, and a
         * room without original listeners is never mixed.
         *
         * @param enabled true to mix
         * @return this builder
         */
        public Builder mixOriginalListeners(boolean enabled) {
            this.mixOriginalListeners = enabled;
            return this;
        }

        /**
         * The codecs TIP/2 senders may use, best first (default: {@link VoiceCodec#available()},
         * Opus where tip-audio is present). A TIP/2 client sends in the first of these it offers
         * and in PCM otherwise; original peers always send PCM. With mixing on, the server decodes
         * each speaker's codec for its original listeners. An empty list keeps every TIP/2 client
         * on PCM.
         *
         * @param codecs the codecs
         * @return this builder
         */
        public Builder voiceCodecs(List<VoiceCodec> codecs) {
            this.voiceCodecs = List.copyOf(codecs);
            return this;
        }

        /**
         * The most bits per second a TIP/2 sender's codec may use (default {@value
         * #DEFAULT_VOICE_BITRATE}); sent in SESSION, a client takes the lower of it and its own.
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
         * Whether only TIP/2 clients that encrypt their voice may join (default: false). A TIP/2
         * client that sends {@code KEY_SHARE} always gets encrypted, authenticated voice; with this
         * on, a TIP/2 client without it (an older one) and an original client are refused with a
         * DISCONNECT whose REASON says that the server requires encrypted voice
         * (docs/protocol.md, "Voice protection").
         *
         * @param required true to refuse clients that do not encrypt
         * @return this builder
         */
        public Builder requireEncryption(boolean required) {
            this.requireEncryption = required;
            return this;
        }

        /**
         * How long a TIP/2 member whose control connection broke may resume its session (default
         * 30 s): meanwhile it stays in the room and in the relay, the others see no leave, and a
         * client that proves its resume secret (docs/protocol.md, "Resuming a session") gets its
         * session back with the same id and place in the roster. After the window the member
         * leaves as if its connection had just broken. Zero turns resumption off.
         *
         * @param window zero or positive
         * @return this builder
         */
        public Builder resumeWindow(Duration window) {
            Objects.requireNonNull(window, "resumeWindow");
            if (window.isNegative()) {
                throw new IllegalArgumentException("resumeWindow must not be negative, was " + window);
            }
            this.resumeWindow = window;
            return this;
        }

        /**
         * Builds a server (not started yet).
         *
         * @return the server
         */
        public TipServer build() {
            return new TipServer(new ServerConfig(
                    port,
                    bindAddress,
                    maxUsers,
                    maxPendingConnections,
                    maxPendingConnectionsPerAddress,
                    maxUsersPerAddress,
                    maxRenamesPerMinute,
                    maxClientPortChangesPerMinute,
                    maxVoiceDatagramsPerSecond,
                    nicknamePolicy,
                    handshakeTimeout,
                    maxControlMessageBytes,
                    outboundQueueBytes,
                    writeTimeout,
                    linger,
                    maxDatagramBytes,
                    udpBufferBytes,
                    controlSendBufferBytes,
                    listener,
                    listenerExecutor,
                    new MonotonicClock(clock),
                    threadFactory,
                    jmx,
                    mixOriginalListeners,
                    voiceCodecs != null ? voiceCodecs : VoiceCodec.available(),
                    voiceBitrate,
                    requireEncryption,
                    resumeWindow,
                    new RoomsConfig(rooms, openRooms, banFile, joinPolicy, rosterCoalesce.toMillis())));
        }

        private static int perMinute(int max, String name) {
            if (max < 1 || max > 60_000) {
                throw new IllegalArgumentException(name + " must be 1..60000, was " + max);
            }
            return max;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
