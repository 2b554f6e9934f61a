package dev.tip.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.TipClock;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server side of TIP/2: negotiation, voice association, per-recipient framing. */
class Tip2ServerTest {

    private static final Duration SHORT = Duration.ofMillis(300);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private final ServerListener recorder = new ServerListener() {
        @Override
        public void voiceAddressRegistered(Participant user, InetSocketAddress voiceAddress) {
            events.add("voice " + user.id() + " " + voiceAddress.getPort());
        }
    };

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private TipServer start(Consumer<TipServer.Builder> config) {
        TipServer.Builder b = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .listener(recorder);
        config.accept(b);
        TipServer server = b.build().start();
        toClose.add(server);
        return server;
    }

    private TipServer start() {
        return start(b -> {});
    }

    private Tip2Peer tip2(TipServer server, String name) throws IOException {
        Tip2Peer p = Tip2Peer.joined(server.tcpPort(), name);
        toClose.add(p);
        return p;
    }

    private OriginalClient original(TipServer server, String name) throws IOException {
        OriginalClient c = OriginalClient.joined(server.tcpPort(), name);
        toClose.add(c);
        return c;
    }

    private static void await(String what, BooleanSupplier condition, TipServer server) {
        try {
            await(what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + server.statistics(), e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + OriginalClient.TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            OriginalClient.pause();
        }
    }

    private static byte[] pcm(int fill) {
        byte[] b = new byte[1024];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    /** Reads exactly {@code n} bytes of the control stream, waiting at most the test timeout. */
    private static String readExactly(Socket s, int n) throws IOException {
        s.setSoTimeout((int) OriginalClient.TIMEOUT.toMillis());
        InputStream in = s.getInputStream();
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Receives datagrams until one matches; fails after the timeout. */
    private static byte[] receiveMatching(DatagramSocket socket, Predicate<byte[]> match) throws IOException {
        long deadline = System.nanoTime() + OriginalClient.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] got = Tip2Peer.receive(socket, Duration.ofMillis(200));
            if (got != null && match.test(got)) {
                return got;
            }
        }
        throw new AssertionError("no matching datagram within " + OriginalClient.TIMEOUT);
    }

    /** True for a TIP/2 PCM datagram (a stray HELLO_ACK for a repeated HELLO is not voice). */
    private static boolean isPcm(byte[] datagram) {
        VoiceDatagram d = Tip2Peer.wrap(datagram);
        return d.check() == VoiceDatagram.OK && d.payloadType() == PayloadType.PCM;
    }

    /** Listens for a short while and fails if any voice arrives. */
    private static void assertNoVoice(DatagramSocket socket, boolean tip2) throws IOException {
        long deadline = System.nanoTime() + SHORT.toNanos();
        byte[] got;
        while (System.nanoTime() < deadline && (got = Tip2Peer.receive(socket, SHORT)) != null) {
            assertThat(tip2 && !isPcm(got))
                    .as("only a stray HELLO_ACK may arrive, not voice")
                    .isTrue();
        }
    }

    // ---------------------------------------------------------------- negotiation

    @Test
    void anOriginalClientGetsByteIdenticalOriginalMessagesEvenWhenATip2ClientJoins() throws IOException {
        TipServer server = start();
        try (Socket ann = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            ann.getOutputStream()
                    .write("{\"KEY\": 2, \"NAME\": \"Ann\"}{\"KEY\": 7, \"PORT\": 5253}"
                            .getBytes(StandardCharsets.US_ASCII));
            String first = "{\"KEY\": 3, \"USERS\": [\"Ann\"]}{\"KEY\": 6, \"SESSION\": 0}";
            assertThat(readExactly(ann, first.length())).isEqualTo(first);

            Tip2Peer bob = tip2(server, "Bob");
            String second = "{\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\"]}";
            assertThat(readExactly(ann, second.length())).isEqualTo(second);
            assertThat(bob.id).isEqualTo(1);
            assertThat(ann.getInputStream().available())
                    .as("nothing more for Ann")
                    .isZero();
        }
    }

    @Test
    void aTip2ClientGetsVersionTokenRateFrameInSessionAndIdsWithEveryRoster() throws IOException {
        TipServer server = start();
        original(server, "Ann");
        try (Socket bob = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            bob.getOutputStream()
                    .write("{\"KEY\": 2, \"NAME\": \"Bob\", \"VERSION\": 2}{\"KEY\": 7, \"PORT\": 5253}"
                            .getBytes(StandardCharsets.US_ASCII));
            String roster = "{\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\"], \"IDS\": [0, 1]}";
            String session =
                    "{\"KEY\": 6, \"SESSION\": 1, \"VERSION\": 2, \"TOKEN\": \"0123456789abcdef\", \"RATE\": 20000, \"FRAME\": 512}";
            String got = readExactly(bob, roster.length() + session.length());
            assertThat(got).startsWith(roster);
            assertThat(got.substring(roster.length()))
                    .matches(
                            "\\{\"KEY\": 6, \"SESSION\": 1, \"VERSION\": 2, \"TOKEN\": \"[0-9a-f]{16}\", \"RATE\": 20000, \"FRAME\": 512\\}");

            Tip2Peer cid = tip2(server, "Cid");
            String third = "{\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\", \"Cid\"], \"IDS\": [0, 1, 2]}";
            assertThat(readExactly(bob, third.length())).isEqualTo(third);
            ControlMessage.SendNewUsers cidRoster = cid.control.awaitRoster(List.of("Ann", "Bob", "Cid"));
            assertThat(cidRoster.extensions().get("IDS"))
                    .contains(new JsonValue.Arr(List.of(JsonValue.of(0), JsonValue.of(1), JsonValue.of(2))));
            assertThat(cid.session.extensions().getLong("RATE")).hasValue(20000);
            assertThat(cid.session.extensions().getLong("FRAME")).hasValue(512);
        }
    }

    // ---------------------------------------------------------------- association

    @Test
    void helloWithTheRightTokenIsAnsweredAndTeachesTheVoiceAddressNotClientPort() throws IOException {
        TipServer server = start();
        Tip2Peer ann = Tip2Peer.negotiated(server.tcpPort(), "Ann");
        toClose.add(ann);
        // CLIENT_PORT came with the nickname and was read before SESSION: recorded, not used
        assertThat(server.users().get(0).voiceAddress()).isNull();

        byte[] ack = ann.helloUntilAcked();
        VoiceDatagram d = Tip2Peer.wrap(ack);
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        assertThat(d.payloadType()).isEqualTo(PayloadType.HELLO_ACK);
        assertThat(d.senderId()).isEqualTo(ann.id);
        assertThat(d.token()).isEqualTo(ann.token);
        await("voice address", () -> ann.voiceAddress()
                .equals(server.users().get(0).voiceAddress()));
        await("event", () -> events.contains("voice 0 " + ann.voice.getLocalPort()));
        assertThat(server.statistics().voiceAddressesLearned()).isEqualTo(1);
        assertThat(server.statistics().helloAcksSent()).isPositive();
    }

    @Test
    void wrongTokenWrongSessionAndWrongAddressAreDroppedCountedAndNeverRelayed() throws IOException {
        TipServer server = start();
        OriginalClient orig = original(server, "Orig");
        Tip2Peer ann = tip2(server, "Ann");
        Tip2Peer bob = tip2(server, "Bob");
        int origId = orig.awaitSession();
        // voice flows both ways first, so that later silence means "dropped"
        ann.sendPcm(pcm(1));
        receiveMatching(bob.voice, got -> Arrays.equals(Tip2Peer.payload(got), pcm(1)));
        receiveMatching(orig.udp, got -> Arrays.equals(got, pcm(1)));
        long relayed = server.statistics().datagramsRelayed();

        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            ann.send(Tip2Peer.control(PayloadType.HELLO, ann.id, ann.token + 1));
            ann.send(stranger, Tip2Peer.control(PayloadType.KEEPALIVE, ann.id, ~ann.token));
            await("bad tokens", () -> server.statistics().droppedBadToken() == 2);
            ann.send(stranger, Tip2Peer.control(PayloadType.HELLO, 999, ann.token));
            ann.send(stranger, Tip2Peer.control(PayloadType.HELLO, origId, ann.token));
            ann.send(Tip2Peer.pcm(bob.id, 50, 9000, false, pcm(66)));
            await("wrong sessions", () -> server.statistics().droppedWrongSession() == 3);
            ann.send(stranger, Tip2Peer.pcm(ann.id, 51, 9512, false, pcm(67)));
            await("wrong address", () -> server.statistics().droppedWrongAddress() == 1);
            ann.send(Tip2Peer.control(PayloadType.HELLO_ACK, ann.id, ann.token));
            await("malformed", () -> server.statistics().droppedMalformed() == 1);
        }
        assertNoVoice(bob.voice, true);
        assertNoVoice(orig.udp, false);
        ServerStatistics stats = server.statistics();
        assertThat(stats.datagramsRelayed()).isEqualTo(relayed);
        assertThat(stats.voiceAddressesLearned()).isEqualTo(2);
        assertThat(server.users())
                .filteredOn(u -> u.id() == ann.id)
                .extracting(Participant::voiceAddress)
                .containsExactly(ann.voiceAddress());

        // the next datagram each hears is the legitimate one
        ann.sendPcm(pcm(2));
        assertThat(Tip2Peer.payload(receiveMatching(bob.voice, Tip2ServerTest::isPcm)))
                .isEqualTo(pcm(2));
        assertThat(receiveMatching(orig.udp, got -> true)).isEqualTo(pcm(2));
    }

