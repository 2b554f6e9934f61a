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
        Thread t = new Thread(() -> {
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
        }, "scripted-server-quit");
        t.setDaemon(true);
        t.start();
    }

    DatagramPacket receiveDatagram() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        ports.udp().receive(p);
        return p;
    }

    @Override
    public void close() throws IOException {
        ports.tcp().close();
        ports.udp().close();
    }
}
