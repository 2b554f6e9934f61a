package dev.tip.server.internal;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.server.LeaveReason;
import dev.tip.server.ServerListener;
import dev.tip.server.User;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control thread's loop: one selector for every TCP connection. It accepts, reads and
 * decodes each {@link Connection}, hands the messages to the {@link Room}, and carries out what
 * the room decides ({@link RoomEffect}: bytes to queue, relay registrations, listener events);
 * it also runs the deadlines (handshake, write, linger) and the shutdown.
 *
 * <p>Threading: {@link #run()} is the control thread, and every field not marked otherwise is
 * confined to it; {@link #kick}, {@link #stop} and {@link #users()} are thread-safe (they read a
 * published list or queue a command). Listener events go to the listener executor.
 */
public final class ControlLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);
    private static final int READ_BUFFER_BYTES = 8192;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Relay relay;
    private final ServerConfig config;
    private final Counters counters;
    private final ServerListener listener;
    private final Executor events;
    private final ControlEncoder encoder = new ControlEncoder();
    private final Room room;
    private final ByteBuffer readBuf = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final long handshakeMillis;
    private final long writeMillis;
    private final long lingerMillis;
    private final long sweepMillis;
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final Connection[] byId;
    private final ArrayDeque<Connection> doomed = new ArrayDeque<>();
    private final List<RoomEffect> effects = new ArrayList<>();
    private int pending;
    private boolean stopping;
    private long stopDeadline;
    // shared with other threads
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private volatile List<User> users = List.of();

    /**
     * Creates the loop on a bound, listening server channel.
     *
     * @param server the TCP server channel
     * @param relay the voice relay to register voice addresses with
     * @param config the server's configuration
     * @param counters where to count
     * @param events where listener callbacks run
     * @throws IOException if the selector cannot be opened
     */
    public ControlLoop(ServerSocketChannel server, Relay relay, ServerConfig config, Counters counters, Executor events)
            throws IOException {
        this.server = server;
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
        this.sweepMillis =
                Math.max(10, Math.min(1000, Math.min(handshakeMillis, Math.min(writeMillis, lingerMillis)) / 4));
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, null);
    }

    /**
     * Returns the users connected now, in join order. Thread-safe.
     *
     * @return an immutable list
     */
    public List<User> users() {
        return users;
    }

    /**
     * Sends DISCONNECT with {@code reason} to user {@code id} and closes its connection,
     * asynchronously. Thread-safe.
     *
     * @param id the session id
     * @param reason the REASON
     * @return true if such a user was connected when called
     */
    public boolean kick(int id, String reason) {
        if (users.stream().noneMatch(u -> u.id() == id)) {
            return false;
        }
        command(() -> {
            if (room.isMember(id)) {
                closeWith(byId[id], new ControlMessage.Disconnect(reason), LeaveReason.KICKED);
            }
        });
        return true;
    }

    /**
     * A TIP/2 member proved a (new) voice address. Thread-safe: called on the relay thread.
     *
     * @param id the session id
     * @param token the token its HELLO carried
     * @param address the address
     */
    public void voiceAddressLearned(int id, long token, InetSocketAddress address) {
        command(() -> {
            room.voiceLearned(id, token, address, effects);
            carryOut();
        });
    }

    /**
     * Stops accepting, sends SERVER_CLOSE to every connection and ends the loop once they have
     * been written or the linger time has passed. Thread-safe; returns at once.
     */
    public void stop() {
        command(this::beginStop);
    }

    private void command(Runnable r) {
        commands.add(r);
        selector.wakeup();
    }

    @Override
    public void run() {
        long nextSweep = 0;
        try {
            while (true) {
                long now = now();
                if (now >= nextSweep) {
                    sweep(now);
                    nextSweep = now + sweepMillis;
                }
                processDoomed();
                if (stopping && (connections.isEmpty() || now >= stopDeadline)) {
                    break;
                }
                selector.select(onKey, Math.max(1, nextSweep - now));
                Runnable c;
                while ((c = commands.poll()) != null) {
                    c.run();
                }
                processDoomed();
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.error("Control loop failed; the server no longer accepts connections", e);
        } catch (RuntimeException | Error e) {
            LOG.error("Control loop failed unexpectedly", e);
            throw e;
        } finally {
            for (Connection c : new ArrayList<>(connections)) {
                forceClose(c);
            }
            try {
                server.close();
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing control sockets", e);
            }
        }
    }

    private long now() {
        return config.clock().millis();
    }

    private void onKey(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        Connection c = (Connection) key.attachment();
        if (c == null) {
            accept();
            return;
        }
        if (key.isValid() && key.isWritable() && c.flush(now()) == Connection.Write.FAILED) {
            doom(c, LeaveReason.CONNECTION_LOST);
        }
        if (!c.closed && key.isValid() && key.isReadable()) {
            read(c);
        }
    }

    private void accept() {
        for (int i = 0; i < 64; i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                LOG.warn("accept failed: {}", e.toString());
                return;
            }
            if (ch == null) {
                return;
            }
            Counters.add(counters.connectionsAccepted, 1);
            try {
                InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (config.controlSendBufferBytes() > 0) {
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, config.controlSendBufferBytes());
                }
                if (stopping || pending >= config.maxPendingConnections()) {
                    refuse(
                            ch,
                            stopping ? new ControlMessage.ServerClose() : new ControlMessage.Disconnect("Server busy"));
                    continue;
                }
                Connection c = new Connection(ch, remote, new ControlDecoder(config.limits()), now());
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
                pending++;
                LOG.debug("{} connected", remote);
            } catch (IOException e) {
                LOG.debug("accepting a connection failed: {}", e.toString());
                closeQuietly(ch);
            }
        }
    }

    /** Best effort: one non-blocking write of a short message, then close. */
    private void refuse(SocketChannel ch, ControlMessage why) {
        Counters.add(counters.connectionsRefused, 1);
        try {
            ch.write(ByteBuffer.wrap(encoder.encode(why)));
        } catch (IOException e) {
            LOG.debug("refusing a connection: {}", e.toString());
        }
        closeQuietly(ch);
    }

    private void read(Connection c) {
        ByteBuffer b = readBuf.clear();
        int n;
        try {
            n = c.channel.read(b);
        } catch (IOException e) {
            doom(c, LeaveReason.CONNECTION_LOST);
            return;
        }
        if (c.closing) {
            // lingering close: discard what the peer still sends, until it closes too
            if (n < 0) {
                forceClose(c);
            }
            return;
        }
        if (n < 0) {
            c.decoder.endOfInput();
            decode(c);
            doom(c, LeaveReason.CONNECTION_LOST);
        } else if (n > 0) {
            c.decoder.feed(b.array(), 0, n);
            decode(c);
        }
    }

    private void decode(Connection c) {
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
    private void doom(Connection c, LeaveReason reason) {
        if (c.closed || c.doomed != null) {
            return;
        }
        c.doomed = reason;
        doomed.add(c);
    }

    private void processDoomed() {
        Connection c;
        while ((c = doomed.poll()) != null) {
            leave(c, c.doomed, !stopping);
            forceClose(c);
        }
    }

    /** Sends a last message, then closes (lingering). {@code leaveReason} null for non-members. */
    private void closeWith(Connection c, ControlMessage last, LeaveReason leaveReason) {
        if (!c.open()) {
            return;
        }
        if (leaveReason != null) {
            leave(c, leaveReason, !stopping);
        }
        enqueue(c, ByteBuffer.wrap(encoder.encode(last)));
        if (c.open() && c.beginClose(now() + lingerMillis) == Connection.Write.FAILED) {
            forceClose(c);
        }
    }

    private void forceClose(Connection c) {
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

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
    }

    private void sweep(long now) {
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

    private void beginStop() {
        if (stopping) {
            return;
        }
        stopping = true;
        stopDeadline = now() + lingerMillis;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing server socket", e);
        }
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
        switch (c.enqueue(bytes, now(), config.outboundQueueBytes())) {
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
