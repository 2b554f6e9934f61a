package dev.tip.server;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A test peer that behaves on the wire as the original Python client does: nickname and port in
 * one write, then one datagram of 1024 {@code a}; reads control bytes 1024 at a time and splits
 * each read at {@code }{}, parsing each piece on its own (pieces that fail to parse are lost, as
 * they are for the original).
 */
final class OriginalClient implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final Socket tcp;
    final DatagramSocket udp;
    final int serverPort;
    final List<ControlMessage> received = new CopyOnWriteArrayList<>();
    final List<String> unparsed = new CopyOnWriteArrayList<>();
    private volatile boolean eof;
    private final Thread reader;

    OriginalClient(int serverPort, boolean reading) throws IOException {
        this(serverPort, reading, 0);
    }

    OriginalClient(int serverPort, boolean reading, int receiveBufferBytes) throws IOException {
        this.serverPort = serverPort;
        tcp = new Socket();
        if (receiveBufferBytes > 0) {
            tcp.setReceiveBufferSize(receiveBufferBytes);
        }
        tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 10_000);
        udp = new DatagramSocket(new InetSocketAddress(tcp.getLocalAddress(), 0));
        udp.setSoTimeout(200);
        reader = new Thread(this::readLoop, "original-client-reader");
        reader.setDaemon(true);
        if (reading) {
            reader.start();
        }
    }

    static OriginalClient joined(int port, String name) throws IOException {
        OriginalClient c = new OriginalClient(port, true);
        c.join(name);
        c.awaitSession();
        return c;
    }

    /** Nickname and CLIENT_PORT in one write, then the 1024-byte greeting datagram. */
    void join(String name) throws IOException {
        write("{\"KEY\": 2, \"NAME\": \"" + name + "\"}{\"KEY\": 7, \"PORT\": " + udp.getLocalPort() + "}");
        byte[] a = new byte[1024];
        Arrays.fill(a, (byte) 'a');
        sendVoice(a);
    }

    void write(String s) throws IOException {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] b) throws IOException {
        OutputStream out = tcp.getOutputStream();
        out.write(b);
        out.flush();
    }

    void quit() throws IOException {
        write("{\"KEY\": 4, \"REASON\": \"Quit\"}");
    }

    void sendVoice(byte[] payload) throws IOException {
        udp.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), serverPort));
    }

    /** Receives one datagram, waiting at most the timeout; null if none came. */
    byte[] receiveVoice(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[2048];
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                return Arrays.copyOf(buf, p.getLength());
            } catch (SocketTimeoutException e) {
                // poll again until the deadline
            }
        }
        return null;
    }

    private void readLoop() {
        byte[] buf = new byte[1024];
        try {
            InputStream in = tcp.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                String[] pieces = s.split("\\}\\{", -1);
                for (int i = 0; i < pieces.length; i++) {
                    String p = (i > 0 ? "{" : "") + pieces[i] + (i < pieces.length - 1 ? "}" : "");
                    parse(p);
                }
            }
        } catch (IOException e) {
            // connection reset: the same as the end of the stream for this client
        } finally {
            eof = true;
        }
    }

    private void parse(String piece) {
        ControlDecoder d = new ControlDecoder();
        byte[] b = piece.getBytes(StandardCharsets.UTF_8);
        d.feed(b, 0, b.length);
        d.endOfInput();
        try {
            ControlMessage m = d.next();
            if (m != null && d.next() == null) {
                received.add(m);
                return;
            }
        } catch (ProtocolException e) {
            // lost, as for the original client
        }
        unparsed.add(piece);
    }

    boolean closedByServer() {
        return eof;
    }

    <T extends ControlMessage> T await(Class<T> type, Predicate<T> condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ControlMessage m : received) {
                if (type.isInstance(m) && condition.test(type.cast(m))) {
                    return type.cast(m);
                }
            }
            pause();
        }
        throw new AssertionError("no " + type.getSimpleName() + " matching within " + TIMEOUT + "; received " + received
                + ", unparsed " + unparsed);
    }

    int awaitSession() {
        return await(ControlMessage.Session.class, s -> true).session();
    }

    ControlMessage.SendNewUsers awaitRoster(List<String> names) {
        return await(ControlMessage.SendNewUsers.class, u -> u.users().equals(names));
    }

    /** The last roster received, or an empty list. */
    List<String> lastRoster() {
        List<String> last = new ArrayList<>();
        for (ControlMessage m : received) {
            if (m instanceof ControlMessage.SendNewUsers u) {
                last = u.users();
            }
        }
        return last;
    }

    void awaitClosedByServer() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!eof) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("server did not close the connection; received " + received);
            }
            pause();
        }
    }

    static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
    }
}