    @Test
    void helloOrKeepaliveWithTheRightTokenFromANewAddressMovesTheBinding() throws IOException {
        TipServer server = start();
        Tip2Peer ann = tip2(server, "Ann");
        Tip2Peer bob = tip2(server, "Bob");
        int firstPort = ann.voice.getLocalPort();
        await("first binding", () -> events.contains("voice 0 " + firstPort));

        DatagramSocket old = ann.rebind();
        toClose.add(old);
        ann.send(Tip2Peer.control(PayloadType.KEEPALIVE, ann.id, ann.token));
        await("moved", () -> ann.voiceAddress().equals(server.users().get(0).voiceAddress()));
        await("event again", () -> events.contains("voice 0 " + ann.voice.getLocalPort()));
        assertThat(server.statistics().voiceAddressesLearned()).isEqualTo(3);

        // voice now flows from and to the new address only
        byte[] sent = ann.sendPcm(pcm(5));
        assertThat(receiveMatching(bob.voice, Tip2ServerTest::isPcm)).isEqualTo(sent);
        byte[] fromBob = bob.sendPcm(pcm(6));
        assertThat(receiveMatching(ann.voice, Tip2ServerTest::isPcm)).isEqualTo(fromBob);
        ann.send(old, Tip2Peer.pcm(ann.id, 99, 0, false, pcm(7)));
        await("old address refused", () -> server.statistics().droppedWrongAddress() == 1, server);
        assertNoVoice(old, true);

        // and HELLO moves it back, answered at the address it came from
        DatagramSocket second = ann.voice;
        ann.voice = old;
        toClose.add(second);
        ann.helloUntilAcked();
        await(
                "moved back",
                () -> events.contains("voice 0 " + firstPort)
                        && server.users().get(0).voiceAddress().getPort() == firstPort);
    }

