package dev.tip.testing.netsim;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;

/**
 * A TCP listener and a UDP socket on one free loopback port, as a TIP server has them: what the
 * test proxies in front of a server open for its clients.
 *
 * @param tcp the listener
 * @param udp the datagram socket on the same port
 */
record PortPair(ServerSocket tcp, DatagramSocket udp) {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /**
     * Opens both on an ephemeral port that is free for TCP and UDP.
     *
     * @return the pair
     * @throws IOException if no such port was found in 100 tries
     */
    static PortPair open() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            ServerSocket t = new ServerSocket(0, 50, LOOPBACK);
            try {
                return new PortPair(t, new DatagramSocket(new InetSocketAddress(LOOPBACK, t.getLocalPort())));
            } catch (SocketException e) {
                t.close();
            }
        }
        throw new IOException("no loopback port free for both TCP and UDP");
    }

    /** A daemon thread (the proxies' loops must not keep a test JVM alive). */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
