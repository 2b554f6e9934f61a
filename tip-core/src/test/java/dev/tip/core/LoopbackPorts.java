package dev.tip.core;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;

/** A TCP listener and a UDP socket on one ephemeral loopback port, as a TIP server has them. */
record LoopbackPorts(ServerSocket tcp, DatagramSocket udp) {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static LoopbackPorts bind() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            ServerSocket tcp = new ServerSocket(0, 50, LOOPBACK);
            try {
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, tcp.getLocalPort()));
                return new LoopbackPorts(tcp, udp);
            } catch (SocketException e) {
                tcp.close(); // the UDP port is taken: try another port
            }
        }
        throw new IOException("no loopback port free for both TCP and UDP");
    }

    int port() {
        return tcp.getLocalPort();
    }
}