    // ---------------------------------------------------------------- mixed room

    @Test
    void inAMixedRoomOriginalPeersGetRawPcmAndTip2PeersGetHeadersTheServerAdds() throws IOException {
        VirtualClock clock = new VirtualClock();
        TipServer server = start(b -> b.clock(clock));
        OriginalClient orig = original(server, "Orig");
        int origId = orig.awaitSession();
        Tip2Peer ann = tip2(server, "Ann");
        Tip2Peer bob = tip2(server, "Bob");
        await("original registered", () -> server.users().get(0).voiceAddress() != null);

        // TIP/2 -> original: exactly the PCM payload; TIP/2 -> TIP/2: unchanged
        byte[] fromAnn = ann.sendPcm(pcm(11));
        assertThat(receiveMatching(orig.udp, got -> true)).isEqualTo(pcm(11));
        assertThat(receiveMatching(bob.voice, Tip2ServerTest::isPcm)).isEqualTo(fromAnn);

        // original -> TIP/2: a header with the original's id, +1 sequence, +512 timestamp
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] p = pcm(20 + i);
            sent.add(p);
            orig.sendVoice(p);
            for (Tip2Peer listener : List.of(ann, bob)) {
                byte[] got = receiveMatching(listener.voice, Tip2ServerTest::isPcm);
                VoiceDatagram d = Tip2Peer.wrap(got);
                assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
                assertThat(d.payloadType()).isEqualTo(PayloadType.PCM);
                assertThat(d.senderId()).isEqualTo(origId);
                assertThat(d.sequence()).isEqualTo(i);
                assertThat(d.timestamp()).isEqualTo(512L * i);
                assertThat(d.marker()).as("marker on datagram " + i).isEqualTo(i == 0);
                assertThat(Tip2Peer.payload(got)).isEqualTo(p);
            }
        }
        // after 200 ms of silence (virtual time), the next datagram starts a talk spurt
        clock.advance(Duration.ofMillis(200));
        orig.sendVoice(pcm(40));
        VoiceDatagram d = Tip2Peer.wrap(receiveMatching(ann.voice, Tip2ServerTest::isPcm));
        assertThat(d.marker()).isTrue();
        assertThat(d.sequence()).isEqualTo(5);
        assertThat(d.timestamp()).isEqualTo(512L * 5);
        // and the original hears the other TIP/2 peer too, header stripped
        bob.sendPcm(pcm(12));
        assertThat(receiveMatching(orig.udp, got -> true)).isEqualTo(pcm(12));
        // the greeting was never relayed to anyone
        await("greeting dropped", () -> server.statistics().droppedProbe() == 1);
    }

    @Test
    void theRelayAllocatesNothingPerDatagramWithTip2AndOriginalSenders() throws IOException {
        TipServer server = start(b -> b.mixOriginalListeners(true));
        assertThat(server.statistics().relayAllocatedBytes())
                .as("allocation counter available")
                .isNotNegative();
        OriginalClient orig = original(server, "Orig");
        Tip2Peer ann = tip2(server, "Ann");
        Tip2Peer bob = tip2(server, "Bob");
        await("original registered", () -> server.users().get(0).voiceAddress() != null);
        // drain every receiver on its own thread, so no socket buffer fills up
        List<Thread> drains = new ArrayList<>();
        for (DatagramSocket s : List.of(orig.udp, ann.voice, bob.voice)) {
            Thread t = new Thread(
                    () -> {
                        while (!s.isClosed()) {
                            try {
                                Tip2Peer.receive(s, Duration.ofMillis(100));
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "drain");
            t.setDaemon(true);
            t.start();
            drains.add(t);
        }
        int warmup = sendRounds(server, orig, ann, bob, 1000);
        // a per-datagram allocation would show in every round; the JIT's one-time work (on the
        // batched path of Java 22+, which makes far fewer calls per datagram, methods get hot and
        // method handles customized later) in some: the cheapest of up to 10 rounds is measured
        long allocated = Long.MAX_VALUE;
        int measured = 0;
        for (int i = 0; i < 10 && allocated >= warmup; i++) {
            long before = server.statistics().relayAllocatedBytes();
            long receivedBefore = server.statistics().datagramsReceived();
            measured = sendRounds(server, orig, ann, bob, 1000);
            allocated = Math.min(allocated, server.statistics().relayAllocatedBytes() - before);
            assertThat(server.statistics().datagramsReceived() - receivedBefore).isEqualTo(measured);
        }
        assertThat(warmup).isEqualTo(measured);
        // any per-datagram allocation would be at least 16 bytes for each of the 3000 datagrams;
        // the allowance covers the rare few hundred bytes a JIT or selector transition costs
        assertThat(allocated)
                .as("bytes allocated by the relay thread over %d datagrams", measured)
                .isLessThan(measured);
        assertThat(server.statistics().droppedMalformed()
                        + server.statistics().droppedWrongAddress()
                        + server.statistics().droppedWrongSession())
                .isZero();

        // the original listener's mix, at its own pace: two TIP/2 speakers at once, in real time
        paced(ann, bob, 20);
        long mixBefore = server.statistics().relayAllocatedBytes();
        long mixedBefore = server.statistics().mixedFramesSent();
        paced(ann, bob, 80);
        long mixAllocated = server.statistics().relayAllocatedBytes() - mixBefore;
        long mixed = server.statistics().mixedFramesSent() - mixedBefore;
        assertThat(mixed).as("mixed frames sent in 80 periods").isGreaterThanOrEqualTo(40);
        // any per-frame allocation would be at least 16 bytes for each mixed frame
        assertThat(mixAllocated)
                .as("bytes allocated by the relay thread over %d mixed frames", mixed)
                .isLessThan(16 * mixed);
    }

    /** Ann and Bob each send {@code frames} frames, one per 25.6 ms, as real clients do. */
    private static void paced(Tip2Peer ann, Tip2Peer bob, int frames) throws IOException {
        byte[] payload = pcm(4);
        long next = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            ann.sendPcm(payload);
            bob.sendPcm(payload);
            next += 25_600_000L;
            LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    /** Each peer sends {@code rounds} datagrams in batches; waits until the server read them all. */
    private static int sendRounds(TipServer server, OriginalClient orig, Tip2Peer ann, Tip2Peer bob, int rounds)
            throws IOException {
        byte[] payload = pcm(3);
        int sent = 0;
        for (int batch = 0; batch < rounds; batch += 20) {
            long target = server.statistics().datagramsReceived() + 60;
            for (int i = 0; i < 20; i++) {
                orig.sendVoice(payload);
                ann.sendPcm(payload);
                bob.sendPcm(payload);
            }
            sent += 60;
            await("batch received", () -> server.statistics().datagramsReceived() >= target);
        }
        return sent;
    }

    /** A clock that moves only when told, so silence can be made without waiting. */
    private static final class VirtualClock implements TipClock {
        private volatile long nanos = 1_000_000_000_000L;

        void advance(Duration d) {
            nanos += d.toNanos();
        }

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public void sleepUntil(long deadline) {
            throw new UnsupportedOperationException("the server never waits on its clock");
        }
    }
}
