package dev.tip.testing.netsim;

import dev.tip.testing.TcpPump;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy between TIP clients and a server on loopback that impairs voice as the network model
 * says: TCP is passed through untouched; UDP goes through one upstream socket per client (so the
 * server sees one address per client), and every TIP/2 voice datagram (PCM or Opus), in each
 * direction, gets the
 * one-way delay of the next packet of a trace the model generated for that direction (or is
 * dropped when the trace lost it). Decisions are deterministic for a seed (the n-th voice datagram
 * of the k-th client to appear, in a direction, always gets the same fate); delays differ per
 * packet, so datagrams also arrive reordered. HELLO, HELLO_ACK and KEEPALIVE pass at once.
 */
public final class ImpairingRelay implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration TRACE_LENGTH = Duration.ofSeconds(60);

    private final int serverPort;
    private final NetworkModel model;
    private final long seed;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final ScheduledThreadPoolExecutor scheduler =
            new ScheduledThreadPoolExecutor(1, r -> PortPair.daemon(r, "relay-delay"));
    private final Map<SocketAddress, Leg> legs = new ConcurrentHashMap<>();
    private final List<java.io.Closeable> closeables = new ArrayList<>();
    private volatile boolean closed;

    /** Voice datagrams dropped, delivered (both directions, all clients). */
    public final AtomicLong dropped = new AtomicLong();

    public final AtomicLong delivered = new AtomicLong();

    public ImpairingRelay(int serverPort, NetworkModel model, long seed) throws IOException {
        this.serverPort = serverPort;
        this.model = model;
        this.seed = seed;
        PortPair ports = PortPair.open();
        this.tcp = ports.tcp();
        this.udp = ports.udp();
        PortPair.daemon(this::acceptLoop, "relay-accept").start();
        PortPair.daemon(this::clientLoop, "relay-udp").start();
    }

    public int port() {
        return tcp.getLocalPort();
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                Socket client = tcp.accept();
                Socket server = new Socket(LOOPBACK, serverPort);
                synchronized (closeables) {
                    closeables.add(client);
                    closeables.add(server);
                }
                PortPair.daemon(() -> TcpPump.copy(client, server, null), "relay-tcp-up")
                        .start();
                PortPair.daemon(() -> TcpPump.copy(server, client, null), "relay-tcp-down")
                        .start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Datagrams from the clients: to the server through the client's own upstream socket. */
    private void clientLoop() {
        byte[] buf = new byte[4096];
        try {
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                Leg leg = legs.computeIfAbsent(p.getSocketAddress(), this::newLeg);
                if (leg == null) {
                    continue;
                }
                leg.up.forward(data, () -> send(leg.upstream, data, new InetSocketAddress(LOOPBACK, serverPort)));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private Leg newLeg(SocketAddress client) {
        try {
            int index = legs.size();
            Leg leg = new Leg(
                    client,
                    new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)),
                    new Direction(seed + 2L * index),
                    new Direction(seed + 2L * index + 1));
            synchronized (closeables) {
                closeables.add(leg.upstream);
            }
            PortPair.daemon(() -> serverLoop(leg), "relay-udp-down").start();
            return leg;
        } catch (IOException e) {
            return null;
        }
    }

    /** Datagrams from the server for one client. */
    private void serverLoop(Leg leg) {
        byte[] buf = new byte[4096];
        try {
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                leg.upstream.receive(p);
                byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                leg.down.forward(data, () -> send(udp, data, leg.client));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void send(DatagramSocket socket, byte[] data, SocketAddress to) {
        try {
            socket.send(new DatagramPacket(data, data.length, to));
        } catch (IOException e) {
            // closed or refused: as lost as any datagram
        }
    }

    private static boolean isVoice(byte[] d) {
        return d.length > 12 && (d[0] & 0xC0) == 0x80 && (d[1] == 0 || d[1] == 1);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        scheduler.shutdownNow();
        tcp.close();
        udp.close();
        synchronized (closeables) {
            for (java.io.Closeable c : closeables) {
                c.close();
            }
        }
    }

    private record Leg(SocketAddress client, DatagramSocket upstream, Direction up, Direction down) {}

    /** One direction of one client: the fates of its voice datagrams, from one trace. */
    private final class Direction {
        private final long[] delays;
        private int next;

        Direction(long traceSeed) {
            Trace trace = model.generate(20_000, 512, TRACE_LENGTH, traceSeed);
            this.delays = trace.delayNanos();
        }

        /** Called by one thread per direction. */
        void forward(byte[] data, Runnable send) {
            if (!isVoice(data)) {
                send.run();
                return;
            }
            long delay = delays[next++ % delays.length];
            if (delay < 0) {
                dropped.incrementAndGet();
                return;
            }
            delivered.incrementAndGet();
            scheduler.schedule(send, delay, TimeUnit.NANOSECONDS);
        }
    }
}
