package dev.tip.server.internal;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.server.LeaveReason;
import dev.tip.server.ServerListener;
import dev.tip.server.User;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control thread's connections and the {@link Room} they join: decodes what each
 * {@link Connection} received, hands the messages to the room, and carries out what the room
 * decides ({@link RoomEffect}: bytes to queue, relay registrations, listener events); closes
 * connections gracefully (a last message, then linger) or at once, and runs their deadlines.
 * The {@link ControlLoop} drives it from the selector.
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
    private int pending;
    private boolean stopping;
    // read by other threads
    private volatile List<User> users = List.of();

    ControlHandler(Relay relay, ServerConfig config, Counters counters, Executor events) {
        this.relay = relay;
        this.config = config;
        this.counters = counters;
        this.listener = config.listener();
        this.events = events;
        SecureRandom random = new SecureRandom();
        this.room = new Room(config.maxUsers(), config.nicknamePolicy(), random::nextLong);
        this.byId = new Connection[config.maxUsers()];
        this.handshakeMillis = config.handshakeTimeout().toMillis();
        this.writeMillis = config.writeTimeout().toMillis();
        this.lingerMillis = config.linger().toMillis();
    }

    /** The users now, in join order. Thread-safe. */
    List<User> users() {
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

    /** True if a new connection may start its handshake (not stopping, not too many pending). */
    boolean accepts() {
        return !stopping && pending < config.maxPendingConnections();
    }

    /** Starts handling an accepted, registered channel. */
    Connection add(SocketChannel ch, InetSocketAddress remote, SelectionKey key) {
        Connection c = new Connection(
                ch, remote, new ControlDecoder(config.limits()), config.clock().millis());
        c.key = key;
        key.attach(c);
        connections.add(c);
        pending++;
        return c;
    }

    /** Kicks member {@code id}, if it is one: DISCONNECT with {@code reason}, then close. */
    void kick(int id, String reason) {
        if (room.isMember(id)) {
            closeWith(byId[id], new ControlMessage.Disconnect(reason), LeaveReason.KICKED);
        }
    }

    /** The relay learned a TIP/2 member's voice address. */
    void voiceLearned(int id, long token, InetSocketAddress address) {
        room.voiceLearned(id, token, address, effects);
        carryOut();
    }

    void decode(Connection c) {
        while (c.open()) {
            ControlMessage m;
            try {
                m = c.decoder.next();
            } catch (ProtocolException e) {
                if (e.kind() == ProtocolException.Kind.UNKNOWN_KEY) {
                    // a newer peer's message: original peers ignore it, and so do we
                    LOG.debug("{}: ignored {}", c, e.getMessage());
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
        LOG.info("{}: protocol error, closing: {}", c, e.getMessage());
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
        } else {
            // ACK, UNKNOWN_ERROR and the server-to-client messages mean nothing here
            LOG.debug("{}: ignored {}", c, m);
        }
    }

    private void nickname(Connection c, ControlMessage.SendNickname n) {
        int before = c.id;
        int id = room.nickname(before, n.name(), n.extensions(), c.remote, c.voicePort, effects);
        if (before < 0 && id >= 0) {
            pending--;
            c.handshaking = false;
            c.id = id;
            byId[id] = c;
            LOG.info("{} joined as {}", c, n.name());
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
            LOG.info("{}: nickname refused: {}", c, refused.reason());
            closeWith(c, new ControlMessage.Disconnect(refused.reason()), null);
        }
    }

    /** Carries out the room's effects, in order (a Refuse is the caller's), and publishes the users. */
    private void carryOut() {
        for (RoomEffect e : effects) {
            if (e instanceof RoomEffect.Send s) {
                Connection to = byId[s.id()];
                if (to != null) {
                    enqueue(to, ByteBuffer.wrap(s.bytes()));
                }
            } else if (e instanceof RoomEffect.RegisterVoice r) {
                relay.register(r.id(), r.address());
            } else if (e instanceof RoomEffect.RegisterTip2 r) {
                relay.registerTip2(r.id(), r.token());
            } else if (e instanceof RoomEffect.UnregisterVoice u) {
                relay.unregister(u.id());
            } else if (e instanceof RoomEffect.Joined j) {
                emit(() -> listener.userJoined(j.user()));
            } else if (e instanceof RoomEffect.Left l) {
                LOG.info("{} ({}) left: {}", l.user().controlAddress(), l.user().name(), l.reason());
                emit(() -> listener.userLeft(l.user(), l.reason()));
            } else if (e instanceof RoomEffect.VoiceRegistered v) {
                emit(() -> listener.voiceAddressRegistered(v.user(), v.address()));
            }
        }
        effects.clear();
        users = room.users();
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
        enqueue(c, ByteBuffer.wrap(encoder.encode(last)));
        if (c.open() && c.beginClose(config.clock().millis() + lingerMillis) == Connection.Write.FAILED) {
            forceClose(c);
        }
    }

    void forceClose(Connection c) {
        if (c.closed) {
            return;
        }
        if (c.handshaking) {
            c.handshaking = false;
            pending--;
        }
        connections.remove(c);
        c.close();
    }

    void sweep(long now) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            Connection c = connections.get(i);
            switch (c.expiry(now, handshakeMillis, writeMillis)) {
                case LINGER -> forceClose(c);
                case HANDSHAKE -> {
                    LOG.info("{}: no nickname within {} ms, closing", c, handshakeMillis);
                    closeWith(c, new ControlMessage.Disconnect("Handshake timeout"), null);
                }
                case WRITE -> {
                    LOG.info("{}: not reading for {} ms, closing", c, writeMillis);
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
        if (!c.open()) {
            return;
        }
        Counters.add(counters.controlMessagesSent, 1);
        switch (c.enqueue(bytes, config.clock().millis(), config.outboundQueueBytes())) {
            case FULL -> {
                LOG.info("{}: outbound queue full ({} bytes), closing", c, c.queued());
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
