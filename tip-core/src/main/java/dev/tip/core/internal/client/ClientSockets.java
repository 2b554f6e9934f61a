package dev.tip.core.internal.client;

import dev.tip.core.internal.SessionEvent;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;

/**
 * Opens a client's sockets the way the original client does: the TCP connection to the server,
 * then a UDP socket on an ephemeral port of the TCP connection's local address (the original
 * server registers the voice address as the TCP peer's address with CLIENT_PORT's port). A failure
 * comes out as a {@link Failure} naming the session event and the words for the user.
 */
public final class ClientSockets {

    /** Why a socket could not be opened: the session event it is, and the detail. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient SessionEvent event;

        Failure(SessionEvent event, String detail, Throwable cause) {
            super(detail, cause);
            this.event = event;
        }

        /** @return CONNECT_REFUSED or TIMED_OUT */
        public SessionEvent event() {
            return event;
        }
    }

    private ClientSockets() {}

    /**
     * Opens a TCP socket, for {@link #connect}; opened first so that close() can close it while
     * connecting.
     *
     * @return an unconnected channel
     * @throws Failure if the system has none to give
     */
    public static SocketChannel open() throws Failure {
        try {
            return SocketChannel.open();
        } catch (IOException e) {
            throw new Failure(SessionEvent.CONNECT_REFUSED, "cannot open a TCP socket: " + e.getMessage(), e);
        }
    }

    /**
     * Connects the TCP socket, in blocking mode, with Nagle off.
     *
     * @param socket from {@link #open}
     * @param config the host, port, local address and connect timeout
     * @throws Failure REFUSED (also: an unknown host) or TIMED_OUT
     */
    public static void connect(SocketChannel socket, ClientConfig config) throws Failure {
        String where = config.host() + ":" + config.port();
        InetSocketAddress server = new InetSocketAddress(config.host(), config.port());
        if (server.isUnresolved()) {
            throw new Failure(SessionEvent.CONNECT_REFUSED, "unknown host " + config.host(), null);
        }
        try {
            if (config.localAddress() != null) {
                socket.bind(new InetSocketAddress(config.localAddress(), 0));
            }
            int millis = (int) Math.max(
                    1, Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
            socket.socket().connect(server, millis);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (SocketTimeoutException e) {
            throw new Failure(
                    SessionEvent.TIMED_OUT,
                    "no TCP connection to " + where + " within "
                            + config.connectTimeout().toMillis() + " ms",
                    e);
        } catch (IOException e) {
            throw new Failure(SessionEvent.CONNECT_REFUSED, "cannot connect to " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the voice socket where the TCP connection is.
     *
     * @param tcp the connected TCP socket
     * @param config the local address, if one was given
     * @return a bound datagram channel
     * @throws Failure REFUSED
     */
    public static DatagramChannel openVoice(SocketChannel tcp, ClientConfig config) throws Failure {
        try {
            InetAddress local = config.localAddress() != null
                    ? config.localAddress()
                    : tcp.socket().getLocalAddress();
            DatagramChannel udp = DatagramChannel.open(
                    local instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            udp.bind(new InetSocketAddress(local, 0));
            return udp;
        } catch (IOException e) {
            throw new Failure(SessionEvent.CONNECT_REFUSED, "cannot open a UDP socket for voice: " + e.getMessage(), e);
        }
    }

    /**
     * The server's voice address: the TCP peer's address with the same port number.
     *
     * @param tcp the connected socket
     * @param port the server's port
     * @return the address
     */
    public static InetSocketAddress serverVoice(SocketChannel tcp, int port) {
        return new InetSocketAddress(tcp.socket().getInetAddress(), port);
    }
}
