package dev.tip.server.internal;

import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.server.LeaveReason;
import dev.tip.server.Participant;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control thread's loop: one selector for every TCP connection. It accepts (making room
 * within the limits of pending handshakes by closing the oldest), reads into one buffer, writes what a connection's queue
 * holds, runs the deadlines every sweep, and hands everything else to its
 * {@link ControlHandler}. Commands from other threads (kick, a learned voice address, stop) are
 * queued and run between selections.
 *
 * <p>Threading: {@link #run()} is the control thread, and every field not marked otherwise is
 * confined to it; {@link #kick}, {@link #voiceAddressLearned}, {@link #stop} and
 * {@link #users()} are thread-safe.
 */
public final class ControlLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);
    private static final int READ_BUFFER_BYTES = 8192;
    /** Most connections accepted in one turn before the others get theirs. */
    private static final int ACCEPT_BATCH = 64;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final ServerConfig config;
    private final Counters counters;
    private final ControlHandler handler;
    private final ControlEncoder encoder = new ControlEncoder();
    private final ByteBuffer readBuf = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final long sweepMillis;
    private final Tunnels tunnels;
    private boolean stopping;
    private long stopDeadline;
    // shared with other threads
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();

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
        this.config = config;
        this.counters = counters;
        this.handler = new ControlHandler(
                relay, config, counters, events, ((InetSocketAddress) server.getLocalAddress()).getPort());
        long shortest = Math.min(
                config.handshakeTimeout().toMillis(),
                Math.min(config.writeTimeout().toMillis(), config.linger().toMillis()));
        this.sweepMillis = Math.max(10, Math.min(1000, shortest / 4));
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, null);
        this.tunnels = relay.tunnels();
        tunnels.controlWakeup(selector::wakeup);
    }

    /**
     * Returns the users connected now, in join order. Thread-safe.
     *
     * @return an immutable list
     */
    public List<Participant> users() {
        return handler.users();
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
        if (users().stream().noneMatch(u -> u.id() == id)) {
            return false;
        }
        command(() -> handler.kick(id, reason));
        return true;
    }

    /**
     * Returns the rooms now. Thread-safe.
     *
     * @return an immutable list, permanent rooms first
     */
    public List<dev.tip.server.RoomInfo> rooms() {
        return handler.rooms();
    }

    /**
     * Returns the bans in force. Thread-safe.
     *
     * @return an immutable list
     */
    public List<dev.tip.server.Ban> bans() {
        return handler.bans();
    }

    /**
     * Moves user {@code id} to room {@code room} (created if it does not exist), asynchronously.
     * Thread-safe.
     *
     * @return true if such a user was connected when called
     */
    public boolean move(int id, String room) {
        if (users().stream().noneMatch(u -> u.id() == id)) {
            return false;
        }
        command(() -> handler.move(id, room));
        return true;
    }

    /**
     * Mutes or unmutes user {@code id}, asynchronously. Thread-safe.
     *
     * @return true if such a user was connected when called
     */
    public boolean mute(int id, boolean muted) {
        if (users().stream().noneMatch(u -> u.id() == id)) {
            return false;
        }
        command(() -> handler.mute(id, muted));
        return true;
    }

    /**
     * Adds a virtual member to an existing room, on the control thread. Thread-safe.
     *
     * @return its session id to come, -1 if there is no such room or the server is full
     */
    public java.util.concurrent.CompletableFuture<Integer> addVirtual(String name, String room) {
        java.util.concurrent.CompletableFuture<Integer> f = new java.util.concurrent.CompletableFuture<>();
        command(() -> f.complete(handler.addVirtual(name, room)));
        return f;
    }

    /** Removes a virtual member, asynchronously. Thread-safe. */
    public void removeVirtual(int id) {
        command(() -> handler.removeVirtual(id));
    }

    /**
     * The id of room {@code name}, looked up on the control thread. Thread-safe.
     *
     * @return the id to come, -1 if there is no such room
     */
    public java.util.concurrent.CompletableFuture<Integer> roomId(String name) {
        java.util.concurrent.CompletableFuture<Integer> f = new java.util.concurrent.CompletableFuture<>();
        command(() -> f.complete(handler.roomId(name)));
        return f;
    }

    /** Adds a ban (kicking whoever it matches), asynchronously. Thread-safe. */
    public void ban(dev.tip.server.Ban ban) {
        command(() -> handler.ban(ban));
    }

    /** Lifts a ban, asynchronously. Thread-safe. */
    public void unban(dev.tip.server.Ban.Kind kind, String value) {
        command(() -> handler.unban(kind, value));
    }

    /**
     * A TIP/2 member proved a (new) voice address. Thread-safe: called on the relay thread.
     *
     * @param id the session id
     * @param token the token its HELLO carried
     * @param address the address
     */
    public void voiceAddressLearned(int id, long token, InetSocketAddress address) {
        command(() -> handler.voiceLearned(id, token, address));
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
                long now = config.clock().millis();
                if (now >= nextSweep) {
                    handler.sweep(now);
                    nextSweep = now + sweepMillis;
                }
                handler.processDoomed();
                if (stopping && (handler.isEmpty() || now >= stopDeadline)) {
                    break;
                }
                long wait = nextSweep - now;
                long roster = handler.untilRosterFlush();
                if (roster >= 0) {
                    // a coalesced roster is due before the next sweep
                    wait = Math.min(wait, roster);
                }
                selector.select(onKey, Math.max(1, wait));
                Runnable c;
                while ((c = commands.poll()) != null) {
                    c.run();
                }
                // the relay queued voice for tunnelled members
                for (int id = tunnels.pollReady(); id >= 0; id = tunnels.pollReady()) {
                    Connection t = handler.byId(id);
                    if (t != null) {
                        handler.flushTunnel(t);
                    }
                }
                // however many renames this turn read, one roster
                handler.endOfTurn();
                handler.processDoomed();
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.error("Control loop failed; the server no longer accepts connections", e);
        } catch (RuntimeException | Error e) {
            LOG.error("Control loop failed unexpectedly", e);
            throw e;
        } finally {
            handler.closeAll();
            try {
                server.close();
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing control sockets", e);
            }
        }
    }

    private void beginStop() {
        if (stopping) {
            return;
        }
        stopping = true;
        stopDeadline = config.clock().millis() + config.linger().toMillis();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing server socket", e);
        }
        handler.stopAll();
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
        if (key.isValid() && key.isWritable() && c.flush(config.clock().millis()) == Connection.Write.FAILED) {
            handler.doom(c, LeaveReason.CONNECTION_LOST);
        }
        if (!c.closed && key.isValid() && key.isReadable()) {
            read(c);
        }
    }

    private void accept() {
        for (int i = 0; i < ACCEPT_BATCH; i++) {
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
                if (!handler.accepts()) {
                    refuse(ch, new ControlMessage.ServerClose());
                    continue;
                }
                handler.makeRoomFor(remote.getAddress());
                handler.add(ch, remote, ch.register(selector, SelectionKey.OP_READ));
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
            handler.doom(c, LeaveReason.CONNECTION_LOST);
            return;
        }
        if (c.closing) {
            // lingering close: discard what the peer still sends, until it closes too
            if (n < 0) {
                handler.forceClose(c);
            }
            return;
        }
        if (n < 0) {
            c.decoder.endOfInput();
            handler.decode(c);
            handler.doom(c, LeaveReason.CONNECTION_LOST);
        } else if (n > 0) {
            handler.received(c, b.array(), n);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
    }
}
