package dev.tip.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * A server the test drives by hand, to play handshakes the original server never produces (or
 * produces only sometimes): one TCP listener and one UDP socket on the same loopback port.
 */
final class ScriptedServer implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 20_000;
    final LoopbackPorts ports;

    ScriptedServer() throws IOException {
        ports = LoopbackPorts.bind();
        ports.tcp().setSoTimeout(TIMEOUT_MILLIS);
        ports.udp().setSoTimeout(TIMEOUT_MILLIS);
    }

    int port() {
        return ports.port();
    }

    TipClient.Builder client(String nickname) {
        return TipClient.builder().server("127.0.0.1", port()).nickname(nickname);
    }

    Socket accept() throws IOException {
        Socket s = ports.tcp().accept();
        s.setSoTimeout(TIMEOUT_MILLIS);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Reads from the peer until what has arrived satisfies the predicate; returns all of it. */
    static String readUntil(Socket s, Predicate<String> done) throws IOException {
        StringBuilder sb = new StringBuilder();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1024];
        while (!done.test(sb.toString())) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("end of stream after: " + sb);
            }
            sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    /** Reads the handshake the client sends: everything up to the end of CLIENT_PORT. */
    static String readHandshake(Socket s) throws IOException {
        return readUntil(s, t -> t.matches("(?s).*\"PORT\": [0-9]+}"));
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Writes each byte in its own TCP segment (no delay), the worst framing a peer can produce. */
    static void writeByteByByte(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            out.write(b);
            out.flush();
        }
    }

    /**
     * Plays a server's part in a leave from now on, as a real server does: reads until the
     * client's DISCONNECT, then closes the connection (so the client need not wait for it).
     */
    static void closeOnQuit(Socket peer) {
        Thread t = new Thread(
                () -> {
                    try {
                        readUntil(peer, text -> text.contains("\"REASON\": \"Quit\"}"));
                    } catch (IOException e) {
                        // the client went away otherwise; nothing to answer
                    }
                    try {
                        peer.close();
                    } catch (IOException e) {
                        // closing
                    }
                },
                "scripted-server-quit");
        t.setDaemon(true);
        t.start();
    }

    DatagramPacket receiveDatagram() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        ports.udp().receive(p);
        return p;
    }

    /**
     * Plays the UDP side of a TIP/2 server's voice binding from now on, in a daemon thread:
     * answers every HELLO with HELLO_ACK (the same token) to the address it came from, and counts
     * what arrives. Ends when the socket closes.
     */
    UdpResponder answerHello(long token) {
        UdpResponder r = new UdpResponder(token);
        Thread t = new Thread(r, "scripted-server-udp");
        t.setDaemon(true);
        t.start();
        return r;
    }

    /** What {@link #answerHello} saw. */
    final class UdpResponder implements Runnable {
        final long token;
        final java.util.List<byte[]> datagrams = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile java.net.SocketAddress client;
        final java.util.concurrent.atomic.AtomicInteger hellos = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger keepalives = new java.util.concurrent.atomic.AtomicInteger();

        UdpResponder(long token) {
            this.token = token;
        }

        @Override
        public void run() {
            try {
                ports.udp().setSoTimeout(0);
                while (true) {
                    DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
                    ports.udp().receive(p);
                    byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                    datagrams.add(data);
                    if (data.length == 18 && (data[0] & 0xFF) == 0x80 && data[1] == 16) {
                        hellos.incrementAndGet();
                        if (java.nio.ByteBuffer.wrap(data, 10, 8).getLong() != token) {
                            continue;
                        }
                        client = p.getSocketAddress();
                        byte[] ack = data.clone();
                        ack[1] = 17;
                        ports.udp().send(new DatagramPacket(ack, ack.length, p.getSocketAddress()));
                    } else if (data.length == 18 && data[1] == 18) {
                        keepalives.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // closed: the test is over
            }
        }
    }

    @Override
    public void close() throws IOException {
        ports.tcp().close();
        ports.udp().close();
    }
}
