package dev.tip.server.internal;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.core.voice.AudioFormat;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every TCP control connection, on one selector thread: accepts, reads and decodes, applies the
 * original server's rules (roster broadcast on every join and leave, then SESSION to the new
 * client; smallest free session id; CLIENT_PORT at any time), and writes through a bounded
 * queue per connection. A peer that stops reading is dropped when its queue is full or its
 * queued bytes wait longer than the write timeout; it never blocks this thread or anyone else.
 *
 * <p>Dialects (docs/protocol.md, "TIP/2"): a client whose first SEND_NICKNAME carries
 * {@code VERSION} 2 or more is a TIP/2 member. It gets VERSION, a random TOKEN and the room's
 * RATE and FRAME in SESSION, and the session ids (IDS) with every roster; its voice address is
 * learned by the relay from a HELLO carrying that token, never from CLIENT_PORT. Every other
 * client is original and gets exactly the original bytes.
 *
 * <p>Threading: {@link #run()} is confined to the control thread; {@link #kick}, {@link #stop}
 * and {@link #users()} are thread-safe. Listener events go to the listener executor.
 */
public final class ControlLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);
    private static final int READ_BUFFER_BYTES = 8192;
    /** The dialect this server speaks besides the original. */
    static final int TIP2_VERSION = 2;
    /** The format of every room: what original peers send. */
    static final AudioFormat ROOM_FORMAT = AudioFormat.ORIGINAL;

    /** One TCP connection; confined to the control thread. */
    private static final class Connection {
        final SocketChannel channel;
        final InetSocketAddress remote;
        final ControlDecoder decoder;
        final long acceptedAt;
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        SelectionKey key;
        long queued;
        long stalledSince;
        int id = -1;
        String name;
        int voicePort;
        InetSocketAddress voice;
        /** Negotiated on the first SEND_NICKNAME: TIP/2 instead of the original dialect. */
        boolean tip2;

        long token;
        /** Last message queued; reading stopped; closes once the queue is written. */
        boolean closing;

        long closeDeadline;
        boolean outputShut;
        boolean closed;
        boolean handshaking = true;
        LeaveReason doomed;

        Connection(SocketChannel channel, InetSocketAddress remote, ControlDecoder decoder, long now) {
            this.channel = channel;
            this.remote = remote;
            this.decoder = decoder;
            this.acceptedAt = now;
        }

        User user() {
            return new User(id, name, remote, voice);
        }
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Relay relay;
    private final Settings settings;
    private final Counters counters;
    private final ServerListener listener;
    private final Executor events;
    private final ControlEncoder encoder = new ControlEncoder();
    private final SecureRandom random = new SecureRandom();
    private final ByteBuffer readBuf = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final long sweepMillis;

    // confined to the control thread
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final ArrayList<Connection> members = new ArrayList<>();
    private final Connection[] byId;
    private final ArrayDeque<Connection> doomed = new ArrayDeque<>();
    private int pending;
    private boolean stopping;
    private long stopDeadline;

    private volatile List<User> users = List.of();

    /**
     * Creates the loop on a bound, listening server channel.
     *
     * @param server the TCP server channel
     * @param relay the voice relay to register voice addresses with
     * @param settings configuration
     * @param counters where to count
     * @param listener who hears about users
     * @param events where listener callbacks run
     * @throws IOException if the selector cannot be opened
     */
    public ControlLoop(
            ServerSocketChannel server,
            Relay relay,
            Settings settings,
            Counters counters,
            ServerListener listener,
            Executor events)
            throws IOException {
        this.server = server;
        this.relay = relay;
        this.settings = settings;
        this.counters = counters;
        this.listener = listener;
        this.events = events;
        this.byId = new Connection[settings.maxUsers()];
        long shortest = Math.min(
                settings.handshakeTimeoutMillis(), Math.min(settings.writeTimeoutMillis(), settings.lingerMillis()));
        this.sweepMillis = Math.max(10, Math.min(1000, shortest / 4));
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, null);
        relay.addressListener(this::voiceAddressLearned);
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
        boolean known = false;
        for (User u : users) {
            if (u.id() == id) {
                known = true;
                break;
            }
        }
        if (known) {
            command(() -> {
                Connection c = id >= 0 && id < byId.length ? byId[id] : null;
                if (c != null) {
                    closeWith(c, new ControlMessage.Disconnect(reason), LeaveReason.KICKED);
                }
            });
        }
        return known;
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
        return settings.clock().millis();
    }

    private void onKey(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        Object att = key.attachment();
        if (att == null) {
            accept();
            return;
        }
        Connection c = (Connection) att;
        if (key.isValid() && key.isWritable()) {
            flush(c);
        }
        if (!c.closed && key.isValid() && key.isReadable()) {
            read(c);
        }
    }

    // ---------------------------------------------------------------- accept, read, handle

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
                if (settings.controlSendBufferBytes() > 0) {
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.controlSendBufferBytes());
                }
                if (stopping || pending >= settings.maxPendingConnections()) {
                    refuse(
                            ch,
                            stopping ? new ControlMessage.ServerClose() : new ControlMessage.Disconnect("Server busy"));
                    continue;
                }
                Connection c = new Connection(ch, remote, new ControlDecoder(settings.limits()), now());
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
        ByteBuffer b = readBuf;
        b.clear();
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
            return;
        }
        if (n == 0) {
            return;
        }
        c.decoder.feed(b.array(), 0, n);
        decode(c);
    }

    private void decode(Connection c) {
        while (!c.closing && !c.closed && c.doomed == null) {
            ControlMessage m;
            try {
                m = c.decoder.next();
            } catch (ProtocolException e) {
                if (e.kind() == ProtocolException.Kind.UNKNOWN_KEY) {
                    // a newer peer's message: original peers ignore it, and so do we
                    LOG.debug("{}: ignored {}", c.remote, e.getMessage());
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
        LOG.info(
                "{}{}: protocol error, closing: {}",
                c.remote,
                c.name == null ? "" : " (" + c.name + ")",
                e.getMessage());
        String reason =
                switch (e.kind()) {
                    case MESSAGE_TOO_LONG -> "Protocol error: message too long";
                    case MALFORMED_JSON, INVALID_UTF8 -> "Protocol error: malformed message";
                    default ->
                        "Protocol error: "
                                + e.kind()
                                        .name()
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .replace('_', ' ');
                };
        closeWith(c, new ControlMessage.Disconnect(reason), LeaveReason.PROTOCOL_ERROR);
    }

    private void handle(Connection c, ControlMessage m) {
        if (m instanceof ControlMessage.SendNickname n) {
            nickname(c, n.name(), n.extensions());
        } else if (m instanceof ControlMessage.ClientPort p) {
            // a TIP/2 member's port is recorded only: its address is learned from its HELLO
            c.voicePort = p.port();
            if (c.id >= 0 && !c.tip2) {
                registerVoice(c);
            }
        } else if (m instanceof ControlMessage.Disconnect) {
            doom(c, LeaveReason.QUIT);
        } else {
            // ACK, UNKNOWN_ERROR and the server-to-client messages mean nothing here
            LOG.debug("{}: ignored {}", c.remote, m);
        }
    }

    private void nickname(Connection c, String name, Extensions extensions) {
        List<String> inUse = new ArrayList<>(members.size());
        for (Connection o : members) {
            if (o != c) {
                inUse.add(o.name);
            }
        }
        String rejection = settings.nicknamePolicy().rejectionReason(name, inUse);
        if (rejection != null) {
            Counters.add(counters.protocolErrors, 1);
            LOG.info("{}: nickname rejected: {}", c.remote, rejection);
            closeWith(c, new ControlMessage.Disconnect(rejection), LeaveReason.PROTOCOL_ERROR);
            return;
        }
        if (c.id >= 0) {
            // a second SEND_NICKNAME renames the user; everyone gets the new roster
            c.name = name;
            publishUsers();
            broadcastRoster();
            return;
        }
        int id = freeId();
        if (id < 0) {
            Counters.add(counters.connectionsRefused, 1);
            LOG.info("{}: refused, server full ({} users)", c.remote, members.size());
            closeWith(c, new ControlMessage.Disconnect("Server full"), null);
            return;
        }
        pending--;
        c.handshaking = false;
        c.id = id;
        c.name = name;
        // a larger VERSION is a newer client: it gets the highest dialect both speak
        c.tip2 = extensions.getLong("VERSION").orElse(0) >= TIP2_VERSION;
        byId[id] = c;
        members.add(c);
        publishUsers();
        LOG.info("{} joined as {} (id {})", c.remote, name, id);
        User u = c.user();
        emit(() -> listener.userJoined(u));
        broadcastRoster();
        if (c.tip2) {
            c.token = random.nextLong();
            // registered before SESSION goes out, so the relay knows the token when HELLO comes
            relay.registerTip2(id, c.token);
            send(
                    c,
                    new ControlMessage.Session(
                            id,
                            Extensions.builder()
                                    .put("VERSION", TIP2_VERSION)
                                    .put("TOKEN", HexFormat.of().toHexDigits(c.token))
                                    .put("RATE", ROOM_FORMAT.sampleRate())
                                    .put("FRAME", ROOM_FORMAT.samplesPerFrame())
                                    .build()));
        } else {
            send(c, new ControlMessage.Session(id));
            if (c.voicePort != 0) {
                registerVoice(c);
            }
        }
    }

    private int freeId() {
        for (int i = 0; i < byId.length; i++) {
            if (byId[i] == null) {
                return i;
            }
        }
        return -1;
    }

    private void registerVoice(Connection c) {
        InetSocketAddress voice = new InetSocketAddress(c.remote.getAddress(), c.voicePort);
        if (voice.equals(c.voice)) {
            return;
        }
        c.voice = voice;
        relay.register(c.id, voice);
        publishUsers();
        User u = c.user();
        emit(() -> listener.voiceAddressRegistered(u, voice));
    }

    /** Called on the relay thread: a TIP/2 member proved a (new) voice address. */
    private void voiceAddressLearned(int id, long token, InetSocketAddress address) {
        command(() -> {
            Connection c = byId[id];
            // the id may have been freed, and even reused, since the relay saw the HELLO
            if (c == null || !c.tip2 || c.token != token || address.equals(c.voice)) {
                return;
            }
            c.voice = address;
            publishUsers();
            LOG.debug("{} ({}): voice address {}", c.remote, c.name, address);
            User u = c.user();
            emit(() -> listener.voiceAddressRegistered(u, address));
        });
    }

    // ---------------------------------------------------------------- leaving

    /** Removes a joined user from the roster (no-op for others): relay, events, broadcast. */
    private void leave(Connection c, LeaveReason reason, boolean broadcast) {
        if (c.id < 0) {
            return;
        }
        User u = c.user();
        members.remove(c);
        byId[c.id] = null;
        if (c.voice != null || c.tip2) {
            relay.unregister(c.id);
        }
        c.id = -1;
        publishUsers();
        LOG.info("{} ({}) left: {}", c.remote, u.name(), reason);
        emit(() -> listener.userLeft(u, reason));
        if (broadcast) {
            broadcastRoster();
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
        if (c.closing || c.closed || c.doomed != null) {
            return;
        }
        if (leaveReason != null) {
            leave(c, leaveReason, !stopping);
        }
        send(c, last);
        if (c.closed || c.doomed != null) {
            return;
        }
        c.closing = true;
        c.closeDeadline = now() + settings.lingerMillis();
        if (c.out.isEmpty()) {
            shutOutput(c);
        }
    }

    private void shutOutput(Connection c) {
        try {
            c.channel.shutdownOutput();
            c.outputShut = true;
            c.key.interestOps(SelectionKey.OP_READ);
        } catch (IOException e) {
            forceClose(c);
        }
    }

    private void forceClose(Connection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        if (c.handshaking) {
            c.handshaking = false;
            pending--;
        }
        connections.remove(c);
        c.out.clear();
        closeQuietly(c.channel);
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
            if (c.closed || c.doomed != null) {
                continue;
            }
            if (c.closing) {
                if (now >= c.closeDeadline) {
                    forceClose(c);
                }
            } else if (c.name == null && now - c.acceptedAt >= settings.handshakeTimeoutMillis()) {
                LOG.info("{}: no nickname within {} ms, closing", c.remote, settings.handshakeTimeoutMillis());
                closeWith(c, new ControlMessage.Disconnect("Handshake timeout"), null);
            } else if (c.queued > 0 && now - c.stalledSince >= settings.writeTimeoutMillis()) {
                LOG.info("{} ({}): not reading for {} ms, closing", c.remote, c.name, settings.writeTimeoutMillis());
                doom(c, LeaveReason.TIMEOUT);
            }
        }
    }

    private void beginStop() {
        if (stopping) {
            return;
        }
        stopping = true;
        stopDeadline = now() + settings.lingerMillis();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing server socket", e);
        }
        for (Connection c : new ArrayList<>(members)) {
            leave(c, LeaveReason.SERVER_STOPPED, false);
        }
        for (Connection c : new ArrayList<>(connections)) {
            if (!c.closing && !c.closed && c.doomed == null) {
                closeWith(c, new ControlMessage.ServerClose(), null);
            }
        }
    }

    // ---------------------------------------------------------------- writing

    private void broadcastRoster() {
        List<String> names = new ArrayList<>(members.size());
        List<JsonValue> ids = new ArrayList<>(members.size());
        boolean anyTip2 = false;
        for (Connection m : members) {
            names.add(m.name);
            ids.add(JsonValue.of(m.id));
            anyTip2 |= m.tip2;
        }
        byte[] original = encoder.encode(new ControlMessage.SendNewUsers(names));
        // TIP/2 members also get the session ids, in the order of USERS
        byte[] tip2 = anyTip2
                ? encoder.encode(new ControlMessage.SendNewUsers(
                        names,
                        Extensions.builder().put("IDS", new JsonValue.Arr(ids)).build()))
                : original;
        for (Connection m : new ArrayList<>(members)) {
            enqueue(m, ByteBuffer.wrap(m.tip2 ? tip2 : original));
        }
    }

    private void send(Connection c, ControlMessage m) {
        enqueue(c, ByteBuffer.wrap(encoder.encode(m)));
    }

    private void enqueue(Connection c, ByteBuffer bytes) {
        if (c.closing || c.closed || c.doomed != null) {
            return;
        }
        Counters.add(counters.controlMessagesSent, 1);
        if (c.out.isEmpty()) {
            try {
                c.channel.write(bytes);
            } catch (IOException e) {
                doom(c, LeaveReason.CONNECTION_LOST);
                return;
            }
            if (bytes.hasRemaining()) {
                c.out.add(bytes);
                c.queued = bytes.remaining();
                c.stalledSince = now();
                c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
            }
            return;
        }
        if (c.queued + bytes.remaining() > settings.outboundQueueBytes()) {
            LOG.info("{} ({}): outbound queue full ({} bytes), closing", c.remote, c.name, c.queued);
            doom(c, LeaveReason.SLOW_CONSUMER);
            return;
        }
        c.out.add(bytes);
        c.queued += bytes.remaining();
    }

    private void flush(Connection c) {
        try {
            ByteBuffer b;
            while ((b = c.out.peek()) != null) {
                int n = c.channel.write(b);
                if (n > 0) {
                    c.queued -= n;
                    c.stalledSince = now();
                }
                if (b.hasRemaining()) {
                    return;
                }
                c.out.poll();
            }
        } catch (IOException e) {
            doom(c, LeaveReason.CONNECTION_LOST);
            return;
        }
        if (c.closing) {
            if (!c.outputShut) {
                shutOutput(c);
            }
        } else {
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    // ---------------------------------------------------------------- events

    private void publishUsers() {
        List<User> list = new ArrayList<>(members.size());
        for (Connection m : members) {
            list.add(m.user());
        }
        users = List.copyOf(list);
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
