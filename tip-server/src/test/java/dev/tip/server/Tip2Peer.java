package dev.tip.server;

import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A hand-written TIP/2 test peer: negotiates VERSION 2 over the original client's control
 * behaviour (nickname and CLIENT_PORT in one write), proves its voice address with HELLO, and
 * sends and receives voice datagrams built with {@link VoiceDatagram}. Its voice socket can be
 * swapped for a new one, as a NAT rebinding would look to the server.
 */
final class Tip2Peer implements AutoCloseable {

    final OriginalClient control;
    final int serverPort;
    DatagramSocket voice;
    int id = -1;
    long token;
    ControlMessage.Session session;
    private int sequence;
    private long timestamp;

    private Tip2Peer(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.control = new OriginalClient(serverPort, true);
        this.voice = control.udp;
    }

    /** Connects, negotiates TIP/2 and waits for SESSION; no HELLO yet. */
    static Tip2Peer negotiated(int serverPort, String name) throws IOException {
        Tip2Peer p = new Tip2Peer(serverPort);
        p.control.write("{\"KEY\": 2, \"NAME\": \"" + name + "\", \"VERSION\": 2}{\"KEY\": 7, \"PORT\": "
                + p.voice.getLocalPort() + "}");
        p.session = p.control.await(ControlMessage.Session.class, s -> true);
        p.id = p.session.session();
        p.token = HexFormat.fromHexDigitsToLong(
                p.session.extensions().getString("TOKEN").orElseThrow());
        return p;
    }

    /**
     * Connects with extra SEND_NICKNAME fields (such as {@code "ROOM": "a"}), negotiates TIP/2
     * and waits for SESSION; no HELLO yet.
     */
    static Tip2Peer negotiated(int serverPort, String name, String extraFields) throws IOException {
        Tip2Peer p = new Tip2Peer(serverPort);
        p.control.write("{\"KEY\": 2, \"NAME\": \"" + name + "\", \"VERSION\": 2, " + extraFields
                + "}{\"KEY\": 7, \"PORT\": " + p.voice.getLocalPort() + "}");
        p.session = p.control.await(ControlMessage.Session.class, s -> true);
        p.id = p.session.session();
        p.token = HexFormat.fromHexDigitsToLong(
                p.session.extensions().getString("TOKEN").orElseThrow());
        return p;
    }

    /** Negotiated with extra fields and associated. */
    static Tip2Peer joined(int serverPort, String name, String extraFields) throws IOException {
        Tip2Peer p = negotiated(serverPort, name, extraFields);
        p.helloUntilAcked();
        return p;
    }

    /** Negotiated and associated: HELLO answered by HELLO_ACK. */
    static Tip2Peer joined(int serverPort, String name) throws IOException {
        Tip2Peer p = negotiated(serverPort, name);
        p.helloUntilAcked();
        return p;
    }

    /** Sends HELLO every 200 ms until a HELLO_ACK with the token arrives, as a client does. */
    byte[] helloUntilAcked() throws IOException {
        long deadline = System.nanoTime() + OriginalClient.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            send(control(PayloadType.HELLO, id, token));
            long until = System.nanoTime() + Duration.ofMillis(200).toNanos();
            byte[] got;
            while (System.nanoTime() < until && (got = receive(Duration.ofMillis(50))) != null) {
                VoiceDatagram d = wrap(got);
                if (d.check() == VoiceDatagram.OK && d.payloadType() == PayloadType.HELLO_ACK) {
                    return got;
                }
            }
        }
        throw new AssertionError("no HELLO_ACK within " + OriginalClient.TIMEOUT);
    }

    static byte[] control(int type, int senderId, long token) {
        byte[] b = new byte[VoiceDatagram.HEADER_LENGTH + PayloadType.TOKEN_LENGTH];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(b), 0, b.length)
                .writeHeader(false, type, senderId, 7, 1234)
                .token(token);
        return b;
    }

    static byte[] pcm(int senderId, int sequence, long timestamp, boolean marker, byte[] payload) {
        byte[] b = new byte[VoiceDatagram.HEADER_LENGTH + payload.length];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(b), 0, b.length)
                .writeHeader(marker, PayloadType.PCM, senderId, sequence, timestamp);
        System.arraycopy(payload, 0, b, VoiceDatagram.HEADER_LENGTH, payload.length);
        return b;
    }

    static VoiceDatagram wrap(byte[] datagram) {
        return new VoiceDatagram().wrap(ByteBuffer.wrap(datagram), 0, datagram.length);
    }

    static byte[] payload(byte[] datagram) {
        return Arrays.copyOfRange(datagram, VoiceDatagram.HEADER_LENGTH, datagram.length);
    }

    /** Sends PCM with this peer's id and its next sequence number and timestamp. */
    byte[] sendPcm(byte[] payload) throws IOException {
        byte[] b = pcm(id, sequence, timestamp, sequence == 0, payload);
        sequence = (sequence + 1) & 0xFFFF;
        timestamp += payload.length / 2;
        send(b);
        return b;
    }

    void send(byte[] datagram) throws IOException {
        send(voice, datagram);
    }

    void send(DatagramSocket from, byte[] datagram) throws IOException {
        from.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), serverPort));
    }

    /** Receives one datagram, waiting at most the timeout; null if none came. */
    byte[] receive(Duration timeout) throws IOException {
        return receive(voice, timeout);
    }

    static byte[] receive(DatagramSocket socket, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[4096];
        socket.setSoTimeout(50);
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                return Arrays.copyOf(buf, p.getLength());
            } catch (SocketTimeoutException e) {
                // poll again until the deadline
            }
        }
        return null;
    }

    /** Moves this peer's voice to a new local socket (what a NAT rebinding looks like). */
    DatagramSocket rebind() throws IOException {
        DatagramSocket old = voice;
        voice = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return old;
    }

    InetSocketAddress voiceAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), voice.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        control.close();
        voice.close();
    }
}
