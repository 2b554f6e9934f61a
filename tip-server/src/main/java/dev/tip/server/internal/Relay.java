package dev.tip.server.internal;

import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.internal.crypto.DatagramOpener;
import dev.tip.core.internal.crypto.DatagramSealer;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.protocol.TunnelQueue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voice relay's I/O loop: receives every UDP datagram into one buffer and hands it to
 * {@link Routing}, which decides, through the {@link MemberTable}, who gets which slice of it.
 * Members are added and removed through {@link #register}, {@link #registerTip2} and
 * {@link #unregister}, which queue a command for the loop.
 *
 * <p>Allocation: nothing per datagram in steady state. {@code DatagramChannel.receive} returns a
 * new {@code InetSocketAddress} whenever the sender differs from the previous one, so with several
 * people talking it would allocate on almost every datagram. Instead each member with a voice
 * address gets its own UDP socket bound to the server's port ({@code SO_REUSEADDR}) and connected
 * to that address: the kernel delivers the member's datagrams to it, they are read with
 * {@code read} (no sender address at all), and the selection key's attachment says who sent them.
 * The unconnected main socket only sees datagrams from unknown senders (a TIP/2 HELLO from an
 * address not learned yet, and the few a member sent before its socket existed). Copies go out
 * through each recipient's connected socket, or through the main socket to its cached address
 * where there is none (a platform without that {@code SO_REUSEADDR} behaviour).
 *
 * <p>Batched path ({@link BatchedDatagrams}: Linux, Java 22+): one unconnected socket bound
 * without {@code SO_REUSEADDR}, read with {@code recvmmsg} up to 64 datagrams at a time; the
 * sender of each is found from its raw socket address in an {@link AddressIndex} (nothing
 * allocated), and every copy routed from a batch goes out in one {@code sendmmsg}. There are no
 * per-member sockets on that path, and no selector: the loop waits in {@code poll} on the socket
 * and an {@code eventfd} that {@link #register} and {@link #stop} signal.
 *
 * <p>Registrations are coalesced: for each session id only the latest one waits (so a member
 * that changes its address a million times costs one change), and at most {@link #SOCKET_BATCH}
 * member sockets are opened per loop turn before the loop selects again (which also releases the
 * descriptors of the sockets just closed). A member waiting for its socket, or whose socket could
 * not be opened (descriptors exhausted, say), is served through the main socket meanwhile; a
 * failed open is retried a second later, so the relay goes back to connected sockets once it can.
 *
 * <p>Rooms: each member carries its room id, and a datagram goes to its sender's room only
 * ({@link Routing}); {@link #move} and {@link #mute} change a member without registering it anew.
 *
 * <p>Threading: {@link #run()} is the relay thread, and every field not marked otherwise is
 * confined to it; {@link #register}, {@link #registerTip2}, {@link #unregister}, {@link #move},
 * {@link #mute} and {@link #stop} are thread-safe, provided one thread (the control thread)
 * makes all registrations, moves and mutes.
 */
public final class Relay implements Runnable, Routing.Output, MemberTable.Bindings {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    /** Most datagrams read from one ready socket before others get a turn. */
    private static final int BATCH = 32;

    /**
     * Told, on the relay thread, when a TIP/2 member's voice address is learned or moves. Must
     * return quickly and not block (it hands the news to another thread).
     */
    public interface AddressListener {
        /**
         * A HELLO or KEEPALIVE with the right token set the member's voice address.
         *
         * @param id the session id
         * @param token the member's token (tells a reused id apart)
         * @param address the new voice address
         */
        void learned(int id, long token, InetSocketAddress address);
    }

    /** Most member sockets opened per loop turn. */
    static final int SOCKET_BATCH = 16;
    /** Time after a failed socket open before the next try. */
    static final long SOCKET_RETRY_MILLIS = 1000;
    /** What {@link #latest} holds for an unregistration. */
    private static final Member REMOVED = Member.original(-1, null);

    private final ServerConfig config;
    /** The NIO path's main socket and selector; null on the batched path. */
    private final DatagramChannel main;

    private final Selector selector;
    /** The batched path's socket; null on the NIO path. */
    private final BatchedDatagrams batched;

    private final InetAddress bindAddress;
    private final ProtocolFamily family;
    private final int port;
    private final int socketBufferBytes;
    private final Counters counters;
    private final ByteBuffer buf;
    private final MemberTable table;
    private final Routing routing;
    private final Mixer mixer;
    /** TIP/2's voice tunnel: what the control thread received in tunnel frames, and the copies for tunnelled members. */
    private final Tunnels tunnels;
    /** Each member's connected socket, by session id; null where it has none. */
    private final DatagramChannel[] sockets;

    private final SelectionKey[] keys;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Clock clock;
    private final int maxPerSecond;
    /** Members whose connected socket is still to be opened, oldest first. */
    private final ArrayDeque<Member> needSocket = new ArrayDeque<>();

    private long socketRetryAt;
    // shared with other threads: the latest registration per id, and the ids that have one
    private final AtomicReferenceArray<Member> latest;
    private final AtomicIntegerArray queued;
    private final ConcurrentLinkedQueue<Integer> dirty = new ConcurrentLinkedQueue<>();
    private final MemberChanges changes = new MemberChanges();
    /** Work for the relay thread between selections: taps, virtual speakers' frames. */
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** The latest registration's generation per id; written by the one thread that registers. */
    private final int[] generations;

    private final AddressListener addressListener;
    private volatile boolean running = true;

    /**
     * Creates a relay on a bound channel.
     *
     * @param main the bound UDP channel (SO_REUSEADDR set before binding)
     * @param bindAddress the address it is bound to (wildcard for all interfaces)
     * @param family its protocol family
     * @param config the server's configuration
     * @param counters where to count
     * @param addressListener told when a TIP/2 member's voice address is learned
     * @throws IOException if the selector cannot be opened
     */
    public Relay(
            DatagramChannel main,
            InetAddress bindAddress,
            ProtocolFamily family,
            ServerConfig config,
            Counters counters,
            AddressListener addressListener)
            throws IOException {
        this(main, null, bindAddress, family, config, counters, addressListener);
    }

    /**
     * Creates a relay on the batched path's socket.
     *
     * @param batched the bound socket (see {@link BatchedDatagrams#open})
     * @param bindAddress the address it is bound to (wildcard for all interfaces)
     * @param family its protocol family
     * @param config the server's configuration
     * @param counters where to count
     * @param addressListener told when a TIP/2 member's voice address is learned
     * @throws IOException never in practice (the signature of the NIO constructor)
     */
    Relay(
            BatchedDatagrams batched,
            InetAddress bindAddress,
            ProtocolFamily family,
            ServerConfig config,
            Counters counters,
            AddressListener addressListener)
            throws IOException {
        this(null, batched, bindAddress, family, config, counters, addressListener);
    }

    private Relay(
            DatagramChannel main,
            BatchedDatagrams batched,
            InetAddress bindAddress,
            ProtocolFamily family,
            ServerConfig config,
            Counters counters,
            AddressListener addressListener)
            throws IOException {
        this.main = main;
        this.batched = batched;
        this.config = config;
        this.bindAddress = bindAddress;
        this.family = family;
        this.port = main != null ? ((InetSocketAddress) main.getLocalAddress()).getPort() : -1;
        this.socketBufferBytes = config.udpBufferBytes();
        this.counters = counters;
        this.addressListener = addressListener;
        this.buf = ByteBuffer.allocateDirect(Routing.bufferBytes(config.maxDatagramBytes()))
                .order(ByteOrder.LITTLE_ENDIAN);
        this.sockets = new DatagramChannel[config.maxUsers()];
        this.keys = new SelectionKey[config.maxUsers()];
        this.latest = new AtomicReferenceArray<>(config.maxUsers());
        this.queued = new AtomicIntegerArray(config.maxUsers());
        this.generations = new int[config.maxUsers()];
        this.clock = config.clock();
        this.maxPerSecond = config.maxVoiceDatagramsPerSecond();
        this.table = new MemberTable(config.maxUsers(), this);
        this.selector = main != null ? Selector.open() : null;
        this.tunnels = new Tunnels(this, counters, config.maxDatagramBytes(), config.maxUsers(), this::wakeup);
        this.routing = new Routing(
                table,
                config.maxDatagramBytes(),
                config.maxVoiceDatagramsPerSecond(),
                config.mixOriginalListeners(),
                counters,
                config.clock(),
                tunnels);
        this.mixer = routing.mixer();
        if (main != null) {
            main.configureBlocking(false);
            main.register(selector, SelectionKey.OP_READ, null);
        }
    }

    /** Which I/O this relay uses: {@code "nio"} or the batched path's description. */
    String io() {
        return batched != null ? batched.toString() : "nio";
    }

    /**
     * Starts relaying voice between original member {@code id} and the others from/to
     * {@code address}, replacing an earlier registration of the same id. Thread-safe.
     *
     * @param id the session id
     * @param address the voice address
     */
    public void register(int id, InetSocketAddress address) {
        register(id, address, 0, false);
    }

    /**
     * Starts relaying voice between original member {@code id} and the others of room
     * {@code room}, replacing an earlier registration of the same id. Thread-safe.
     *
     * @param id the session id
     * @param address the voice address
     * @param room the room id
     * @param muted whether the server mutes it
     */
    public void register(int id, InetSocketAddress address, int room, boolean muted) {
        Member m = budgeted(Member.original(id, address));
        m.stream = new StreamCounters("pcm");
        m.room = room;
        m.muted = muted;
        command(id, m);
    }

    /**
     * Moves member {@code id} to room {@code room}, keeping its socket and keys. Thread-safe.
     *
     * @param id the session id
     * @param room the room id
     */
    public void move(int id, int room) {
        changes.move(id, generations[id], room);
        wakeup();
    }

    /**
     * Mutes or unmutes member {@code id}: a muted member's voice is relayed to nobody. Thread-safe.
     *
     * @param id the session id
     * @param muted true to mute
     */
    public void mute(int id, boolean muted) {
        changes.mute(id, generations[id], muted);
        wakeup();
    }

    /**
     * Registers TIP/2 member {@code id} with its token; voice flows once a HELLO with that token
     * has shown its address. Replaces an earlier registration of the same id. Thread-safe.
     *
     * @param id the session id
     * @param token the token sent to it in SESSION
     * @param codec the codec it sends in ({@code "pcm"} or one of the server's)
     * @param keys its session keys (its datagrams are sealed both ways), or null for plaintext
     */
    public void registerTip2(int id, long token, String codec, SessionKeys keys) {
        registerTip2(id, token, codec, keys, 0, false, null);
    }

    /**
     * Registers TIP/2 member {@code id} in room {@code room}, with the queue its copies go into
     * while it uses its voice tunnel; see {@link #registerTip2(int, long, String, SessionKeys)}.
     * Thread-safe.
     *
     * @param id the session id
     * @param token the token sent to it in SESSION
     * @param codec the codec it sends in
     * @param keys its session keys, or null for plaintext
     * @param room the room id
     * @param muted whether the server mutes it
     * @param tunnel its tunnel queue ({@link Tunnels#newMemberQueue()}), or null without a tunnel
     */
    public void registerTip2(
            int id, long token, String codec, SessionKeys keys, int room, boolean muted, TunnelQueue tunnel) {
        Member m = budgeted(Member.tip2(id, token));
        m.tunnel = tunnel;
        m.stream = new StreamCounters(codec);
        m.room = room;
        m.muted = muted;
        if (keys != null) {
            // made here, on the control thread: the relay thread allocates nothing for them
            m.opener = new DatagramOpener(keys.clientToServerKey(), keys.clientToServerIv());
            m.sealer = new DatagramSealer(keys.serverToClientKey(), keys.serverToClientIv());
        }
        VoiceCodec c = config.voiceCodec(codec);
        if (c != null && config.mixOriginalListeners()) {
            // its own decoder, made here: the relay thread allocates nothing for it
            m.decoder = new CodecFrameDecoder(c.newDecoder(Room.ROOM_FORMAT), c.packetSamples(Room.ROOM_FORMAT));
        }
        command(id, m);
    }

    /**
     * Stops relaying for {@code id}. Thread-safe.
     *
     * @param id the session id
     */
    public void unregister(int id) {
        command(id, REMOVED);
    }

    /**
     * Adds or removes an application's tap of a room. Thread-safe.
     *
     * @param tap the tap's sink
     * @param add true to add
     */
    public void tap(TapSink tap, boolean add) {
        tasks.add(() -> table.tap(tap, add));
        wakeup();
    }

    /**
     * Relays a virtual speaker's frame (raw PCM, at most the longest datagram) as if original
     * member {@code id} had sent it. Thread-safe; the caller paces the frames.
     *
     * @param id the virtual member's session id
     * @param pcm the frame, not changed afterwards
     */
    public void inject(int id, byte[] pcm) {
        tasks.add(() -> {
            Member m = table.byId(id);
            if (m != null && !m.tip2 && m.address == null && pcm.length <= config.maxDatagramBytes()) {
                buf.clear();
                buf.put(Routing.HEAD, pcm);
                routing.inject(buf, m, pcm.length);
            }
        });
        wakeup();
    }

    /**
     * Reads every member's stream counters, on the relay thread. Thread-safe.
     *
     * @return the snapshot to come, per session id
     */
    java.util.concurrent.CompletableFuture<java.util.Map<Integer, StreamSnapshot>> streams() {
        java.util.concurrent.CompletableFuture<java.util.Map<Integer, StreamSnapshot>> f =
                new java.util.concurrent.CompletableFuture<>();
        tasks.add(() -> {
            java.util.Map<Integer, StreamSnapshot> all = new java.util.HashMap<>();
            for (int i = 0, n = table.size(); i < n; i++) {
                Member m = table.get(i);
                StreamCounters c = m.stream;
                if (c != null) {
                    all.put(
                            m.id,
                            new StreamSnapshot(
                                    c.packets, c.bytes, c.lost, c.late, c.jitterMillis(), c.codec, m.viaTunnel));
                }
            }
            f.complete(all);
        });
        wakeup();
        return f;
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    /** Gives a new member its datagram budget here, so that the relay thread allocates nothing. */
    private Member budgeted(Member m) {
        m.budget = Routing.budget(maxPerSecond);
        m.frames = new SpeakerQueue(Mixer.FRAME_LENGTH);
        return m;
    }

    /** The latest registration of {@code id} replaces one still waiting. */
    private void command(int id, Member m) {
        int generation = ++generations[id];
        if (m != REMOVED) {
            m.generation = generation;
        }
        latest.set(id, m);
        if (queued.compareAndSet(id, 0, 1)) {
            dirty.add(id);
            wakeup();
        }
    }

    private void wakeup() {
        if (batched != null) {
            batched.wakeup();
        } else {
            selector.wakeup();
        }
    }

    /**
     * The voice tunnel's side of the relay. Thread-safe as {@link Tunnels} says.
     *
     * @return the tunnels
     */
    Tunnels tunnels() {
        return tunnels;
    }

    /** Stops the relay loop; {@link #run()} then closes every socket and returns. Thread-safe. */
    public void stop() {
        running = false;
        wakeup();
    }

    @Override
    public void run() {
        if (batched != null) {
            runBatched();
            return;
        }
        try {
            while (running) {
                catchUp();
                tunnels.drain(table, routing, buf);
                runTasks();
                long wait = untilNextFrame(openSockets());
                if (wait == 0) {
                    selector.selectNow(onReady);
                } else {
                    selector.select(onReady, Math.max(0, wait));
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                LOG.error("Voice relay failed; voice is no longer relayed", e);
            }
        } finally {
            for (DatagramChannel ch : sockets) {
                closeQuietly(ch);
            }
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing relay selector", e);
            }
            closeQuietly(main);
        }
    }

    /** The batched path's loop: a batch in, its copies out in one flush. */
    private void runBatched() {
        try {
            while (running) {
                catchUp();
                tunnels.drain(table, routing, buf);
                runTasks();
                long wait = untilNextFrame(-1);
                // the mix's frames just queued go out before the loop may sleep
                batched.flush();
                int n = batched.receive(wait);
                for (int i = 0; i < n; i++) {
                    ByteBuffer b = batched.buffer(i);
                    Member m = batched.sender(i);
                    b.clear().position(Routing.HEAD);
                    routing.route(b, m, m != null ? m.address : batched.senderAddress(i), batched.length(i));
                }
                batched.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.error("Voice relay failed; voice is no longer relayed", e);
            }
        } finally {
            batched.close();
        }
    }

    /**
     * Sends the mixed frames now due, and narrows the select timeout to the next one.
     *
     * @param wait the timeout so far in milliseconds (0: none, negative: unlimited)
     * @return the timeout
     */
    private long untilNextFrame(long wait) {
        long nanos = mixer.tick(System.nanoTime());
        if (nanos < 0 || wait == 0) {
            return wait;
        }
        // select's 0 means forever: never less than a millisecond (the deadlines are absolute)
        long millis = Math.max(1, (nanos + 999_999) / 1_000_000);
        return wait < 0 ? millis : Math.min(wait, millis);
    }

    @Override
    public void catchUp() {
        Integer id;
        while ((id = dirty.poll()) != null) {
            int i = id;
            queued.set(i, 0);
            Member m = latest.getAndSet(i, null);
            if (m != null) {
                tunnels.leaving(table.byId(i));
            }
            if (m == REMOVED) {
                table.remove(i);
            } else if (m != null) {
                table.add(m);
            }
        }
        if (!changes.isEmpty()) {
            changes.applyTo(table);
        }
    }

    /**
     * Opens up to {@link #SOCKET_BATCH} waiting member sockets.
     *
     * @return how long the loop may block in select: 0 for not at all (more wait), a negative
     *     value for as long as it likes
     */
    private long openSockets() {
        if (needSocket.isEmpty()) {
            return -1;
        }
        long now = clock.millis();
        if (now < socketRetryAt) {
            return socketRetryAt - now;
        }
        for (int i = 0; i < SOCKET_BATCH; i++) {
            Member m = needSocket.poll();
            if (m == null) {
                return -1;
            }
            if (!m.wantsSocket || table.byId(m.id) != m || m.address == null || sockets[m.id] != null) {
                m.wantsSocket = false;
                continue;
            }
            if (!open(m)) {
                needSocket.addFirst(m);
                socketRetryAt = now + SOCKET_RETRY_MILLIS;
                return SOCKET_RETRY_MILLIS;
            }
            m.wantsSocket = false;
        }
        return needSocket.isEmpty() ? -1 : 0;
    }

    private void onReady(SelectionKey key) {
        if (!key.isValid()) {
            // a member socket closed earlier in this selection pass (its binding moved)
            return;
        }
        Object att = key.attachment();
        if (att == null) {
            receiveMain();
        } else {
            receiveConnected((Member) att, key);
        }
    }

    private void receiveMain() {
        receiveUnconnected(main, BATCH);
    }

    /** Routes what an unconnected socket holds, by sender address, at most {@code max} datagrams. */
    private void receiveUnconnected(DatagramChannel ch, int max) {
        for (int i = 0; i < max; i++) {
            buf.clear().position(Routing.HEAD);
            SocketAddress from;
            try {
                from = ch.receive(buf);
            } catch (IOException e) {
                // an ICMP error reported on the socket: nothing to relay
                Counters.add(counters.droppedSendFailed, 1);
                return;
            }
            if (from == null) {
                return;
            }
            routing.route(buf, table.byAddress(from), (InetSocketAddress) from, buf.position() - Routing.HEAD);
        }
    }

    private void receiveConnected(Member m, SelectionKey key) {
        for (int i = 0; i < BATCH; i++) {
            if (keys[m.id] != key || table.byId(m.id) != m) {
                // the member's binding moved while this batch ran; the new socket has its own turn
                return;
            }
            buf.clear().position(Routing.HEAD);
            int n;
            try {
                n = sockets[m.id].read(buf);
            } catch (IOException e) {
                // ICMP port unreachable from this member's address, reported once on its socket
                return;
            }
            if (n <= 0) {
                return;
            }
            routing.route(buf, m, m.address, n);
        }
    }

    @Override
    public int send(Member to, ByteBuffer datagram) {
        if (batched != null) {
            return batched.send(to, datagram);
        }
        try {
            // a connected socket sends without a route lookup per datagram
            DatagramChannel out = sockets[to.id];
            return out != null ? out.write(datagram) : main.send(datagram, to.address);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void learned(Member m) {
        LOG.debug("session {}: voice address {}", m.id, m.address);
        addressListener.learned(m.id, m.token, m.address);
    }

    @Override
    public void bound(Member m) {
        if (batched != null) {
            batched.bound(m);
            return;
        }
        // opened by the loop, a batch per turn; the main socket serves the member meanwhile
        if (!m.wantsSocket) {
            m.wantsSocket = true;
            needSocket.add(m);
        }
    }

    /** Opens {@code m}'s connected socket; false if it cannot be opened now. */
    private boolean open(Member m) {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(family);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (socketBufferBytes > 0) {
                // a member's voice queues here, not on the main socket: it needs the same room
                ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
            }
            ch.bind(new InetSocketAddress(bindAddress, port));
            // between bind and connect the kernel may hand this socket datagrams for the port (any
            // sender's: it is one more socket bound there), and connect() discards what is queued
            // (DatagramChannel's contract); route them first, so that the window that can lose a
            // datagram shrinks from the whole setup to the call itself (a tip load greeting was
            // once lost here)
            ch.configureBlocking(false);
            receiveUnconnected(ch, BATCH);
            ch.connect(m.address);
            ch.configureBlocking(false);
            keys[m.id] = ch.register(selector, SelectionKey.OP_READ, m);
            sockets[m.id] = ch;
            return true;
        } catch (IOException | RuntimeException e) {
            // served by the main socket meanwhile; it still works, it only allocates per sender change
            Counters.add(counters.voiceSocketFailures, 1);
            LOG.debug("a member's UDP socket cannot be opened ({}); retrying in {} ms", e, SOCKET_RETRY_MILLIS);
            closeQuietly(ch);
            return false;
        }
    }

    @Override
    public void unbound(Member m) {
        if (batched != null) {
            batched.unbound(m);
            return;
        }
        m.wantsSocket = false;
        closeQuietly(sockets[m.id]);
        sockets[m.id] = null;
        keys[m.id] = null;
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            LOG.debug("closing a UDP socket", e);
        }
    }
}
