package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tip.server.TipServer;
import dev.tip.testing.RawPeer;
import dev.tip.testing.Talker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One joined member tries to take the room down, as an attacker would, against a {@code TipServer}
 * with its defaults. Two witnesses talk and listen throughout (a talker at the original client's
 * pace, a listener that counts its frames); each attack must leave them hearing each other (loss at
 * most 1%), and a newcomer must still join and hear the talker afterwards.
 *
 * <p>Every attack is bounded in count and time and talks only to loopback.
 */
class HostileMemberTest {

    private static final int TALKER = 1;
    private static final int ATTACKER = 3;
    private static final long ATTACK_NANOS = 2_000_000_000L;

    private TipServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getByName("127.0.0.1"))
                .jmx(false)
                // the witnesses' marked frames are counted one by one: a mix would sum them (it has its own tests)
                .mixOriginalListeners(false)
                .build()
                .start();
    }

    /** Replaces the default server with one built with {@code limits}. */
    private void restart(UnaryOperator<TipServer.Builder> limits) throws IOException {
        server.close();
        server = limits.apply(TipServer.builder()
                        .port(0)
                        .bindAddress(InetAddress.getByName("127.0.0.1"))
                        .jmx(false)
                        .mixOriginalListeners(false))
                .build()
                .start();
    }

    /** A TCP connection from {@code local} that sends nothing. */
    private Socket idleFrom(InetAddress local) throws IOException {
        Socket idle = closeLater(new Socket());
        idle.bind(new InetSocketAddress(local, 0));
        idle.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.tcpPort()), 10_000);
        idle.setSoTimeout(30_000);
        return idle;
    }

    /** Everything the server sends on {@code s} until it closes it. */
    private static String readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            all.write(buf, 0, n);
        }
        return all.toString(StandardCharsets.US_ASCII);
    }

    /** True if the server has closed {@code s} (or sent something), without waiting long. */
    private static boolean closedSoon(Socket s) throws IOException {
        s.setSoTimeout(200);
        try {
            s.getInputStream().read(); // a byte or the end: either way the server acted
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } finally {
            s.setSoTimeout(30_000);
        }
    }

    /** What the server logs (slf4j-simple writes to System.err), while {@code run} runs. */
    private static String logOf(ThrowingRunnable run) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private RawPeer join(String name) throws IOException {
        return closeLater(RawPeer.joined(server.tcpPort(), name));
    }

    private Talker talk(RawPeer peer, int mark) {
        return closeLater(new Talker(peer, mark));
    }

    /** Waits for a listener to have every frame the talker sent, then checks loss is at most 1%. */
    private static void assertHeardAlmostAll(RawPeer listener, int mark, int sent) {
        waitUntil(() -> listener.heardFrom(mark) >= sent, 3_000);
        assertThat(listener.heardFrom(mark))
                .as("frames of witness %d heard, of %d sent", mark, sent)
                .isGreaterThanOrEqualTo((int) Math.ceil(sent * 0.99));
    }

    /** Waits for a condition, at most the given time; returns whether it came (no assertion). */
    private static boolean waitUntil(BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** A newcomer joins after the attack, sees itself in the roster and hears the talker. */
    private void newcomerJoinsAndHears(String name) throws IOException {
        RawPeer newcomer = join(name);
        RawPeer.await(() -> newcomer.controlText().contains("\"" + name + "\""), "the newcomer in its roster");
        int before = newcomer.heardFrom(TALKER);
        RawPeer.await(() -> newcomer.heardFrom(TALKER) >= before + 10, "the newcomer hearing the talker");
    }

    /**
     * Runs an attack on its own thread for at most {@link #ATTACK_NANOS}; an attack still running then
     * (blocked on a write that the server no longer reads) is ended by closing the attacker.
     */
    private static void attackFor(RawPeer attacker, ThrowingRunnable attack) throws Exception {
        Thread t = new Thread(
                () -> {
                    try {
                        attack.run();
                    } catch (Exception e) {
                        // the server may disconnect an attacker: that is one right answer
                    }
                },
                "attacker");
        t.setDaemon(true);
        t.start();
        t.join(ATTACK_NANOS / 1_000_000L);
        if (t.isAlive()) {
            attacker.close();
            t.join(10_000);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void clientPortChurnNeitherSilencesTheRoomNorLeaksDescriptors() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "counts descriptors through /proc (Linux)");
        RawPeer talkerPeer = join("talker");
        RawPeer listener = join("listener");
        RawPeer attacker = join("churner");
        DatagramSocket a = closeLater(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        DatagramSocket b = closeLater(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        Talker talker = talk(talkerPeer, TALKER);
        RawPeer.await(() -> listener.heardFrom(TALKER) > 5, "the listener hearing the talker");
        long descriptorsBefore = openDescriptors();

        String pair =
                "{\"KEY\": 7, \"PORT\": " + a.getLocalPort() + "}{\"KEY\": 7, \"PORT\": " + b.getLocalPort() + "}";
        byte[] batch = pair.repeat(256).getBytes(StandardCharsets.US_ASCII);
        long end = System.nanoTime() + ATTACK_NANOS;
        attackFor(attacker, () -> {
            OutputStream out = attacker.tcp.getOutputStream();
            for (int i = 0; i < 2_000 && System.nanoTime() < end; i++) { // at most 1 024 000 messages
                out.write(batch);
            }
            out.flush();
        });

        newcomerJoinsAndHears("newcomer");
        // a few more seconds of talk after the attack: the room must not stay silent
        int target = talker.sent() + 80;
        RawPeer.await(() -> talker.sent() >= target, "two more seconds of talk");
        assertHeardAlmostAll(listener, TALKER, talker.stop());
        assertThat(waitUntil(() -> openDescriptorsUnchecked() <= descriptorsBefore + 16, 10_000))
                .as(
                        "descriptors released (before the attack %d, now %d)",
                        descriptorsBefore, openDescriptorsUnchecked())
                .isTrue();
    }

    private static long openDescriptorsUnchecked() {
        try {
            return openDescriptors();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void renamesAreNeitherAmplifiedNorCostHonestMembersTheirSeat() throws Exception {
        List<RawPeer> witnesses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            witnesses.add(join("witness" + i));
        }
        RawPeer attacker = join("renamer");
        RawPeer last = witnesses.get(witnesses.size() - 1);
        RawPeer.await(() -> last.controlText().contains("\"renamer\""), "the renamer in the rosters");
        Talker talker = talk(witnesses.get(0), TALKER);
        long deliveredBefore =
                witnesses.stream().mapToLong(w -> w.controlBytes.get()).sum();

        StringBuilder renames = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            renames.append("{\"KEY\": 2, \"NAME\": \"renamer\"}"); // to the same name: nothing to tell
        }
        for (int i = 0; i < 2_000; i++) {
            renames.append("{\"KEY\": 2, \"NAME\": \"r").append(i).append("\"}");
        }
        renames.append("{\"KEY\": 4, \"REASON\": \"Quit\"}"); // its leave tells when all was read
        byte[] attack = renames.toString().getBytes(StandardCharsets.US_ASCII);
        attackFor(attacker, () -> {
            OutputStream out = attacker.tcp.getOutputStream();
            out.write(attack);
            out.flush();
        });

        RawPeer.await(() -> server.users().size() == witnesses.size(), "the renamer gone");
        // once every witness has the newcomer's roster, it has everything the attack caused before it
        RawPeer newcomer = join("newcomer");
        for (RawPeer w : witnesses) {
            RawPeer.await(() -> w.controlText().contains("\"newcomer\""), "the newcomer in every roster");
        }
        long delivered = witnesses.stream().mapToLong(w -> w.controlBytes.get()).sum() - deliveredBefore;
        assertThat(delivered)
                .as("control bytes delivered to 20 witnesses for %d bytes of renames", attack.length)
                .isLessThanOrEqualTo(2L * attack.length);
        assertThat(witnesses).noneMatch(RawPeer::closedByServer);
        assertThat(newcomer.closedByServer()).isFalse();
        RawPeer listener = witnesses.get(1);
        assertHeardAlmostAll(listener, TALKER, talker.stop());
    }

    @Test
    void aClientPortThatAnotherMemberHoldsNeverMovesThatMembersVoice() throws Exception {
        RawPeer victim = join("victim");
        RawPeer witness = join("witness");
        RawPeer thief = join("thief");
        Talker victimTalks = talk(victim, 1);
        Talker witnessTalks = talk(witness, 2);
        RawPeer.await(() -> witness.heardFrom(1) > 5 && victim.heardFrom(2) > 5, "the two hearing each other");

        thief.write("{\"KEY\": 7, \"PORT\": " + victim.udp.getLocalPort() + "}");
        thief.write("{\"KEY\": 7, \"PORT\": " + thief.udp.getLocalPort() + "}");

        int target = victimTalks.sent() + 80;
        RawPeer.await(() -> victimTalks.sent() >= target, "two seconds of talk after the theft");
        assertHeardAlmostAll(witness, 1, victimTalks.stop());
        assertHeardAlmostAll(victim, 2, witnessTalks.stop());
    }

    @Test
    void aClientPortOfTheServerItselfNeverLoopsVoiceBackIntoTheRelay() throws Exception {
        RawPeer talkerPeer = join("talker");
        RawPeer listener = join("listener");
        RawPeer attacker = join("looper");
        attacker.write("{\"KEY\": 7, \"PORT\": " + server.udpPort() + "}");
        Talker talker = talk(talkerPeer, TALKER);
        RawPeer.await(() -> talker.sent() >= 80, "two seconds of talk");
        int sent = talker.stop();
        assertHeardAlmostAll(listener, TALKER, sent);
        // the talker's frames and each client's greeting, nothing that the relay sent to itself
        assertThat(server.statistics().datagramsReceived()).isLessThanOrEqualTo(sent + 3L);
    }

    @Test
    void aMembersUdpFloodIsLimitedAtTheRelayAndCostsTheWitnessesNothing() throws Exception {
        RawPeer talkerPeer = join("talker");
        RawPeer listener = join("listener");
        RawPeer flooder = join("flooder");
        Talker talker = talk(talkerPeer, TALKER);
        RawPeer.await(() -> listener.heardFrom(TALKER) > 5, "the listener hearing the talker");

        long end = System.nanoTime() + ATTACK_NANOS;
        int[] flooded = new int[1];
        attackFor(flooder, () -> {
            byte[] frame = new byte[RawPeer.FRAME_BYTES];
            for (int i = 0; i < 50_000 && System.nanoTime() < end; i++) {
                flooder.sendMarked(ATTACKER, i, frame);
                flooded[0] = i + 1;
            }
        });

        int target = talker.sent() + 40;
        RawPeer.await(() -> talker.sent() >= target, "a second more of talk");
        assertHeardAlmostAll(listener, TALKER, talker.stop());
        // at most a few times the frame rate (39/s) over the attack, plus a burst
        assertThat(listener.heardFrom(ATTACKER))
                .as("flooded frames relayed to the listener, of %d sent", flooded[0])
                .isLessThanOrEqualTo(1_000);
    }

    @Test
    void connectionsThatNeverSendANicknameDoNotLockOutNewcomers() throws Exception {
        RawPeer talkerPeer = join("talker");
        Talker talker = talk(talkerPeer, TALKER);
        InetAddress elsewhere = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 400; i++) {
            Socket idle = closeLater(new Socket());
            idle.bind(new InetSocketAddress(elsewhere, 0));
            idle.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.tcpPort()), 10_000);
        }
        for (int i = 0; i < 5; i++) {
            RawPeer newcomer = closeLater(new RawPeer(server.tcpPort()));
            newcomer.join("newcomer" + i);
            RawPeer.await(() -> newcomer.session.get() >= 0 || newcomer.closedByServer(), "SESSION or a refusal");
            assertThat(newcomer.closedByServer()).as("newcomer %d refused", i).isFalse();
        }
        talker.stop();
    }

    @Test
    void clientTextNeverReachesTheLogRawButEscapedAndTruncated() throws Exception {
        String forged = "\n12:00:00.000 [tip-server-control-1] INFO dev.tip.server.internal.ControlHandler"
                + " - /127.0.0.1:1 (id 0) joined as admin\n";
        String escapedForged = forged.replace("\n", "\\n");
        String[] attacks = {
            // a field before KEY, then a broken message: the decoder names the field
            "{\"" + escapedForged + "\": }",
            "{\"" + escapedForged + "x".repeat(3000) + "\": [}",
            "{\"KEY\": 2, \"NAME\": \"" + escapedForged + "\"}",
            "{\"KEY\": 99, \"" + escapedForged + "\": 1}{\"KEY\": 2, \"NAME\": \"ok\"}{\"KEY\": 4}",
        };
        String log = logOf(() -> {
            for (String attack : attacks) {
                try (RawPeer p = new RawPeer(server.tcpPort())) {
                    p.startReaders();
                    p.write(attack);
                    RawPeer.await(p::closedByServer, "the server closing the attacker");
                }
            }
            RawPeer.await(() -> server.users().isEmpty(), "every attacker gone");
        });
        assertThat(log.lines()).noneMatch(l -> l.contains("joined as admin") && !l.contains("\\u000a"));
        assertThat(log.lines()).noneMatch(l -> l.startsWith("12:00:00.000"));
        assertThat(log.lines()).allMatch(l -> l.length() < 600, "no line is longer than a few hundred characters");
        assertThat(log).as("the attack reached the log, escaped").contains("\\u000a12:00:00.000");
    }

    @Test
    void oneAddressesBadInputIsRateLimitedInTheLogAndCountedInTheStatistics() throws Exception {
        InetAddress attackerAddress = InetAddress.getByName("127.0.0.2");
        int attacks = 200;
        String log = logOf(() -> {
            for (int i = 0; i < attacks; i++) {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress(attackerAddress, 0));
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.tcpPort()), 10_000);
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write("}}} not json".getBytes(StandardCharsets.US_ASCII));
                    readToEnd(s);
                }
            }
        });
        long lines = log.lines().filter(l -> l.contains("/127.0.0.2:")).count();
        assertThat(lines)
                .as("log lines about 127.0.0.2, for %d bad connections", attacks)
                .isLessThanOrEqualTo(25);
        assertThat(server.statistics().protocolErrors()).isEqualTo(attacks);
        assertThat(server.statistics().logLinesSuppressed()).isGreaterThanOrEqualTo(attacks - 25);
        newcomerJoinsAndHears("newcomer", null);
    }

    /** As {@link #newcomerJoinsAndHears(String)}, starting a talker first when there is none. */
    private void newcomerJoinsAndHears(String name, Talker talker) throws IOException {
        Talker t = talker != null ? talker : talk(join("talker"), TALKER);
        newcomerJoinsAndHears(name);
        if (talker == null) {
            t.stop();
        }
    }

    @Test
    void oneAddressGetsNoMoreSeatsThanItsLimitAndOthersStillJoin() throws Exception {
        restart(b -> b.maxUsersPerAddress(3)); // 127.0.0.1: the talker, the listener, the newcomer
        RawPeer talkerPeer = join("talker");
        RawPeer listener = join("listener");
        Talker talker = talk(talkerPeer, TALKER);
        InetAddress attackerAddress = InetAddress.getByName("127.0.0.2");
        List<RawPeer> seats = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RawPeer p = closeLater(new RawPeer(server.tcpPort(), attackerAddress));
            p.join("seat" + i);
            RawPeer.await(() -> p.session.get() >= 0 || p.closedByServer(), "SESSION or a refusal");
            seats.add(p);
        }
        assertThat(seats).filteredOn(p -> p.session.get() >= 0).hasSize(3);
        for (RawPeer refused : seats.subList(3, 5)) {
            RawPeer.await(refused::closedByServer, "the refused seat closed");
            assertThat(refused.controlText()).contains("too many users from your address");
        }
        assertThat(server.statistics().connectionsRefused()).isEqualTo(2);
        newcomerJoinsAndHears("newcomer", talker);
        assertHeardAlmostAll(listener, TALKER, talker.stop());
    }

    @Test
    void oneAddressesIdleConnectionsMakeRoomForEachOtherAndNeverForOthers() throws Exception {
        restart(b -> b.maxPendingConnectionsPerAddress(4));
        RawPeer talkerPeer = join("talker");
        RawPeer listener = join("listener");
        Talker talker = talk(talkerPeer, TALKER);
        InetAddress attackerAddress = InetAddress.getByName("127.0.0.2");
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            idle.add(idleFrom(attackerAddress));
        }
        RawPeer.await(() -> server.statistics().pendingConnectionsEvicted() == 6, "six of ten evicted");
        for (Socket s : idle.subList(0, 6)) {
            assertThat(readToEnd(s)).as("the oldest six").contains("Server busy");
        }
        for (Socket s : idle.subList(6, 10)) {
            assertThat(closedSoon(s)).as("the newest four still open").isFalse();
        }
        RawPeer other = closeLater(new RawPeer(server.tcpPort(), InetAddress.getByName("127.0.0.3")));
        other.join("other");
        assertThat(other.awaitSession()).isGreaterThanOrEqualTo(0);
        assertThat(server.statistics().pendingConnectionsEvicted()).isEqualTo(6);
        newcomerJoinsAndHears("newcomer", talker);
        assertHeardAlmostAll(listener, TALKER, talker.stop());
    }

    @Test
    void theOldestPendingConnectionIsEvictedBeforeANewcomerIsRefused() throws Exception {
        restart(b -> b.maxPendingConnections(4).maxPendingConnectionsPerAddress(100));
        InetAddress attackerAddress = InetAddress.getByName("127.0.0.2");
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            idle.add(idleFrom(attackerAddress));
        }
        // the server has seen all four before the newcomer comes
        RawPeer.await(() -> server.statistics().connectionsAccepted() == 4, "four accepted");
        RawPeer newcomer = closeLater(new RawPeer(server.tcpPort()));
        newcomer.join("newcomer");
        assertThat(newcomer.awaitSession()).isZero();
        assertThat(readToEnd(idle.get(0))).as("the oldest").contains("Server busy");
        for (Socket s : idle.subList(1, 4)) {
            assertThat(closedSoon(s)).as("the three younger ones still open").isFalse();
        }
        assertThat(server.statistics().pendingConnectionsEvicted()).isEqualTo(1);
        assertThat(server.statistics().connectionsRefused()).isZero();
    }
}
