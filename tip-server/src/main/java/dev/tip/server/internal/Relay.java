package dev.tip.server.internal;

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
import java.util.HashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voice relay: receives every UDP datagram and sends it, unchanged, to every other member
 * with a registered voice address. Runs on one thread ({@link #run()}); members are added and
 * removed through {@link #register} and {@link #unregister}, which any thread may call.
 *
 * <p>Allocation: nothing per datagram in steady state. {@code DatagramChannel.receive} returns a
 * new {@code InetSocketAddress} whenever the sender differs from the previous one (the JDK
 * caches only the last sender), so with several people talking it would allocate on almost every
 * datagram. Instead each member gets its own UDP socket bound to the server's port
 * ({@code SO_REUSEADDR}) and connected to the member's voice address: the kernel delivers the
 * member's datagrams to that socket, which is read with {@code read} (no sender address at
 * all), and the selection key's attachment says who sent it. The unconnected main socket
 * only sees datagrams from unknown senders (and the few a member sent before its socket existed),
 * which go through a map lookup. Copies go out through each recipient's connected socket (no
 * route lookup per datagram; {@code write} does not allocate), or through the main socket with
 * {@code send} to a cached {@code InetSocketAddress} where there is none. If a connected socket cannot be made
 * (a platform without that {@code SO_REUSEADDR} behaviour), the member is served through the main
 * socket alone.
 *
 * <p>Per-recipient framing: every member carries a {@link Member#dialect}; today all members are
 * original peers and get the payload unchanged. A later dialect with a header is handled where
 * the copy is sent ({@link #relay}).
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
    /** Dialect of an original peer: payload relayed as is. */
    static final int DIALECT_ORIGINAL = 0;

    /** One member with a registered voice address; confined to the relay thread. */
    static final class Member {
        final int id;
        final InetSocketAddress address;
        final int dialect;
        DatagramChannel connected;
        SelectionKey key;
        int index = -1;

        Member(int id, InetSocketAddress address, int dialect) {
            this.id = id;
            this.address = address;
            this.dialect = dialect;
        }
    }

    private record Register(int id, InetSocketAddress address) {
    }

    private record Unregister(int id) {
    }

    private final DatagramChannel main;
    private final Selector selector;
    private final InetAddress bindAddress;
    private final ProtocolFamily family;
    private final int port;
    private final int maxDatagramBytes;
    private final int socketBufferBytes;
    private final Counters counters;
    private final ByteBuffer buf;
    private final ConcurrentLinkedQueue<Object> commands = new ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> onReady = this::onReady;

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
     * @param maxDatagramBytes longest datagram relayed
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF of each member's socket, 0 for the system's
     * @param counters where to count
     * @throws IOException if the selector cannot be opened
     */
    public Relay(DatagramChannel main, InetAddress bindAddress, ProtocolFamily family, int maxUsers,
            int maxDatagramBytes, int socketBufferBytes, Counters counters) throws IOException {
        this.main = main;
        this.bindAddress = bindAddress;
        this.family = family;
        this.port = ((InetSocketAddress) main.getLocalAddress()).getPort();
        this.maxDatagramBytes = maxDatagramBytes;
        this.socketBufferBytes = socketBufferBytes;
        this.counters = counters;
        // one byte more than the limit, so a longer datagram is seen as longer, not truncated
        this.buf = ByteBuffer.allocateDirect(Math.max(maxDatagramBytes + 1, PROBE_LENGTH + 1)).order(ByteOrder.LITTLE_ENDIAN);
        this.byId = new Member[maxUsers];
        this.active = new Member[maxUsers];
        this.selector = Selector.open();
        main.configureBlocking(false);
        main.register(selector, SelectionKey.OP_READ, null);
    }

    /**
     * Starts relaying voice between {@code id} and the others from/to {@code address}, replacing
     * an earlier registration of the same id. Thread-safe.
     *
     * @param id the session id
     * @param address the voice address
     */
    public void register(int id, InetSocketAddress address) {
        commands.add(new Register(id, address));
        selector.wakeup();
    }

    /**
     * Stops relaying for {@code id}. Thread-safe.
     *
     * @param id the session id
     */
    public void unregister(int id) {
        commands.add(new Unregister(id));
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
                add(new Member(r.id(), r.address(), DIALECT_ORIGINAL));
            } else {
                remove(((Unregister) c).id());
            }
        }
    }

    private void add(Member m) {
        byId[m.id] = m;
        m.index = activeCount;
        active[activeCount++] = m;
        byAddress.put(m.address, m);
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
                ch.connect(m.address);
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
        if (byAddress.get(m.address) == m) {
            byAddress.remove(m.address);
        }
        if (lastMember == m) {
            lastMember = null;
            lastSender = null;
        }
        closeConnected(m);
    }

    private static void closeConnected(Member m) {
        if (m.connected != null) {
            try {
                m.connected.close();
            } catch (IOException e) {
                LOG.debug("closing member UDP socket", e);
            }
            m.connected = null;
        }
    }

    private void onReady(SelectionKey key) {
        Object att = key.attachment();
        if (att == null) {
            receiveMain();
        } else {
            receiveConnected((Member) att);
        }
    }

    private void receiveMain() {
        for (int i = 0; i < BATCH; i++) {
            buf.clear();
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
            buf.flip();
            received(buf.remaining());
            if (buf.limit() == PROBE_LENGTH && isProbe()) {
                // usually here: the greeting often arrives before the server has read CLIENT_PORT
                Counters.add(counters.droppedProbe, 1);
            } else if (m == null) {
                Counters.add(counters.droppedUnknownSender, 1);
            } else {
                relay(m);
            }
        }
    }

    private void receiveConnected(Member m) {
        DatagramChannel ch = m.connected;
        if (ch == null) {
            return;
        }
        for (int i = 0; i < BATCH; i++) {
            buf.clear();
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
            buf.flip();
            received(n);
            relay(m);
        }
    }

    private void received(int n) {
        Counters.add(counters.datagramsReceived, 1);
        Counters.add(counters.bytesReceived, n);
    }

    /** Sends the datagram in {@code buf} (position 0, limit its length) to every member but the sender. */
    private void relay(Member sender) {
        int n = buf.limit();
        if (n > maxDatagramBytes) {
            Counters.add(counters.droppedTooLong, 1);
            return;
        }
        if (n == PROBE_LENGTH && isProbe()) {
            Counters.add(counters.droppedProbe, 1);
            return;
        }
        long copies = 0;
        long failed = 0;
        Member[] members = active;
        for (int i = 0, count = activeCount; i < count; i++) {
            Member r = members[i];
            if (r == sender) {
                continue;
            }
            // per-recipient framing goes here when a dialect other than DIALECT_ORIGINAL exists
            buf.position(0);
            try {
                // a connected socket sends without a route lookup per datagram
                DatagramChannel out = r.connected;
                if ((out != null ? out.write(buf) : main.send(buf, r.address)) > 0) {
                    copies++;
                } else {
                    failed++;
                }
            } catch (IOException e) {
                failed++;
            }
        }
        if (copies > 0) {
            Counters.add(counters.datagramsRelayed, copies);
            Counters.add(counters.bytesRelayed, copies * n);
        }
        if (failed > 0) {
            Counters.add(counters.droppedSendFailed, failed);
        }
    }

    /** True if the 1024 bytes in {@code buf} are all ASCII {@code a}: the original client's greeting. */
    private boolean isProbe() {
        ByteBuffer b = buf;
        for (int i = 0; i < PROBE_LENGTH; i += 8) {
            if (b.getLong(i) != EIGHT_A) {
                return false;
            }
        }
        return true;
    }
}
