package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.audio.ToneSource;
import dev.tip.core.Dialect;
import dev.tip.core.DialectPreference;
import dev.tip.core.SessionFailedException;
import dev.tip.core.TipClient;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import dev.tip.integration.Tip2TestAudio.RecordingSink;
import dev.tip.server.Participant;
import dev.tip.server.ServerStatistics;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import dev.tip.testing.TcpPump;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Encrypted TIP/2 voice end to end on loopback (docs/protocol.md, "Voice protection"): real
 * {@link TipServer}, real {@link TipClient}s, and a {@link Tap} between one client and the server
 * that sees every byte both ways (an attacker on the same Wi-Fi), replays what it captured from its
 * own socket and from the victim's, and flips or cuts datagrams on the way.
 */
class EncryptedVoiceTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server(boolean requireEncryption) {
        return toClose.add(TipServer.builder()
                .port(0)
                .bindAddress(LOOPBACK)
                .requireEncryption(requireEncryption)
                .build()
                .start());
    }

    private static ToneSource tone(double hz) {
        return new ToneSource(AudioFormat.ORIGINAL, hz, 6000 / 32767.0);
    }

    private TipClient client(int port, String name, double hz, RecordingSink sink, boolean encrypt) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .encryptVoice(encrypt)
                .audioSource(tone(hz))
                .audioSink(sink)
                .build());
    }

    /** A client that sends PCM: one datagram per 25.6 ms frame, whatever the tone (no DTX). */
    private TipClient pcmClient(int port, String name, double hz, RecordingSink sink) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .voiceCodecs(List.of())
                .audioSource(tone(hz))
                .audioSink(sink)
                .build());
    }

    private TipClient original(int port, String name, double hz, RecordingSink sink) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .dialectPreference(DialectPreference.ORIGINAL)
                .audioSource(tone(hz))
                .audioSink(sink)
                .build());
    }

    /** The tones expected stand far above the listener's own and an unrelated frequency. */
    private static void assertHears(String who, RecordingSink sink, double ownHz, double... hz) {
        List<short[]> heard = sink.frames();
        double floor = Math.max(Tip2TestAudio.power(heard, ownHz), Tip2TestAudio.power(heard, 3_607));
        for (double f : hz) {
            assertThat(Tip2TestAudio.power(heard, f))
                    .as("%s hears %s Hz", who, f)
                    .isGreaterThan(50 * floor);
        }
    }

    private static boolean heard(RecordingSink sink, double ownHz, double... hz) {
        List<short[]> heard = sink.frames();
        if (heard.size() < 100) {
            return false;
        }
        double floor = Math.max(Tip2TestAudio.power(heard, ownHz), Tip2TestAudio.power(heard, 3_607));
        for (double f : hz) {
            if (Tip2TestAudio.power(heard, f) <= 50 * floor) {
                return false;
            }
        }
        return true;
    }

    private static boolean sealedVoice(byte[] d) {
        return d.length > 30 && (d[0] & VoiceDatagram.SEALED_BIT) != 0 && PayloadType.isAudio(d[1]);
    }

    private static boolean sealedHello(byte[] d) {
        return d.length == 30 && (d[0] & VoiceDatagram.SEALED_BIT) != 0 && d[1] == PayloadType.HELLO;
    }

    private static InetSocketAddress voiceOf(TipServer server, String name) {
        return server.users().stream()
                .filter(u -> u.name().equals(name))
                .map(Participant::voiceAddress)
                .findFirst()
                .orElse(null);
    }

    @Test
    void twoEncryptingClientsHearEachOtherAndAnObserverLearnsNoSecretAndCannotReplay() throws Exception {
        TipServer server = server(false);
        Tap tap = toClose.add(new Tap(server.tcpPort()));
        RecordingSink annHears = new RecordingSink(200);
        RecordingSink bobHears = new RecordingSink(200);
        TipClient ann = client(tap.port(), "ann", 1013, annHears, true);
        TipClient bob = client(server.tcpPort(), "bob", 1511, bobHears, true);
        ann.connect();
        bob.connect();
        assertThat(ann.dialect()).contains(Dialect.TIP2);
        Await.until("both hear each other", () -> heard(annHears, 1013, 1511) && heard(bobHears, 1511, 1013));
        assertHears("ann", annHears, 1013, 1511);
        assertHears("bob", bobHears, 1511, 1013);

        // what the observer saw on TCP: public keys, no token
        String down = tap.tcpDown();
        assertThat(down).contains("\"KEY_SHARE\": \"").doesNotContain("TOKEN");
        assertThat(tap.tcpUp()).contains("\"KEY_SHARE\": \"");
        // and on UDP: only sealed datagrams, the voice not in clear (a tone's PCM repeats; ciphertext does not)
        assertThat(tap.up).isNotEmpty().allMatch(d -> (d[0] & VoiceDatagram.SEALED_BIT) != 0);
        Await.until(
                "the tap saw voice",
                () -> tap.up.stream().filter(EncryptedVoiceTest::sealedVoice).count() >= 50);

        InetSocketAddress annVoice = voiceOf(server, "ann");
        assertThat(annVoice).isNotNull();
        List<byte[]> hellos =
                tap.up.stream().filter(EncryptedVoiceTest::sealedHello).toList();
        List<byte[]> voice = tap.up.stream()
                .filter(EncryptedVoiceTest::sealedVoice)
                .limit(50)
                .toList();
        assertThat(hellos).isNotEmpty();
        ServerStatistics before = server.statistics();

        // 1. a replay from the observer's own socket: no move, nothing relayed, nothing answered
        try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            InetSocketAddress serverVoice = new InetSocketAddress(LOOPBACK, server.udpPort());
            for (byte[] d : hellos) {
                attacker.send(new DatagramPacket(d, d.length, serverVoice));
            }
            for (byte[] d : voice) {
                attacker.send(new DatagramPacket(d, d.length, serverVoice));
            }
            Await.until(
                    "the server dropped every replay",
                    () -> server.statistics().droppedReplayed() - before.droppedReplayed() >= hellos.size()
                            && server.statistics().droppedWrongAddress() - before.droppedWrongAddress()
                                    >= voice.size());
            // ann's voice still reaches bob after the replays: it was not moved to the attacker
            long bobHad = bob.statistics().framesReceived();
            Await.until("bob still hears ann", () -> bob.statistics().framesReceived() >= bobHad + 40);
            assertThat(voiceOf(server, "ann")).isEqualTo(annVoice);
            attacker.setSoTimeout(1);
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            assertThatThrownBy(() -> attacker.receive(p))
                    .as("the attacker got nothing")
                    .isInstanceOf(SocketTimeoutException.class);
        }

        // 2. a replay from the victim's own address: dropped as replayed, never relayed again
        ServerStatistics mid = server.statistics();
        for (byte[] d : voice) {
            tap.injectUp(d);
        }
        Await.until(
                "replays from ann's address dropped",
                () -> server.statistics().droppedReplayed() - mid.droppedReplayed() >= voice.size());
        assertThat(voiceOf(server, "ann")).isEqualTo(annVoice);
        assertThat(server.statistics().droppedForged()).isZero();
    }

    @Test
    void tamperedAndTruncatedDatagramsAreDroppedAndCountedOnBothEnds() throws Exception {
        TipServer server = server(false);
        Tap tap = toClose.add(new Tap(server.tcpPort()));
        RecordingSink annHears = new RecordingSink(200);
        RecordingSink bobHears = new RecordingSink(200);
        TipClient ann = pcmClient(tap.port(), "ann", 1013, annHears);
        TipClient bob = pcmClient(server.tcpPort(), "bob", 1511, bobHears);
        ann.connect();
        bob.connect();
        Await.until("both hear each other", () -> heard(annHears, 1013, 1511) && heard(bobHears, 1511, 1013));

        // every 5th voice datagram each way: one byte flipped, or cut short by one byte
        AtomicInteger upHurt = new AtomicInteger();
        AtomicInteger downHurt = new AtomicInteger();
        AtomicInteger n = new AtomicInteger();
        tap.upFilter = d -> hurt(d, n.incrementAndGet(), upHurt);
        tap.downFilter = d -> hurt(d, n.incrementAndGet(), downHurt);
        long rejectedBefore = ann.statistics().datagramsRejected();
        Await.until("40 hurt each way", () -> upHurt.get() >= 40 && downHurt.get() >= 40);
        tap.upFilter = UnaryOperator.identity();
        tap.downFilter = UnaryOperator.identity();
        // a datagram or two each way after the reset: no filter call is still under way
        long upSeen = tap.upCount.get();
        long downSeen = tap.downCount.get();
        Await.until("unhurt traffic", () -> tap.upCount.get() > upSeen + 2 && tap.downCount.get() > downSeen + 2);
        int up = upHurt.get();
        int down = downHurt.get();
        Await.until("the server dropped all it got", () -> server.statistics().droppedForged() >= up);
        Await.until("ann rejected all she got", () -> ann.statistics().datagramsRejected() - rejectedBefore >= down);
        assertThat(server.statistics().droppedForged()).isEqualTo(up);
        assertThat(ann.statistics().datagramsRejected() - rejectedBefore).isEqualTo(down);
        assertThat(server.statistics().droppedReplayed()).isZero();
        // nothing hurt was relayed or played: both still hear the tones clean
        Await.until("still hear each other", () -> heard(annHears, 1013, 1511) && heard(bobHears, 1511, 1013));
    }

    private static byte[] hurt(byte[] d, int i, AtomicInteger count) {
        if (!sealedVoice(d) || i % 5 != 0) {
            return d;
        }
        count.incrementAndGet();
        if (i % 10 == 0) {
            return Arrays.copyOf(d, d.length - 1);
        }
        byte[] t = d.clone();
        t[14 + (i % (d.length - 14))] ^= 0x40;
        return t;
    }

    @Test
    void anEncryptingAPlaintextTip2AndAnOriginalClientShareARoom() {
        TipServer server = server(false);
        int port = server.tcpPort();
        RecordingSink annHears = new RecordingSink(200);
        RecordingSink bobHears = new RecordingSink(200);
        RecordingSink cyHears = new RecordingSink(200);
        TipClient ann = client(port, "ann", 1013, annHears, true);
        TipClient bob = client(port, "bob", 1511, bobHears, false);
        TipClient cy = original(port, "cy", 2003, cyHears);
        ann.connect();
        bob.connect();
        cy.connect();
        assertThat(bob.dialect()).contains(Dialect.TIP2);
        assertThat(cy.dialect()).contains(Dialect.ORIGINAL);
        Await.until(
                "everyone hears the others",
                () -> heard(annHears, 1013, 1511, 2003)
                        && heard(bobHears, 1511, 1013, 2003)
                        && heard(cyHears, 2003, 1013, 1511));
        assertHears("ann", annHears, 1013, 1511, 2003);
        assertHears("bob", bobHears, 1511, 1013, 2003);
        assertHears("cy", cyHears, 2003, 1013, 1511);
        assertThat(server.statistics().droppedForged()).isZero();
    }

    @Test
    void requireEncryptionRefusesPlaintextAndOriginalClientsWithAReason() {
        TipServer server = server(true);
        int port = server.tcpPort();
        TipClient bob = client(port, "bob", 1511, new RecordingSink(10), false);
        assertThatThrownBy(bob::connect)
                .isInstanceOf(SessionFailedException.class)
                .hasMessageContaining("requires encrypted voice");
        TipClient cy = original(port, "cy", 2003, new RecordingSink(10));
        assertThatThrownBy(cy::connect)
                .isInstanceOf(SessionFailedException.class)
                .hasMessageContaining("requires encrypted voice");
        RecordingSink annHears = new RecordingSink(10);
        TipClient ann = client(port, "ann", 1013, annHears, true);
        ann.connect();
        assertThat(ann.dialect()).contains(Dialect.TIP2);
        assertThat(server.users()).extracting(Participant::name).containsExactly("ann");
    }

    /**
     * A proxy on loopback that records every byte between its clients and a server: TCP passed
     * through (recorded both ways), UDP through one upstream socket per client (so the server
     * sees one address per client), recorded and passed through a filter each way.
     */
    static final class Tap implements AutoCloseable {
        private final int serverPort;
        private final ServerSocket tcp;
        private final DatagramSocket udp;
        private final Map<SocketAddress, DatagramSocket> legs = new ConcurrentHashMap<>();
        private final List<java.io.Closeable> closeables = new CopyOnWriteArrayList<>();
        private final ByteArrayOutputStream tcpUp = new ByteArrayOutputStream();
        private final ByteArrayOutputStream tcpDown = new ByteArrayOutputStream();
        /** Datagrams from the clients, as received. */
        final List<byte[]> up = new CopyOnWriteArrayList<>();
        /** Datagrams passed each way. */
        final java.util.concurrent.atomic.AtomicLong upCount = new java.util.concurrent.atomic.AtomicLong();

        final java.util.concurrent.atomic.AtomicLong downCount = new java.util.concurrent.atomic.AtomicLong();

        volatile UnaryOperator<byte[]> upFilter = UnaryOperator.identity();
        volatile UnaryOperator<byte[]> downFilter = UnaryOperator.identity();
        private volatile boolean closed;

        Tap(int serverPort) throws IOException {
            this.serverPort = serverPort;
            ServerSocket t = null;
            DatagramSocket u = null;
            for (int attempt = 0; attempt < 100 && u == null; attempt++) {
                t = new ServerSocket(0, 50, LOOPBACK);
                try {
                    u = new DatagramSocket(new InetSocketAddress(LOOPBACK, t.getLocalPort()));
                } catch (SocketException e) {
                    t.close();
                }
            }
            if (u == null) {
                throw new IOException("no loopback port free for both TCP and UDP");
            }
            tcp = t;
            udp = u;
            closeables.add(tcp);
            closeables.add(udp);
            daemon(this::accept);
            daemon(this::fromClients);
        }

        int port() {
            return tcp.getLocalPort();
        }

        String tcpUp() {
            synchronized (tcpUp) {
                return tcpUp.toString(StandardCharsets.UTF_8);
            }
        }

        String tcpDown() {
            synchronized (tcpDown) {
                return tcpDown.toString(StandardCharsets.UTF_8);
            }
        }

        /** Sends {@code d} to the server from the (only) client's upstream socket: its address. */
        void injectUp(byte[] d) throws IOException {
            DatagramSocket leg = legs.values().iterator().next();
            leg.send(new DatagramPacket(d, d.length, new InetSocketAddress(LOOPBACK, serverPort)));
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "tap");
            t.setDaemon(true);
            t.start();
        }

        private void accept() {
            try {
                while (!closed) {
                    Socket client = tcp.accept();
                    Socket server = new Socket(LOOPBACK, serverPort);
                    closeables.add(client);
                    closeables.add(server);
                    daemon(() -> TcpPump.copy(client, server, tcpUp));
                    daemon(() -> TcpPump.copy(server, client, tcpDown));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void fromClients() {
            byte[] buf = new byte[4096];
            InetSocketAddress server = new InetSocketAddress(LOOPBACK, serverPort);
            try {
                while (!closed) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    byte[] d = Arrays.copyOf(p.getData(), p.getLength());
                    SocketAddress client = p.getSocketAddress();
                    DatagramSocket leg = legs.computeIfAbsent(client, this::leg);
                    if (leg == null) {
                        continue;
                    }
                    if (d.length != 1024 || d[0] != 'a') {
                        up.add(d);
                    }
                    byte[] out = upFilter.apply(d);
                    upCount.incrementAndGet();
                    leg.send(new DatagramPacket(out, out.length, server));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private DatagramSocket leg(SocketAddress client) {
            try {
                DatagramSocket leg = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                closeables.add(leg);
                daemon(() -> {
                    byte[] buf = new byte[4096];
                    try {
                        while (!closed) {
                            DatagramPacket p = new DatagramPacket(buf, buf.length);
                            leg.receive(p);
                            byte[] out = downFilter.apply(Arrays.copyOf(p.getData(), p.getLength()));
                            downCount.incrementAndGet();
                            udp.send(new DatagramPacket(out, out.length, client));
                        }
                    } catch (IOException e) {
                        // closed
                    }
                });
                return leg;
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            for (java.io.Closeable c : closeables) {
                c.close();
            }
        }
    }
}
