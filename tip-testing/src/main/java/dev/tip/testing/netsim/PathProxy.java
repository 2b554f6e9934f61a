package dev.tip.testing.netsim;

import dev.tip.testing.TcpPump;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy on loopback between TIP clients and a server, for the paths a network may break: TCP
 * passes through untouched (until {@link #breakConnections()} cuts every proxied connection, as a
 * network change does); UDP goes through one upstream socket per client (the server sees one
 * address per client) and is dropped both ways while {@link #blockUdp(boolean)} says so (a network
 * that drops UDP). One port for both, as TIP wants.
 */
public final class PathProxy implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final int serverPort;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final Map<SocketAddress, DatagramSocket> legs = new ConcurrentHashMap<>();
    private final List<Closeable> connections = new ArrayList<>();
    private final List<Closeable> sockets = new ArrayList<>();
    private volatile boolean closed;
    private volatile boolean udpBlocked;
    private volatile boolean refuseTcp;

    /** UDP datagrams dropped while blocked (both directions). */
    public final AtomicLong udpDropped = new AtomicLong();
    /** UDP datagrams passed (both directions). */
    public final AtomicLong udpPassed = new AtomicLong();
    /** TCP connections accepted. */
    public final AtomicLong connectionsAccepted = new AtomicLong();

    /**
     * Starts a proxy for a server on loopback.
     *
     * @param serverPort the server's TCP and UDP port
     * @param blockUdp whether UDP is dropped from the start
     * @throws IOException if no port is free for both TCP and UDP
     */
    public PathProxy(int serverPort, boolean blockUdp) throws IOException {
        this.serverPort = serverPort;
        this.udpBlocked = blockUdp;
        PortPair ports = PortPair.open();
        this.tcp = ports.tcp();
        this.udp = ports.udp();
        PortPair.daemon(this::acceptLoop, "proxy-accept").start();
        PortPair.daemon(this::clientLoop, "proxy-udp").start();
    }

    /** @return the port clients connect to (TCP and UDP) */
    public int port() {
        return tcp.getLocalPort();
    }

    /**
     * Drops UDP both ways from now on, or lets it pass again.
     *
     * @param block true to drop
     */
    public void blockUdp(boolean block) {
        udpBlocked = block;
    }

    /**
     * Closes every new TCP connection at once from now on (a network where the server cannot be
     * reached), or passes them again.
     *
     * @param refuse true to close them
     */
    public void refuseConnections(boolean refuse) {
        refuseTcp = refuse;
    }

    /**
     * Cuts every TCP connection proxied so far (both sides see a reset or an end); new ones are
     * accepted as before.
     *
     * @throws IOException never in practice
     */
    public void breakConnections() throws IOException {
        List<Closeable> now;
        synchronized (connections) {
            now = new ArrayList<>(connections);
            connections.clear();
        }
        for (Closeable c : now) {
            c.close();
        }
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                Socket client = tcp.accept();
                if (refuseTcp) {
                    client.close();
                    continue;
                }
                Socket server = new Socket(LOOPBACK, serverPort);
                connectionsAccepted.incrementAndGet();
                synchronized (connections) {
                    connections.add(client);
                    connections.add(server);
                }
                PortPair.daemon(() -> TcpPump.copy(client, server, null), "proxy-tcp-up")
                        .start();
                PortPair.daemon(() -> TcpPump.copy(server, client, null), "proxy-tcp-down")
                        .start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void clientLoop() {
        byte[] buf = new byte[4096];
        try {
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                if (udpBlocked) {
                    udpDropped.incrementAndGet();
                    continue;
                }
                DatagramSocket leg = legs.computeIfAbsent(p.getSocketAddress(), this::newLeg);
                if (leg != null) {
                    udpPassed.incrementAndGet();
                    send(leg, Arrays.copyOf(p.getData(), p.getLength()), new InetSocketAddress(LOOPBACK, serverPort));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    private DatagramSocket newLeg(SocketAddress client) {
        try {
            DatagramSocket leg = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            synchronized (sockets) {
                sockets.add(leg);
            }
            PortPair.daemon(() -> serverLoop(leg, client), "proxy-udp-down").start();
            return leg;
        } catch (IOException e) {
            return null;
        }
    }

    private void serverLoop(DatagramSocket leg, SocketAddress client) {
        byte[] buf = new byte[4096];
        try {
            while (!closed) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                leg.receive(p);
                if (udpBlocked) {
                    udpDropped.incrementAndGet();
                    continue;
                }
                udpPassed.incrementAndGet();
                send(udp, Arrays.copyOf(p.getData(), p.getLength()), client);
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

    @Override
    public void close() throws IOException {
        closed = true;
        tcp.close();
        udp.close();
        breakConnections();
        synchronized (sockets) {
            for (Closeable c : sockets) {
                c.close();
            }
        }
    }
}
