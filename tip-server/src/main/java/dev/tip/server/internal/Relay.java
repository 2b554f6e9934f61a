package dev.tip.server.internal;

import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
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
import java.util.HashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voice relay: receives every UDP datagram and sends it to every other member with a voice
 * address, framed for each recipient's dialect. Runs on one thread ({@link #run()}); members are
 * added and removed through {@link #register}, {@link #registerTip2} and {@link #unregister},
 * which any thread may call.
 *
 * <p>Allocation: nothing per datagram in steady state. {@code DatagramChannel.receive} returns a
 * new {@code InetSocketAddress} whenever the sender differs from the previous one (the JDK
 * caches only the last sender), so with several people talking it would allocate on almost every
 * datagram. Instead each member gets its own UDP socket bound to the server's port
 * ({@code SO_REUSEADDR}) and connected to the member's voice address: the kernel delivers the
 * member's datagrams to that socket, which is read with {@code read} (no sender address at
 * all), and the selection key's attachment says who sent it. The unconnected main socket
 * only sees datagrams from unknown senders (a TIP/2 member's HELLO from an address not yet
 * learned, and the few a member sent before its socket existed), which go through a map lookup.
 * Copies go out through each recipient's connected socket (no route lookup per datagram;
 * {@code write} does not allocate), or through the main socket with {@code send} to a cached
 * {@code InetSocketAddress} where there is none. If a connected socket cannot be made (a platform
 * without that {@code SO_REUSEADDR} behaviour), the member is served through the main socket
 * alone.
 *
 * <p>Dialects (docs/protocol.md, "TIP/2"). An original member's voice address comes from
 * CLIENT_PORT ({@link #register}); its datagrams are raw PCM. A TIP/2 member is registered with
 * its token and no address ({@link #registerTip2}); its address is learned from a HELLO (or
 * KEEPALIVE) whose session id and token match, and moves when one arrives from a new address
 * (NAT rebinding). Every datagram is received {@link VoiceDatagram#HEADER_LENGTH} bytes into the
 * buffer, so the server can put a header in front of an original sender's PCM, and strip a
 * TIP/2 sender's header, by choosing which slice of the one buffer to send: no copy at all.
 *
 * <p>Threading: {@link #run()} is confined to the relay thread; registration methods are
 * thread-safe (they queue a command and wake the selector).
 */
public final class Relay implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** Length of the original client's greeting datagram. */
    static final int PROBE_LENGTH = 1024;

    private static final long EIGHT_A = 0x6161616161616161L;
    /** Most datagrams read from one ready socket before others get a turn. */
    private static final int BATCH = 32;
    /** Dialect of an original peer: raw PCM, no header. */
    static final int DIALECT_ORIGINAL = 1;
    /** Dialect of a TIP/2 peer: every datagram has the 10-byte header. */
    static final int DIALECT_TIP2 = 2;
    /** Silence from an original sender after which its next datagram carries the marker. */
    static final long TALK_SPURT_GAP_MILLIS = 200;
    /** The most an original receiver reads from one datagram. */
    static final int ORIGINAL_MAX_PAYLOAD = 1024;

    private static final int H = VoiceDatagram.HEADER_LENGTH;

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

    /** One registered member; confined to the relay thread. */
    static final class Member {
        final int id;
        final int dialect;
        final long token;
        /** Null for a TIP/2 member until its HELLO. */
        InetSocketAddress address;

        DatagramChannel connected;
        SelectionKey key;
        int index = -1;
        // the header the server writes for an original sender's datagrams to TIP/2 recipients
        int sequence;
        long timestamp;
        long lastVoiceMillis;
        boolean spoken;

        Member(int id, InetSocketAddress address, int dialect, long token) {
            this.id = id;
            this.address = address;
            this.dialect = dialect;
            this.token = token;
        }
    }

    private record Register(int id, InetSocketAddress address, int dialect, long token) {}

    private record Unregister(int id) {}

    private final DatagramChannel main;
    private final Selector selector;
    private final InetAddress bindAddress;
    private final ProtocolFamily family;
    private final int port;
    private final int maxDatagramBytes;
    private final int socketBufferBytes;
    private final Counters counters;
    private final Clock clock;
    private final ByteBuffer buf;
    private final VoiceDatagram datagram = new VoiceDatagram();
    private final ConcurrentLinkedQueue<Object> commands = new ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private volatile AddressListener addressListener = (id, token, address) -> {};

    // confined to the relay thread
    private final Member[] byId;
    private final Member[] active;
    private int activeCount;
    private final HashMap<InetSocketAddress, Member> byAddress = new HashMap<>();
    private SocketAddress lastSender;
    private Member lastMember;
    private boolean connectedSockets = true;

    private volatile boolean running = true;
    private volatile Thread thread;

    /**
     * Creates a relay on a bound channel.
     *
     * @param main the bound UDP channel (SO_REUSEADDR set before binding)
     * @param bindAddress the address it is bound to (wildcard for all interfaces)
     * @param family its protocol family
     * @param maxUsers highest session id plus one
     * @param maxDatagramBytes longest voice payload relayed (a TIP/2 datagram may be a header longer)
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF of each member's socket, 0 for the system's
     * @param counters where to count
     * @param clock time source for talk-spurt markers; its {@code millis()} must not allocate
     * @throws IOException if the selector cannot be opened
     */
    public Relay(
            DatagramChannel main,
            InetAddress bindAddress,
            ProtocolFamily family,
            int maxUsers,
            int maxDatagramBytes,
            int socketBufferBytes,
            Counters counters,
            Clock clock)
            throws IOException {
        this.main = main;
        this.bindAddress = bindAddress;
        this.family = family;
        this.port = ((InetSocketAddress) main.getLocalAddress()).getPort();
        this.maxDatagramBytes = maxDatagramBytes;
        this.socketBufferBytes = socketBufferBytes;
        this.counters = counters;
        this.clock = clock;
        // room for a header in front, and one byte more than the limit, so a longer datagram is
        // seen as longer, not truncated
        this.buf = ByteBuffer.allocateDirect(H + Math.max(maxDatagramBytes + H + 1, PROBE_LENGTH + 1))
                .order(ByteOrder.LITTLE_ENDIAN);
        this.byId = new Member[maxUsers];
        this.active = new Member[maxUsers];
        this.selector = Selector.open();
        main.configureBlocking(false);
        main.register(selector, SelectionKey.OP_READ, null);
    }

    /**
     * Sets who hears about learned TIP/2 voice addresses. Call before the relay thread starts.
     *
     * @param listener the listener
     */
    public void addressListener(AddressListener listener) {
        this.addressListener = listener;
    }

    /**
     * Starts relaying voice between original member {@code id} and the others from/to
     * {@code address}, replacing an earlier registration of the same id. Thread-safe.
     *
     * @param id the session id
     * @param address the voice address
     */
    public void register(int id, InetSocketAddress address) {
        command(new Register(id, address, DIALECT_ORIGINAL, 0));
    }

    /**
     * Registers TIP/2 member {@code id} with its token; voice flows once a HELLO with that token
     * has shown its address. Replaces an earlier registration of the same id. Thread-safe.
     *
     * @param id the session id
     * @param token the token sent to it in SESSION
     */
    public void registerTip2(int id, long token) {
        command(new Register(id, null, DIALECT_TIP2, token));
    }

    /**
     * Stops relaying for {@code id}. Thread-safe.
     *
     * @param id the session id
     */
    public void unregister(int id) {
        command(new Unregister(id));
    }

    private void command(Object c) {
        commands.add(c);
        selector.wakeup();
    }

    /**
     * Returns the relay thread, once it runs.
     *
     * @return the thread, or null
     */
    public Thread thread() {
        return thread;
    }

    /** Stops the relay loop; {@link #run()} then closes every socket and returns. Thread-safe. */
    public void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (running) {
                runCommands();
                selector.select(onReady);
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                LOG.error("Voice relay failed; voice is no longer relayed", e);
            }
        } finally {
            closeAll();
        }
    }

    private void closeAll() {
        for (int i = 0; i < activeCount; i++) {
            closeConnected(active[i]);
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing relay selector", e);
        }
        try {
            main.close();
        } catch (IOException e) {
            LOG.debug("closing UDP socket", e);
        }
    }

    private void runCommands() {
        Object c;
        while ((c = commands.poll()) != null) {
            if (c instanceof Register r) {
                remove(r.id());
                add(new Member(r.id(), r.address(), r.dialect(), r.token()));
            } else {
                remove(((Unregister) c).id());
            }
        }
    }

    private void add(Member m) {
        byId[m.id] = m;
        m.index = activeCount;
        active[activeCount++] = m;
        if (m.address != null) {
            bindAddress(m, m.address);
        }
    }

    /** Gives {@code m} the voice address {@code address}: map entry and connected socket. */
    private void bindAddress(Member m, InetSocketAddress address) {
        // a move: the old address is no longer this member's, and its socket goes
        unbindAddress(m);
        Member holder = byAddress.get(address);
        if (holder != null && holder != m) {
            // the address now belongs to whoever proved it last (a NAT reused the port)
            unbindAddress(holder);
        }
        m.address = address;
        byAddress.put(address, m);
        lastSender = null;
        lastMember = null;
        if (connectedSockets) {
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
                ch.connect(address);
                ch.configureBlocking(false);
                m.key = ch.register(selector, SelectionKey.OP_READ, m);
                m.connected = ch;
            } catch (IOException | RuntimeException e) {
                // served by the main socket alone; it still works, it only allocates per sender change
                connectedSockets = false;
                LOG.info("Per-member UDP sockets unavailable ({}); relaying through one socket", e.toString());
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // nothing more to do
                    }
                }
            }
        }
    }

    private void unbindAddress(Member m) {
        if (m.address != null && byAddress.get(m.address) == m) {
            byAddress.remove(m.address);
        }
        m.address = null;
        lastSender = null;
        lastMember = null;
        closeConnected(m);
    }

    private void remove(int id) {
        Member m = byId[id];
        if (m == null) {
            return;
        }
        byId[id] = null;
        int last = --activeCount;
        Member moved = active[last];
        active[m.index] = moved;
        moved.index = m.index;
        active[last] = null;
        unbindAddress(m);
    }

    private static void closeConnected(Member m) {
        if (m.connected != null) {
            try {
                m.connected.close();
            } catch (IOException e) {
                LOG.debug("closing member UDP socket", e);
            }
            m.connected = null;
            m.key = null;
        }
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
        for (int i = 0; i < BATCH; i++) {
            buf.clear().position(H);
            SocketAddress from;
            try {
                from = main.receive(buf);
            } catch (IOException e) {
                // an ICMP error reported on the socket: nothing to relay
                Counters.add(counters.droppedSendFailed, 1);
                return;
            }
            if (from == null) {
                return;
            }
            Member m;
            if (from == lastSender) {
                m = lastMember;
            } else {
                m = byAddress.get(from);
                lastSender = from;
                lastMember = m;
            }
            int n = buf.position() - H;
            received(n);
            handle(m, (InetSocketAddress) from, n);
        }
    }

    private void receiveConnected(Member m, SelectionKey key) {
        for (int i = 0; i < BATCH; i++) {
            DatagramChannel ch = m.connected;
            if (ch == null || m.key != key) {
                // the member's binding moved while this batch ran; the new socket has its own turn
                return;
            }
            buf.clear().position(H);
            int n;
            try {
                n = ch.read(buf);
            } catch (IOException e) {
                // ICMP port unreachable from this member's address, reported once on its socket
                return;
            }
            if (n <= 0) {
                return;
            }
            received(n);
            handle(m, m.address, n);
        }
    }

    private void received(int n) {
        Counters.add(counters.datagramsReceived, 1);
        Counters.add(counters.bytesReceived, n);
    }

    /**
     * Handles the {@code n} bytes at {@code [H, H + n)} of {@code buf}, from {@code source}, which
     * is {@code m}'s voice address ({@code m} null if it is nobody's).
     */
    private void handle(Member m, InetSocketAddress source, int n) {
        if (n == PROBE_LENGTH && isProbe()) {
            // usually from the main socket: the greeting often arrives before CLIENT_PORT is read
            Counters.add(counters.droppedProbe, 1);
            return;
        }
        if (m != null && m.dialect == DIALECT_ORIGINAL) {
            if (n > maxDatagramBytes) {
                Counters.add(counters.droppedTooLong, 1);
            } else if (n == 0) {
                Counters.add(counters.droppedMalformed, 1);
            } else {
                relayFromOriginal(m, n);
            }
            return;
        }
        // nobody's address, or a TIP/2 member's: only a valid TIP/2 datagram means anything
        if (n > maxDatagramBytes + H) {
            Counters.add(counters.droppedTooLong, 1);
            return;
        }
        VoiceDatagram d = datagram.wrap(buf, H, n);
        if (d.check() != VoiceDatagram.OK) {
            Counters.add(m == null ? counters.droppedUnknownSender : counters.droppedMalformed, 1);
            return;
        }
        int type = d.payloadType();
        if (PayloadType.isControl(type)) {
            association(d, type, source);
            return;
        }
        int senderId = d.senderId();
        if (m == null) {
            Member claimed = senderId < byId.length ? byId[senderId] : null;
            if (claimed != null && claimed.dialect == DIALECT_TIP2) {
                // a TIP/2 member's voice from an address it has not proved: spoofed, or before HELLO
                Counters.add(counters.droppedWrongAddress, 1);
            } else {
                Counters.add(counters.droppedUnknownSender, 1);
            }
            return;
        }
        if (senderId != m.id) {
            Counters.add(counters.droppedWrongSession, 1);
            return;
        }
        relayFromTip2(m, n, type);
    }

    /** HELLO or KEEPALIVE (a HELLO_ACK from a client is malformed): learns, refreshes or moves. */
    private void association(VoiceDatagram d, int type, InetSocketAddress source) {
        if (type == PayloadType.HELLO_ACK) {
            Counters.add(counters.droppedMalformed, 1);
            return;
        }
        int id = d.senderId();
        Member t = id < byId.length ? byId[id] : null;
        if (t == null && type == PayloadType.HELLO && !commands.isEmpty()) {
            // the HELLO can overtake the registration that the control thread queued before SESSION
            runCommands();
            t = id < byId.length ? byId[id] : null;
        }
        if (t == null || t.dialect != DIALECT_TIP2) {
            Counters.add(counters.droppedWrongSession, 1);
            return;
        }
        // one 64-bit comparison: no early exit that would leak how many bytes matched
        if ((d.token() ^ t.token) != 0) {
            Counters.add(counters.droppedBadToken, 1);
            return;
        }
        if (!source.equals(t.address)) {
            bindAddress(t, source);
            Counters.add(counters.voiceAddressesLearned, 1);
            LOG.debug("session {}: voice address {}", id, source);
            addressListener.learned(id, t.token, source);
        }
        if (type == PayloadType.HELLO) {
            // the HELLO_ACK has the HELLO's layout and token: change the type and send it back
            d.payloadType(PayloadType.HELLO_ACK);
            buf.limit(H + d.length()).position(H);
            if (sendTo(t) > 0) {
                Counters.add(counters.helloAcksSent, 1);
            } else {
                Counters.add(counters.droppedSendFailed, 1);
            }
        }
    }

    /**
     * Raw PCM from an original sender at {@code [H, H + n)}: unchanged to original recipients, and
     * to TIP/2 recipients with the header the server keeps for this sender, written at
     * {@code [0, H)}.
     */
    private void relayFromOriginal(Member sender, int n) {
        long now = clock.millis();
        boolean marker = !sender.spoken || now - sender.lastVoiceMillis >= TALK_SPURT_GAP_MILLIS;
        sender.spoken = true;
        sender.lastVoiceMillis = now;
        datagram.wrap(buf, 0, H + n).writeHeader(marker, PayloadType.PCM, sender.id, sender.sequence, sender.timestamp);
        sender.sequence = (sender.sequence + 1) & 0xFFFF;
        sender.timestamp = (sender.timestamp + n / 2) & 0xFFFF_FFFFL;
        fanOut(sender, 0, H, H + n);
    }

    /**
     * A checked TIP/2 datagram at {@code [H, H + n)}: unchanged to TIP/2 recipients; its PCM
     * payload alone to original recipients (who cannot play anything else).
     */
    private void relayFromTip2(Member sender, int n, int type) {
        int originalStart = type == PayloadType.PCM && n - H <= ORIGINAL_MAX_PAYLOAD ? 2 * H : -1;
        fanOut(sender, H, originalStart, H + n);
    }

    /**
     * Sends {@code [tip2Start, end)} of {@code buf} to TIP/2 recipients and
     * {@code [originalStart, end)} to original ones ({@code originalStart} negative: none).
     */
    private void fanOut(Member sender, int tip2Start, int originalStart, int end) {
        long copies = 0;
        long bytes = 0;
        long failed = 0;
        Member[] members = active;
        for (int i = 0, count = activeCount; i < count; i++) {
            Member r = members[i];
            if (r == sender || r.address == null) {
                continue;
            }
            int start = r.dialect == DIALECT_TIP2 ? tip2Start : originalStart;
            if (start < 0) {
                continue;
            }
            buf.limit(end).position(start);
            int sent = sendTo(r);
            if (sent > 0) {
                copies++;
                bytes += sent;
            } else {
                failed++;
            }
        }
        if (copies > 0) {
            Counters.add(counters.datagramsRelayed, copies);
            Counters.add(counters.bytesRelayed, bytes);
        }
        if (failed > 0) {
            Counters.add(counters.droppedSendFailed, failed);
        }
    }

    /** Sends {@code buf}'s position..limit to {@code r}; the bytes sent, 0 if refused, -1 on error. */
    private int sendTo(Member r) {
        try {
            // a connected socket sends without a route lookup per datagram
            DatagramChannel out = r.connected;
            return out != null ? out.write(buf) : main.send(buf, r.address);
        } catch (IOException e) {
            return -1;
        }
    }

    /** True if the 1024 bytes at {@code [H, H + 1024)} are all ASCII {@code a}: the original client's greeting. */
    private boolean isProbe() {
        ByteBuffer b = buf;
        for (int i = H; i < H + PROBE_LENGTH; i += 8) {
            if (b.getLong(i) != EIGHT_A) {
                return false;
            }
        }
        return true;
    }
}
