package dev.tip.server.internal;

import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.core.protocol.RoomProtocol;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.server.Ban;
import dev.tip.server.JoinPolicy;
import dev.tip.server.LeaveReason;
import dev.tip.server.Participant;
import dev.tip.server.RoomInfo;
import dev.tip.server.ServerListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control thread's connections and the {@link Room} they join: decodes what each
 * {@link Connection} received, hands the messages to the room, and carries out what the room
 * decides ({@link RoomEffect}: bytes to queue, relay registrations, listener events); closes
 * connections gracefully (a last message, then linger) or at once, and runs their deadlines.
 * The {@link ControlLoop} drives it from the selector.
 *
 * <p>Limits on connections that have not joined: at most so many per IP address and in all;
 * a newcomer beyond either takes the place of the oldest such connection (of its address, or of
 * all), which gets DISCONNECT "Server busy". Client text in a log line is escaped and truncated
 * ({@link LogText}), and lines about one address's bad input are rate-limited (the rest counted
 * in {@code logLinesSuppressed}).
 *
 * <p>Threading: confined to the control thread, except {@link #users()} (a published immutable
 * list, thread-safe). Listener events go to the listener executor, never run here.
 */
final class ControlHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ControlHandler.class);

    private final Relay relay;
    private final ServerConfig config;
    private final Counters counters;
    private final ServerListener listener;
    private final Executor events;
    private final ControlEncoder encoder = new ControlEncoder();
    private final Room room;
    private final long handshakeMillis;
    private final long writeMillis;
    private final long lingerMillis;
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final Connection[] byId;
    private final ArrayDeque<Connection> doomed = new ArrayDeque<>();
    private final List<RoomEffect> effects = new ArrayList<>();
    /** Connections that have not joined, oldest first. */
    private final PendingConnections pending;

    private final HashMap<InetAddress, TokenBucket> logBudgets = new HashMap<>();
    /** The TIP/2 sessions that may be resumed, and those waiting for their client. */
    private final Resumptions resumptions;
    /** Splits tunnel frames off what each connection sends (docs/protocol.md, the tunnel). */
    private final TunnelReader tunnelReader = new TunnelReader(this);

    private boolean stopping;
    // read by other threads
    private volatile List<Participant> users = List.of();
    private volatile List<RoomInfo> roomInfo = List.of();
    private final BanList bans;
    private final Rooms rooms;
    private volatile List<Ban> banView = List.of();

    /** Log lines about one address's bad input per minute (and at once). */
    static final int LOG_LINES_PER_MINUTE = 20;
    /** Most addresses whose log budget is remembered; beyond, all are forgotten at once. */
    private static final int LOG_BUDGETS = 4096;

    ControlHandler(Relay relay, ServerConfig config, Counters counters, Executor events) {
        this(relay, config, counters, events, -1);
    }

    ControlHandler(Relay relay, ServerConfig config, Counters counters, Executor events, int serverPort) {
        this.relay = relay;
        this.config = config;
        this.counters = counters;
        this.listener = config.listener();
        this.events = events;
        SecureRandom random = new SecureRandom();
        Set<InetAddress> local = localAddresses();
        Room.Limits limits = new Room.Limits(
                config.maxRenamesPerMinute(),
                config.maxClientPortChangesPerMinute(),
                config.maxUsersPerAddress(),
                a -> a.getPort() == serverPort
                        && (a.getAddress().isLoopbackAddress()
                                || a.getAddress().isAnyLocalAddress()
                                || local.contains(a.getAddress())));
        List<String> codecs = new ArrayList<>();
        for (VoiceCodec c : config.voiceCodecs()) {
            codecs.add(c.name());
        }
        this.room = new Room(
                config.maxUsers(),
                config.nicknamePolicy(),
                random::nextLong,
                limits,
                () -> config.clock().millis(),
                new Tip2Negotiation.Voice(
                        codecs,
                        config.voiceBitrate(),
                        config.requireEncryption(),
                        KeyExchange::generate,
                        config.resumeWindow().toMillis()));
        this.resumptions =
                new Resumptions(config.maxUsers(), config.resumeWindow().toMillis());
        RoomsConfig rc = config.rooms();
        // bans last for wall-clock durations and outlive the process: the wall clock, not the
        // server's monotonic one (whose instants mean nothing after a restart)
        this.bans = new BanList(rc.banFile(), Clock.systemUTC());
        this.banView = bans.bans();
        this.rooms = new Rooms(rc.rooms(), rc.open());
        room.rooms(rooms);
        room.gate(gate(bans, rc.joinPolicy()));
        room.rosterCoalesce(rc.rosterCoalesceMillis());
        this.roomInfo = room.roomInfo();
        this.byId = new Connection[config.maxUsers()];
        this.pending = new PendingConnections(config.maxPendingConnectionsPerAddress(), config.maxPendingConnections());
        this.handshakeMillis = config.handshakeTimeout().toMillis();
        this.writeMillis = config.writeTimeout().toMillis();
        this.lingerMillis = config.linger().toMillis();
    }

    /** This host's addresses, where a datagram to the server's port reaches the server itself. */
    private static Set<InetAddress> localAddresses() {
        Set<InetAddress> all = new HashSet<>();
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                all.addAll(Collections.list(i.getInetAddresses()));
            }
        } catch (SocketException | RuntimeException e) {
            LOG.debug("cannot list this host's addresses", e);
        }
        return Set.copyOf(all);
    }

    /** Bans first, then the application's policy; a policy that throws refuses. */
    private static Room.Gate gate(BanList bans, JoinPolicy policy) {
        return new Room.Gate() {
            @Override
            public String refuseJoin(String name, InetSocketAddress remote, String room) {
                String banned = bans.refusal(name, remote);
                if (banned != null) {
                    return banned;
                }
                try {
                    return policy.refuseJoin(name, remote, room);
                } catch (RuntimeException e) {
                    LOG.warn("join policy threw; the join is refused", e);
                    return REFUSED;
                }
            }

            @Override
            public String refuseMove(Participant user, String room) {
                try {
                    return policy.refuseMove(user, room);
                } catch (RuntimeException e) {
                    LOG.warn("join policy threw; the move is refused", e);
                    return REFUSED;
                }
            }
        };
    }

    /** The reason when the application's policy threw. */
    static final String REFUSED = "Refused by the server";

    /** The rooms now. Thread-safe. */
    List<RoomInfo> rooms() {
        return roomInfo;
    }

    /** The bans in force (as of the last change). Thread-safe. */
    List<Ban> bans() {
        return banView;
    }

    /**
     * Moves member {@code id} to room {@code name} (an operator's move: no password or limit).
     *
     * @return null if moved, else why not
     */
    String move(int id, String name) {
        String problem = RoomProtocol.roomNameProblem(name);
        if (problem != null) {
            return problem;
        }
        String why = room.move(id, name, null, true, effects);
        carryOut();
        return why;
    }

    /** Mutes or unmutes member {@code id}; false if there is none. */
    boolean mute(int id, boolean muted) {
        boolean done = room.mute(id, muted, effects);
        carryOut();
        return done;
    }

    /** Adds a ban and kicks every member it matches. */
    void ban(Ban ban) {
        bans.add(ban);
        banView = bans.bans();
        String reason = BanList.BANNED + (ban.reason() == null ? "" : ": " + ban.reason());
        for (Participant u : users) {
            if (BanList.matches(ban, u.name(), u.controlAddress())) {
                kick(u.id(), reason);
            }
        }
    }

    /** Lifts a ban; true if there was one. */
    boolean unban(Ban.Kind kind, String value) {
        boolean removed = bans.remove(kind, value);
        banView = bans.bans();
        return removed;
    }

    /** The users now, in join order. Thread-safe. */
    List<Participant> users() {
        return users;
    }

    /** Closes every connection at once (the loop ends). */
    void closeAll() {
        for (Connection c : new ArrayList<>(connections)) {
            forceClose(c);
        }
    }

    /** True if no connection is open. */
    boolean isEmpty() {
        return connections.isEmpty();
    }

    /** True if a new connection may start its handshake (not stopping). */
    boolean accepts() {
        return !stopping;
    }

    /**
     * Makes room for a newcomer from {@code address}: if its address, or the server, has as many
     * unjoined connections as allowed, the oldest of them (of that address first) is closed with
     * DISCONNECT "Server busy".
     *
     * @param address the newcomer's IP address
     */
    void makeRoomFor(InetAddress address) {
        // both limits may apply: the oldest of the address, then the oldest of all
        for (int i = 0; i < 2; i++) {
            Connection c = pending.toEvictFor(address);
            if (c == null) {
                return;
            }
            evict(c);
        }
    }

    private void evict(Connection c) {
        Counters.add(counters.pendingConnectionsEvicted, 1);
        LOG.debug("{}: oldest unjoined connection, closed for a newcomer", c);
        closeWith(c, new ControlMessage.Disconnect("Server busy"), null);
    }

    /** Starts handling an accepted, registered channel. */
    Connection add(SocketChannel ch, InetSocketAddress remote, SelectionKey key) {
        Connection c = new Connection(
                ch, remote, new ControlDecoder(config.limits()), config.clock().millis());
        c.key = key;
        key.attach(c);
        connections.add(c);
        pending.add(c);
        return c;
    }

    /** {@code c} no longer counts as an unjoined connection (joined, or closing). */
    private void unpend(Connection c) {
        if (c.handshaking) {
            c.handshaking = false;
            pending.remove(c);
        }
    }

    /**
     * True if a line about {@code c}'s bad input may be logged now; else counts it suppressed.
     * One budget per IP address, so reconnecting does not buy more.
     */
    private boolean mayLog(Connection c) {
        if (c.logBudget == null) {
            if (logBudgets.size() >= LOG_BUDGETS) {
                logBudgets.clear();
            }
            c.logBudget =
                    logBudgets.computeIfAbsent(c.remote.getAddress(), a -> TokenBucket.perMinute(LOG_LINES_PER_MINUTE));
        }
        if (c.logBudget.tryTake(config.clock().millis())) {
            return true;
        }
        Counters.add(counters.logLinesSuppressed, 1);
        return false;
    }

    /**
     * How long the loop may wait before {@link #endOfTurn} has a coalesced roster to send.
     *
     * @return milliseconds, or -1 if none waits
     */
    long untilRosterFlush() {
        return room.untilFlush();
    }

    /** Once per loop turn: the rosters that wait, once their coalescing interval has passed. */
    void endOfTurn() {
        room.flushRoster(effects);
        if (!effects.isEmpty()) {
            carryOut();
        }
    }

    /**
     * Adds a virtual speaker to an existing room.
     *
     * @return its session id, or -1 (no such room, or the server is full)
     */
    int addVirtual(String name, String roomName) {
        int id = room.addVirtual(name, roomName, effects);
        carryOut();
        return id;
    }

    /** Removes virtual member {@code id}, if it is one. */
    void removeVirtual(int id) {
        if (room.isVirtual(id)) {
            room.leave(id, LeaveReason.QUIT, !stopping, effects);
            carryOut();
        }
    }

    /**
     * Room id of a room, or -1.
     *
     * @param name the room's name
     */
    int roomId(String name) {
        Rooms.State r = rooms == null ? null : rooms.find(name);
        return r == null ? -1 : r.id;
    }

    /** Kicks member {@code id}, if it is one: DISCONNECT with {@code reason}, then close. */
    void kick(int id, String reason) {
        if (room.isVirtual(id)) {
            removeVirtual(id);
        } else if (resumptions.isDetached(id)) {
            // waiting for its client: it has no connection to tell
            resumptions.remove(id);
            room.leave(id, LeaveReason.KICKED, !stopping, effects);
            carryOut();
        } else if (room.isMember(id)) {
            closeWith(byId[id], new ControlMessage.Disconnect(reason), LeaveReason.KICKED);
        }
    }

    /** The relay learned a TIP/2 member's voice address. */
    void voiceLearned(int id, long token, InetSocketAddress address) {
        room.voiceLearned(id, token, address, effects);
        carryOut();
    }

    /**
     * Bytes read from {@code c}: tunnel frames go to the relay, the rest to the decoder.
     *
     * @param c the connection
     * @param buf the bytes
     * @param n how many, from index 0
     */
    void received(Connection c, byte[] buf, int n) {
        tunnelReader.received(c, buf, n);
    }

    /** The tunnel's voice for {@code c} waits: writes what the socket takes. */
    void flushTunnel(Connection c) {
        if (!c.closed && c.flush(config.clock().millis()) == Connection.Write.FAILED) {
            doom(c, LeaveReason.CONNECTION_LOST);
        }
    }

    /** The connection of member {@code id}, or null. */
    Connection byId(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** {@code c} broke the tunnel's framing: closed as for any protocol error. */
    void tunnelError(Connection c, String what) {
        Counters.add(counters.protocolErrors, 1);
        if (mayLog(c)) {
            LOG.info("{}: protocol error, closing: {}", c, what);
        }
        closeWith(c, new ControlMessage.Disconnect("Protocol error: " + what), LeaveReason.PROTOCOL_ERROR);
    }

    /** Control thread: a datagram {@code c} sent in a tunnel frame; false if {@code c} is closed for it. */
    boolean tunnelled(Connection c, byte[] buf, int off, int len) {
        if (c.tunnel == null || c.id < 0) {
            tunnelError(c, "tunnel frame without TUNNEL negotiated");
            return false;
        }
        if (relay.tunnels().offerInbound(c.id, c.tunnelToken, buf, off, len)) {
            Counters.add(counters.tunnelDatagramsIn, 1);
        } else {
            Counters.add(counters.tunnelDroppedInbound, 1);
        }
        return true;
    }

    void decode(Connection c) {
        while (c.open()) {
            ControlMessage m;
            try {
                m = c.decoder.next();
            } catch (ProtocolException e) {
                if (e.kind() == ProtocolException.Kind.UNKNOWN_KEY) {
                    // a newer peer's message: original peers ignore it, and so do we
                    LOG.debug("{}: ignored {}", c, LogText.safe(e.getMessage(), 200));
                    continue;
                }
                protocolError(c, e);
                return;
            }
            if (m == null) {
                return;
            }
            Counters.add(counters.controlMessagesReceived, 1);
            handle(c, m);
        }
    }

    private void protocolError(Connection c, ProtocolException e) {
        Counters.add(counters.protocolErrors, 1);
        if (mayLog(c)) {
            LOG.info("{}: protocol error, closing: {}", c, LogText.safe(e.getMessage(), 400));
        }
        String reason =
                switch (e.kind()) {
                    case MESSAGE_TOO_LONG -> "Protocol error: message too long";
                    case MALFORMED_JSON, INVALID_UTF8 -> "Protocol error: malformed message";
                    default ->
                        "Protocol error: "
                                + e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                };
        closeWith(c, new ControlMessage.Disconnect(reason), LeaveReason.PROTOCOL_ERROR);
    }

    private void handle(Connection c, ControlMessage m) {
        if (m instanceof ControlMessage.SendNickname n) {
            nickname(c, n);
        } else if (m instanceof ControlMessage.ClientPort p) {
            c.voicePort = p.port();
            if (c.id >= 0) {
                room.clientPort(c.id, p.port(), effects);
                carryOut();
            }
        } else if (m instanceof ControlMessage.Disconnect) {
            doom(c, LeaveReason.QUIT);
        } else if (m instanceof ControlMessage.Extended x && c.id >= 0) {
            roomRequest(c, x);
        } else {
            // ACK, UNKNOWN_ERROR and the server-to-client messages mean nothing here
            LOG.debug("{}: ignored {}", c, LogText.safe(m.toString(), 200));
        }
    }

    /** JOIN_ROOM or LIST_ROOMS from a member; the server-to-client KEYs mean nothing here. */
    private void roomRequest(Connection c, ControlMessage.Extended x) {
        if (x.key() == RoomProtocol.KEY_JOIN_ROOM) {
            String name = x.extensions().getString(RoomProtocol.ROOM).orElse(null);
            if (name == null) {
                protocolError(
                        c,
                        new ProtocolException(
                                ProtocolException.Kind.MISSING_FIELD,
                                "JOIN_ROOM requires ROOM, a string",
                                0,
                                x.key(),
                                RoomProtocol.ROOM));
                return;
            }
            String why = room.move(
                    c.id, name, x.extensions().getString(RoomProtocol.PASSWORD).orElse(null), false, effects);
            if (why != null) {
                LOG.debug("{}: move to {} refused: {}", c, LogText.safe(name), why);
            }
            carryOut();
        } else if (x.key() == RoomProtocol.KEY_LIST_ROOMS) {
            room.listRooms(c.id, effects);
            carryOut();
        } else if (x.key() == TipProtocol.KEY_LOSS_REPORT) {
            room.lossReport(c.id, x.extensions().getLong(TipProtocol.LOSS).orElse(0), effects);
            carryOut();
        } else {
            LOG.debug("{}: ignored {}", c, LogText.safe(x.toString(), 200));
        }
    }

    private void nickname(Connection c, ControlMessage.SendNickname n) {
        if (c.id < 0 && n.extensions().get(RESUME_ID).isPresent()) {
            resume(c, n);
            return;
        }
        int before = c.id;
        int id = room.nickname(before, n.name(), n.extensions(), c.remote, c.voicePort, effects);
        if (before < 0 && id >= 0) {
            unpend(c);
            c.id = id;
            byId[id] = c;
            if (Tip2Negotiation.wantsTunnel(n.extensions())) {
                c.tunnel = relay.tunnels().newMemberQueue();
            }
            LOG.info("{} joined as {}", c, LogText.safe(n.name()));
        } else if (id < 0) {
            forget(c);
        }
        RoomEffect.Refuse refused = null;
        for (RoomEffect e : effects) {
            if (e instanceof RoomEffect.Refuse r) {
                refused = r;
            }
        }
        carryOut();
        if (refused != null) {
            Counters.add(refused.full() ? counters.connectionsRefused : counters.protocolErrors, 1);
            if (mayLog(c)) {
                LOG.info("{}: nickname refused: {}", c, LogText.safe(refused.reason()));
            }
            closeWith(c, new ControlMessage.Disconnect(refused.reason()), null);
        }
    }

    /** A SEND_NICKNAME with RESUME_ID: the session comes back to this connection, or is refused. */
    private void resume(Connection c, ControlMessage.SendNickname n) {
        long id = n.extensions().getLong(RESUME_ID).orElse(-1);
        String proof = n.extensions().getString(RESUME_PROOF).orElse(null);
        String[] why = new String[1];
        Resumptions.Entry e = resumptions.resume(id, proof, config.clock().millis(), why);
        if (e == null) {
            Counters.add(counters.resumesRefused, 1);
            if (mayLog(c)) {
                LOG.info("{}: resume refused: {}", c, why[0]);
            }
            closeWith(c, new ControlMessage.Disconnect(RESUME_REFUSED + why[0]), null);
            return;
        }
        Connection old = byId[e.id];
        if (old != null && old != c) {
            // the old connection still looked alive (a half-open one after a network change)
            forget(old);
            forceClose(old);
        }
        unpend(c);
        c.id = e.id;
        byId[e.id] = c;
        c.tunnel = e.tunnel;
        c.tunnelToken = e.token;
        room.reconnected(e.id, c.remote);
        users = room.users();
        Counters.add(counters.sessionsResumed, 1);
        LOG.info("{} resumed session {}", c, e.id);
        Extensions.Builder b =
                Extensions.builder().put("VERSION", TipProtocol.TIP2_VERSION).put(RESUMED, 1);
        enqueue(c, ByteBuffer.wrap(encoder.encode(new ControlMessage.Session(e.id, b.build()))));
        enqueue(c, ByteBuffer.wrap(room.rosterFor(e.id)), true);
        // voice the relay queued for its tunnel meanwhile: its wake-up went to no connection
        flushTunnel(c);
    }

    /** SEND_NICKNAME: the session id to resume. */
    static final String RESUME_ID = "RESUME_ID";
    /** SEND_NICKNAME: the proof of the resume secret ({@code ResumeProof}). */
    static final String RESUME_PROOF = "RESUME_PROOF";
    /** SESSION: the session was resumed, not joined. */
    static final String RESUMED = "RESUMED";
    /** How the REASON of a refused resume begins. */
    static final String RESUME_REFUSED = "Resume refused: ";

    /** Carries out the room's effects, in order (a Refuse is the caller's), and publishes the users. */
    private void carryOut() {
        for (RoomEffect e : effects) {
            if (e instanceof RoomEffect.Send s) {
                Connection to = byId[s.id()];
                if (to != null) {
                    enqueue(to, ByteBuffer.wrap(s.bytes()), s.roster());
                }
            } else if (e instanceof RoomEffect.RegisterVoice r) {
                relay.register(r.id(), r.address(), r.room(), r.muted());
            } else if (e instanceof RoomEffect.RegisterTip2 r) {
                Connection to = byId[r.id()];
                if (to != null && to.tunnel != null) {
                    to.tunnelToken = r.token();
                }
                relay.registerTip2(
                        r.id(), r.token(), r.codec(), r.keys(), r.room(), r.muted(), to == null ? null : to.tunnel);
            } else if (e instanceof RoomEffect.Resumable r) {
                Connection to = byId[r.id()];
                resumptions.add(r.id(), r.token(), r.secret(), to == null ? null : to.tunnel);
            } else if (e instanceof RoomEffect.MoveVoice v) {
                relay.move(v.id(), v.room());
            } else if (e instanceof RoomEffect.MuteVoice v) {
                relay.mute(v.id(), v.muted());
            } else if (e instanceof RoomEffect.Moved mv) {
                LOG.info(
                        "{} ({}) moved from {} to {}",
                        mv.user().controlAddress(),
                        LogText.safe(mv.user().name()),
                        LogText.safe(mv.from()),
                        LogText.safe(mv.user().room()));
                emit(() -> listener.userMoved(mv.user(), mv.from()));
            } else if (e instanceof RoomEffect.UnregisterVoice u) {
                relay.unregister(u.id());
            } else if (e instanceof RoomEffect.Joined j) {
                emit(() -> listener.userJoined(j.user()));
            } else if (e instanceof RoomEffect.Left l) {
                LOG.info(
                        "{} ({}) left: {}",
                        l.user().controlAddress(),
                        LogText.safe(l.user().name()),
                        l.reason());
                emit(() -> listener.userLeft(l.user(), l.reason()));
            } else if (e instanceof RoomEffect.VoiceRegistered v) {
                emit(() -> listener.voiceAddressRegistered(v.user(), v.address()));
            } else if (e instanceof RoomEffect.Counted k) {
                Counters.add(counterOf(k.what()), k.times());
            }
        }
        effects.clear();
        users = room.users();
        roomInfo = room.roomInfo();
    }

    private AtomicLong counterOf(RoomEffect.Count what) {
        switch (what) {
            case RENAME_UNCHANGED:
                return counters.renamesUnchanged;
            case RENAME_LIMITED:
                return counters.renamesLimited;
            case CLIENT_PORT_LIMITED:
                return counters.clientPortChangesLimited;
            case ROSTER_DELTA:
                return counters.rosterDeltasSent;
            case ROSTER_COALESCED:
                return counters.rostersCoalesced;
            default:
                return counters.clientPortsRefused;
        }
    }

    /** The connection is no longer member {@code c.id}. */
    private void forget(Connection c) {
        if (c.id >= 0 && byId[c.id] == c) {
            byId[c.id] = null;
        }
        c.id = -1;
    }

    private void leave(Connection c, LeaveReason reason, boolean broadcast) {
        if (c.id >= 0) {
            int id = c.id;
            if (!stopping
                    && (reason == LeaveReason.CONNECTION_LOST || reason == LeaveReason.TIMEOUT)
                    && resumptions.detach(id, config.clock().millis())) {
                // it may come back: still in the room and the relay, nobody is told
                LOG.info("{}: connection lost ({}); session {} may resume", c, reason, id);
                forget(c);
                return;
            }
            resumptions.remove(id);
            forget(c);
            room.leave(id, reason, broadcast, effects);
            carryOut();
        }
    }

    /** Queues a hard close (no last message), done by {@link #processDoomed()}. */
    void doom(Connection c, LeaveReason reason) {
        if (c.closed || c.doomed != null) {
            return;
        }
        c.doomed = reason;
        doomed.add(c);
    }

    void processDoomed() {
        Connection c;
        while ((c = doomed.poll()) != null) {
            leave(c, c.doomed, !stopping);
            forceClose(c);
        }
    }

    /** Sends a last message, then closes (lingering). {@code leaveReason} null for non-members. */
    void closeWith(Connection c, ControlMessage last, LeaveReason leaveReason) {
        if (!c.open()) {
            return;
        }
        if (leaveReason != null) {
            leave(c, leaveReason, !stopping);
        }
        unpend(c);
        enqueue(c, ByteBuffer.wrap(encoder.encode(last)));
        if (c.open() && c.beginClose(config.clock().millis() + lingerMillis) == Connection.Write.FAILED) {
            forceClose(c);
        }
    }

    void forceClose(Connection c) {
        if (c.closed) {
            return;
        }
        unpend(c);
        connections.remove(c);
        c.close();
    }

    void sweep(long now) {
        for (int id : resumptions.expired(now)) {
            // its window passed: it leaves now, as if its connection had just broken
            room.leave(id, LeaveReason.CONNECTION_LOST, !stopping, effects);
        }
        room.tick(effects);
        if (!effects.isEmpty()) {
            carryOut();
        }
        if (!logBudgets.isEmpty()) {
            // an address quiet long enough to have its whole budget back is forgotten
            for (Iterator<TokenBucket> i = logBudgets.values().iterator(); i.hasNext(); ) {
                if (i.next().full(now)) {
                    i.remove();
                }
            }
        }
        for (int i = connections.size() - 1; i >= 0; i--) {
            Connection c = connections.get(i);
            switch (c.expiry(now, handshakeMillis, writeMillis)) {
                case LINGER -> forceClose(c);
                case HANDSHAKE -> {
                    if (mayLog(c)) {
                        LOG.info("{}: no nickname within {} ms, closing", c, handshakeMillis);
                    }
                    closeWith(c, new ControlMessage.Disconnect("Handshake timeout"), null);
                }
                case WRITE -> {
                    if (mayLog(c)) {
                        LOG.info("{}: not reading for {} ms, closing", c, writeMillis);
                    }
                    doom(c, LeaveReason.TIMEOUT);
                }
                case NONE -> {}
            }
        }
    }

    /**
     * The server stops: every member leaves (no roster broadcast) and every connection gets
     * SERVER_CLOSE; new connections are refused from now on.
     */
    void stopAll() {
        stopping = true;
        for (Connection c : new ArrayList<>(connections)) {
            leave(c, LeaveReason.SERVER_STOPPED, false);
        }
        for (Connection c : new ArrayList<>(connections)) {
            closeWith(c, new ControlMessage.ServerClose(), null);
        }
    }

    private void enqueue(Connection c, ByteBuffer bytes) {
        enqueue(c, bytes, false);
    }

    private void enqueue(Connection c, ByteBuffer bytes, boolean roster) {
        if (!c.open()) {
            return;
        }
        Counters.add(counters.controlMessagesSent, 1);
        long replaced = c.replacedRosters;
        Connection.Write w = c.enqueue(bytes, config.clock().millis(), config.outboundQueueBytes(), roster);
        if (c.replacedRosters != replaced) {
            Counters.add(counters.rostersReplaced, c.replacedRosters - replaced);
        }
        switch (w) {
            case FULL -> {
                if (mayLog(c)) {
                    LOG.info("{}: outbound queue full ({} bytes), closing", c, c.queued());
                }
                doom(c, LeaveReason.SLOW_CONSUMER);
            }
            case FAILED -> doom(c, LeaveReason.CONNECTION_LOST);
            case OK -> {}
        }
    }

    private void emit(Runnable event) {
        try {
            events.execute(() -> {
                try {
                    event.run();
                } catch (RuntimeException e) {
                    LOG.warn("server listener threw", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("listener executor refused an event", e);
        }
    }
}
