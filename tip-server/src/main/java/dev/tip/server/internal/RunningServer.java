package dev.tip.server.internal;

import dev.tip.server.Participant;
import dev.tip.server.ServerStatistics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started server: its bound sockets, its three threads ({@code tip-server-control-PORT} runs the
 * {@link ControlLoop}, {@code tip-server-relay-PORT} the {@link Relay}, {@code
 * tip-server-events-PORT} the listener callbacks unless an executor was given), its counters and
 * its MBean. Every field is final and set before the threads start.
 *
 * <p>Threading: thread-safe; {@link #close()} must be called once (the facade ensures it).
 */
public final class RunningServer implements JmxView.Server {

    private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);
    private static final int EPHEMERAL_ATTEMPTS = 20;

    private final ServerConfig config;
    private final int port;
    private final Counters counters;
    private final Relay relay;
    private final ControlLoop control;
    private final Thread relayThread;
    private final Thread controlThread;
    private final ExecutorService ownEvents;
    /** The thread of {@link #ownEvents}, once it exists (made by whichever thread emits first). */
    private final AtomicReference<Thread> eventsThread = new AtomicReference<>();

    private final ObjectName mbean;
    private final java.util.concurrent.CopyOnWriteArrayList<TapSink> taps =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Binds both sockets on one port; opens the selectors. Starts nothing. */
    private RunningServer(
            ServerConfig config,
            Counters counters,
            ServerSocketChannel tcp,
            DatagramChannel udp,
            BatchedDatagrams batched)
            throws IOException {
        this.config = config;
        this.counters = counters;
        this.port = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
        Executor events = config.listenerExecutor();
        if (events == null) {
            ownEvents = Executors.newSingleThreadExecutor(r -> {
                Thread t = named(r, "events");
                eventsThread.set(t);
                return t;
            });
            events = ownEvents;
        } else {
            ownEvents = null;
        }
        // the relay tells the control loop, which needs the relay: set before the threads start
        ControlLoop[] late = new ControlLoop[1];
        Relay.AddressListener learned = (id, token, address) -> late[0].voiceAddressLearned(id, token, address);
        relay = batched != null
                ? new Relay(batched, bindAddress(config), family(config), config, counters, learned)
                : new Relay(udp, bindAddress(config), family(config), config, counters, learned);
        control = new ControlLoop(tcp, relay, config, counters, events);
        late[0] = control;
        relayThread = named(relay, "relay");
        controlThread = named(control, "control");
        mbean = config.jmx() ? register() : null;
    }

    /**
     * Binds TCP and UDP on the configured port (with port 0 an ephemeral TCP port and UDP on the
     * same number, trying another if that UDP port is taken) and starts the threads.
     *
     * @param config the configuration
     * @return the running server
     * @throws IOException if the ports cannot be bound (the message names them)
     */
    public static RunningServer start(ServerConfig config) throws IOException {
        ProtocolFamily family = family(config);
        InetAddress address = bindAddress(config);
        Counters counters = new Counters();
        for (int attempt = 1; ; attempt++) {
            ServerSocketChannel tcp = ServerSocketChannel.open(family);
            DatagramChannel udp = null;
            BatchedDatagrams batched = null;
            try {
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    tcp.bind(new InetSocketAddress(address, config.port()), 128);
                } catch (IOException e) {
                    throw bindFailure("TCP", config.port(), e);
                }
                int p = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
                try {
                    // Linux on Java 22+: one socket, no SO_REUSEADDR (null where absent)
                    batched = BatchedDatagrams.open(
                            address,
                            p,
                            family,
                            config.udpBufferBytes(),
                            Routing.bufferBytes(config.maxDatagramBytes()),
                            config.maxUsers(),
                            counters);
                } catch (IOException e) {
                    if (config.port() == 0 && attempt < EPHEMERAL_ATTEMPTS) {
                        tcp.close();
                        continue;
                    }
                    throw bindFailure("UDP", p, e);
                }
                if (batched != null) {
                    RunningServer s = new RunningServer(config, counters, tcp, null, batched);
                    return started(s, address);
                }
                udp = DatagramChannel.open(family);
                // lets the relay open one connected socket per member on the same port
                udp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (config.udpBufferBytes() > 0) {
                    udp.setOption(StandardSocketOptions.SO_RCVBUF, config.udpBufferBytes());
                    udp.setOption(StandardSocketOptions.SO_SNDBUF, config.udpBufferBytes());
                }
                try {
                    udp.bind(new InetSocketAddress(address, p));
                } catch (IOException e) {
                    if (config.port() == 0 && attempt < EPHEMERAL_ATTEMPTS) {
                        tcp.close();
                        udp.close();
                        continue;
                    }
                    throw bindFailure("UDP", p, e);
                }
                return started(new RunningServer(config, counters, tcp, udp, null), address);
            } catch (IOException | RuntimeException e) {
                tcp.close();
                if (udp != null) {
                    udp.close();
                }
                if (batched != null) {
                    batched.close();
                }
                throw e;
            }
        }
    }

    private static RunningServer started(RunningServer s, InetAddress address) {
        s.relayThread.start();
        s.controlThread.start();
        LOG.info(
                "TIP server listening on {}:{} (TCP and UDP; voice I/O: {})",
                s.config.bindAddress() == null ? "*" : address.getHostAddress(),
                s.port,
                s.relay.io());
        return s;
    }

    /** Which I/O the relay uses: {@code "nio"}, or the batched path's description. */
    String relayIo() {
        return relay.io();
    }

    private static ProtocolFamily family(ServerConfig config) {
        return config.bindAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
    }

    private static InetAddress bindAddress(ServerConfig config) throws IOException {
        if (config.bindAddress() != null) {
            return config.bindAddress();
        }
        return InetAddress.getByName(family(config) == StandardProtocolFamily.INET6 ? "::" : "0.0.0.0");
    }

    private static IOException bindFailure(String what, int port, IOException e) {
        BindException b = new BindException(what + " port " + port + " is not available (" + e.getMessage() + ")");
        b.initCause(e);
        return b;
    }

    private Thread named(Runnable r, String role) {
        Thread t = config.threadFactory().newThread(r);
        t.setName("tip-server-" + role + "-" + port);
        t.setDaemon(role.equals("events"));
        return t;
    }

    private ObjectName register() {
        try {
            ObjectName name = new ObjectName("dev.tip.server:type=TipServer,port=" + port);
            ManagementFactory.getPlatformMBeanServer().registerMBean(new JmxView(this), name);
            return name;
        } catch (JMException | RuntimeException e) {
            LOG.warn("cannot register the JMX MBean: {}", e.toString());
            return null;
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public List<Participant> users() {
        return control.users();
    }

    @Override
    public boolean kick(int id, String reason) {
        return control.kick(id, reason);
    }

    /**
     * Adds a virtual member to a room and waits for it (at most 10 s).
     *
     * @return its session id, or -1 if there is no such room or the server is full
     */
    public int addVirtual(String name, String room) {
        return await(control.addVirtual(name, room));
    }

    /** Removes a virtual member. */
    public void removeVirtual(int id) {
        control.removeVirtual(id);
    }

    /** Relays a virtual member's frame. */
    public void inject(int id, byte[] pcm) {
        relay.inject(id, pcm);
    }

    /**
     * Starts a tap on a room.
     *
     * @return its sink (close it with {@link #untap}), or null if there is no such room
     */
    public TapSink tap(String room, dev.tip.server.AudioTap tap) {
        int id = await(control.roomId(room));
        if (id < 0) {
            return null;
        }
        TapSink sink = new TapSink(tap, id);
        Thread t = named(sink, "tap");
        t.setDaemon(true);
        t.start();
        taps.add(sink);
        relay.tap(sink, true);
        return sink;
    }

    /** Stops a tap. */
    public void untap(TapSink sink) {
        relay.tap(sink, false);
        sink.close();
        taps.remove(sink);
    }

    private static int await(java.util.concurrent.CompletableFuture<Integer> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the server's control thread did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public List<dev.tip.server.StreamStatistics> streams() {
        java.util.Map<Integer, StreamSnapshot> counts;
        try {
            counts = relay.streams().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        List<dev.tip.server.StreamStatistics> out = new java.util.ArrayList<>();
        for (Participant p : users()) {
            StreamSnapshot c = counts.get(p.id());
            if (c != null) {
                out.add(new dev.tip.server.StreamStatistics(
                        p.id(),
                        p.name(),
                        p.room(),
                        c.codec(),
                        c.tunnelled() ? "tcp" : "udp",
                        c.packets(),
                        c.bytes(),
                        c.lost(),
                        c.late(),
                        c.jitterMillis()));
            }
        }
        return List.copyOf(out);
    }

    @Override
    public List<dev.tip.server.RoomInfo> rooms() {
        return control.rooms();
    }

    /** The bans in force. */
    public List<dev.tip.server.Ban> bans() {
        return control.bans();
    }

    @Override
    public boolean move(int id, String room) {
        return control.move(id, room);
    }

    @Override
    public boolean mute(int id, boolean muted) {
        return control.mute(id, muted);
    }

    @Override
    public void ban(dev.tip.server.Ban ban) {
        control.ban(ban);
    }

    @Override
    public void unban(dev.tip.server.Ban.Kind kind, String value) {
        control.unban(kind, value);
    }

    @Override
    public ServerStatistics statistics() {
        return counters.snapshot(users().size(), relayAllocatedBytes());
    }

    private long relayAllocatedBytes() {
        try {
            java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
            if (bean instanceof com.sun.management.ThreadMXBean sun
                    && sun.isThreadAllocatedMemorySupported()
                    && sun.isThreadAllocatedMemoryEnabled()) {
                return sun.getThreadAllocatedBytes(relayThread.getId());
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("allocation counter unavailable", e);
        }
        return -1;
    }

    /**
     * SERVER_CLOSE to every client (each gets up to the linger time to read it), then every socket
     * is closed and every thread this server started has ended; queued listener callbacks run
     * first.
     */
    public void close() {
        long wait = config.linger().toMillis() + 5_000;
        control.stop();
        join(controlThread, wait);
        relay.stop();
        join(relayThread, wait);
        for (TapSink t : taps) {
            t.close();
        }
        if (ownEvents != null) {
            ownEvents.shutdown();
            try {
                if (!ownEvents.awaitTermination(wait, TimeUnit.MILLISECONDS)) {
                    ownEvents.shutdownNow();
                }
            } catch (InterruptedException e) {
                ownEvents.shutdownNow();
                Thread.currentThread().interrupt();
            }
            // awaitTermination can return while the worker thread is still on its way out
            Thread t = eventsThread.get();
            if (t != null) {
                join(t, wait);
            }
        }
        if (mbean != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
            } catch (JMException e) {
                LOG.debug("unregistering the MBean", e);
            }
        }
        LOG.info("TIP server on port {} stopped", port);
    }

    private static void join(Thread t, long millis) {
        try {
            t.join(millis);
            if (t.isAlive()) {
                LOG.warn("{} did not stop within {} ms", t.getName(), millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
