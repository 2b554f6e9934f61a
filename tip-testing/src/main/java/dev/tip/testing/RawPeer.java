package dev.tip.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer that speaks the original dialect with raw sockets, as the original Python client does on the
 * wire (nickname and CLIENT_PORT in one write, then one datagram of 1024 {@code a}), and that keeps
 * counts of everything it receives: control bytes, rosters, voice datagrams per marked speaker.
 *
 * <p>Voice it sends is marked: bytes 0-3 the speaker's mark, 4-7 a sequence number, so a listener
 * can count which of a witness's datagrams arrived. Threads: one reader per socket, started by
 * {@link #join}; counters are safe to read from any thread.
 */
public final class RawPeer implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    public static final int FRAME_BYTES = 1024;
    private static final Pattern SESSION = Pattern.compile("\"KEY\": 6, \"SESSION\": (\\d+)");
    private static final Pattern ROSTER = Pattern.compile("\"KEY\": 3");

    public final Socket tcp;
    public final DatagramSocket udp;
    public final int serverPort;
    public final AtomicLong controlBytes = new AtomicLong();
    public final AtomicInteger rosters = new AtomicInteger();
    public final AtomicInteger session = new AtomicInteger(-1);
    public final AtomicInteger datagrams = new AtomicInteger();
    /** Distinct sequence numbers received per mark (marks are small ints), as bit sets. */
    private final java.util.BitSet[] heard = new java.util.BitSet[16];

    private volatile boolean closedByServer;
    private final StringBuilder text = new StringBuilder();
    private int counted; // guarded by text: how far rosters were counted

    public RawPeer(int serverPort) throws IOException {
        this(serverPort, InetAddress.getLoopbackAddress());
    }

    /** A peer whose sockets are bound to {@code local}, one of the loopback addresses (127.0.0.0/8). */
    public RawPeer(int serverPort, InetAddress local) throws IOException {
        this.serverPort = serverPort;
        for (int i = 0; i < heard.length; i++) {
            heard[i] = new java.util.BitSet();
        }
        tcp = new Socket();
        tcp.bind(new InetSocketAddress(local, 0));
        tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 10_000);
        udp = new DatagramSocket(new InetSocketAddress(local, 0));
        udp.setSoTimeout(200);
    }

    /** Joins as the original client does and waits for SESSION. */
    public static RawPeer joined(int port, String name) throws IOException {
        RawPeer p = new RawPeer(port);
        p.join(name);
        p.awaitSession();
        return p;
    }

    public void join(String name) throws IOException {
        startReaders();
        write("{\"KEY\": 2, \"NAME\": \"" + name + "\"}{\"KEY\": 7, \"PORT\": " + udp.getLocalPort() + "}");
        byte[] a = new byte[FRAME_BYTES];
        Arrays.fill(a, (byte) 'a');
        sendVoice(a);
    }

    public void startReaders() {
        Thread control = new Thread(this::readControl, "raw-peer-control");
        control.setDaemon(true);
        control.start();
        Thread voice = new Thread(this::readVoice, "raw-peer-voice");
        voice.setDaemon(true);
        voice.start();
    }

    public void write(String s) throws IOException {
        OutputStream out = tcp.getOutputStream();
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void sendVoice(byte[] payload) throws IOException {
        udp.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), serverPort));
    }

    /** Sends one marked frame: mark and sequence number in its first 8 bytes, the rest zero. */
    public void sendMarked(int mark, int seq, byte[] scratch) throws IOException {
        ByteBuffer.wrap(scratch).putInt(0, 0x7F000000 | mark).putInt(4, seq);
        sendVoice(scratch);
    }

    /** How many distinct frames with this mark arrived. */
    public int heardFrom(int mark) {
        synchronized (heard) {
            return heard[mark].cardinality();
        }
    }

    public boolean closedByServer() {
        return closedByServer;
    }

    public int awaitSession() {
        await(() -> session.get() >= 0, "SESSION");
        return session.get();
    }

    /** The last 8 KiB of control text received (the latest rosters among it). */
    public String controlText() {
        synchronized (text) {
            return text.toString();
        }
    }

    private void readControl() {
        byte[] buf = new byte[4096];
        try {
            InputStream in = tcp.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                controlBytes.addAndGet(n);
                String s = new String(buf, 0, n, StandardCharsets.US_ASCII);
                synchronized (text) {
                    // keep a bounded tail: enough to find messages split across reads
                    text.append(s);
                    Matcher m = SESSION.matcher(text);
                    while (m.find()) {
                        session.compareAndSet(-1, Integer.parseInt(m.group(1)));
                    }
                    Matcher r = ROSTER.matcher(text);
                    r.region(counted, text.length());
                    while (r.find()) {
                        rosters.incrementAndGet();
                        counted = r.end();
                    }
                    int cut = text.length() - 8192;
                    if (cut > 0) {
                        text.delete(0, cut);
                        counted = Math.max(0, counted - cut);
                    }
                }
            }
        } catch (IOException e) {
            // reset: the same as the end of the stream here
        } finally {
            closedByServer = true;
        }
    }

    private void readVoice() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!udp.isClosed()) {
            try {
                p.setLength(buf.length);
                udp.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                return;
            }
            datagrams.incrementAndGet();
            if (p.getLength() >= 8) {
                ByteBuffer b = ByteBuffer.wrap(buf);
                int mark = b.getInt(0);
                if ((mark & 0xFF000000) == 0x7F000000 && (mark & 0xFFFFFF) < heard.length) {
                    synchronized (heard) {
                        heard[mark & 0xFFFFFF].set(b.getInt(4));
                    }
                }
            }
        }
    }

    /**
     * Waits up to {@link #TIMEOUT} for a condition.
     *
     * @param condition the condition
     * @param what what is awaited, for the failure message
     */
    public static void await(BooleanSupplier condition, String what) {
        Await.until(what, TIMEOUT, condition);
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
    }
}
