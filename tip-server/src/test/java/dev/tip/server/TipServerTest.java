package dev.tip.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.protocol.ControlMessage;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TipServerTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> eventThreads = new CopyOnWriteArrayList<>();

    private final ServerListener recorder = new ServerListener() {
        @Override
        public void userJoined(Participant user) {
            eventThreads.add(Thread.currentThread().getName());
            events.add("joined " + user.id() + " " + user.name());
        }

        @Override
        public void userLeft(Participant user, LeaveReason reason) {
            eventThreads.add(Thread.currentThread().getName());
            events.add("left " + user.id() + " " + user.name() + " " + reason);
        }

        @Override
        public void voiceAddressRegistered(Participant user, InetSocketAddress voiceAddress) {
            eventThreads.add(Thread.currentThread().getName());
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

    private OriginalClient client(TipServer server) throws IOException {
        OriginalClient c = new OriginalClient(server.tcpPort(), true);
        toClose.add(c);
        return c;
    }

    private OriginalClient joined(TipServer server, String name) throws IOException {
        OriginalClient c = OriginalClient.joined(server.tcpPort(), name);
        toClose.add(c);
        return c;
    }

    private static byte[] voice(int marker) {
        byte[] b = new byte[1024];
        Arrays.fill(b, (byte) marker);
        return b;
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

    /** Sends voice from {@code from} until {@code to} hears it (the relay may register late). */
    private static void assertHears(OriginalClient from, OriginalClient to, int marker) throws IOException {
        byte[] payload = voice(marker);
        long deadline = System.nanoTime() + OriginalClient.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            from.sendVoice(payload);
            byte[] got = to.receiveVoice(Duration.ofMillis(200));
            while (got != null) {
                assertThat(got).as("relayed datagram").hasSize(1024);
                if (Arrays.equals(got, payload)) {
                    return;
                }
                assertThat(got[0])
                        .as("only voice is relayed, never the greeting")
                        .isNotEqualTo((byte) 'a');
                got = to.receiveVoice(Duration.ofMillis(50));
            }
        }
        throw new AssertionError("voice " + marker + " never arrived");
    }

    /** The room still works: two new well-behaved clients join, hear each other and leave. */
    private void assertRoomStillWorks(TipServer server) throws IOException {
        try (OriginalClient a = OriginalClient.joined(server.tcpPort(), "check-a");
                OriginalClient b = OriginalClient.joined(server.tcpPort(), "check-b")) {
            a.await(ControlMessage.SendNewUsers.class, u -> u.users().contains("check-b"));
            assertHears(a, b, 7);
            assertHears(b, a, 9);
            a.quit();
            b.quit();
            a.awaitClosedByServer();
            b.awaitClosedByServer();
        }
        await("check clients gone", () -> server.users().stream()
                .noneMatch(u -> u.name().startsWith("check-")));
    }

    @Test
    void threeOriginalClientsGetTheRosterTheirSessionIdsAndHearEachOther() throws IOException {
        TipServer server = start();
        OriginalClient ann = joined(server, "Ann");
        ann.awaitRoster(List.of("Ann"));
        OriginalClient bob = joined(server, "Bob");
        OriginalClient cid = joined(server, "Cid");

        assertThat(List.of(ann.awaitSession(), bob.awaitSession(), cid.awaitSession()))
                .containsExactly(0, 1, 2);
        ann.awaitRoster(List.of("Ann", "Bob", "Cid"));
        bob.awaitRoster(List.of("Ann", "Bob", "Cid"));
        cid.awaitRoster(List.of("Ann", "Bob", "Cid"));
        // the roster comes before SESSION, as the original server sends them
        int roster = bob.received.indexOf(bob.awaitRoster(List.of("Ann", "Bob")));
        int session = bob.received.indexOf(bob.await(ControlMessage.Session.class, s -> true));
        assertThat(roster).isLessThan(session);

        assertHears(ann, bob, 1);
        assertHears(ann, cid, 1);
        assertHears(bob, ann, 2);
        assertHears(cid, bob, 3);
        await("voice addresses", () -> server.users().stream().allMatch(u -> u.voiceAddress() != null));
        assertThat(server.users()).extracting(Participant::name).containsExactly("Ann", "Bob", "Cid");
        assertThat(ann.unparsed).isEmpty();

        await("greetings counted", () -> server.statistics().droppedProbe() == 3);
        ServerStatistics stats = server.statistics();
        assertThat(stats.users()).isEqualTo(3);
        assertThat(stats.datagramsRelayed()).isPositive();
        assertThat(stats.protocolErrors()).isZero();
        await("events", () -> events.size() >= 6);
        assertThat(events).contains("joined 0 Ann", "joined 1 Bob", "joined 2 Cid");
        assertThat(eventThreads).allMatch(n -> n.startsWith("tip-server-events-"));
    }

    @Test
    void withMixingOnALoneOriginalSpeakersFramesStillArriveByteForByte() throws IOException {
        TipServer server = start(b -> b.mixOriginalListeners(true));
        OriginalClient ann = joined(server, "Ann");
        OriginalClient bob = joined(server, "Bob");
        OriginalClient cid = joined(server, "Cid");
        ann.awaitRoster(List.of("Ann", "Bob", "Cid"));
        assertHears(ann, bob, 1);
        assertHears(ann, cid, 1);
        assertHears(cid, ann, 3);
        assertThat(server.statistics().mixedFramesSent()).isPositive();
    }

    @Test
    void nicknameAndPortArrivingByteByByteAreAccepted() throws IOException, InterruptedException {
        TipServer server = start();
        OriginalClient other = joined(server, "Other");
        OriginalClient slow = client(server);
        byte[] bytes = ("{\"KEY\": 2, \"NAME\": \"Slow\"}{\"KEY\": 7, \"PORT\": " + slow.udp.getLocalPort() + "}")
                .getBytes(StandardCharsets.US_ASCII);
        for (byte b : bytes) {
            slow.write(new byte[] {b});
        }
        assertThat(slow.awaitSession()).isEqualTo(1);
        assertHears(other, slow, 4);
        assertHears(slow, other, 5);
    }

    @Test
    void leavingByDisconnectOrDroppedConnectionBroadcastsTheRosterAndFreesTheSmallestId() throws IOException {
        TipServer server = start();
        OriginalClient a = joined(server, "A");
        OriginalClient b = joined(server, "B");
        OriginalClient c = joined(server, "C");
        a.awaitRoster(List.of("A", "B", "C"));

        b.quit();
        a.awaitRoster(List.of("A", "C"));
        c.awaitRoster(List.of("A", "C"));
        b.awaitClosedByServer();

        c.close(); // abrupt: no DISCONNECT
        a.awaitRoster(List.of("A"));

        OriginalClient d = joined(server, "D");
        assertThat(d.awaitSession()).as("smallest free id").isEqualTo(1);
        a.awaitRoster(List.of("A", "D"));
        assertHears(a, d, 6);
        await("left events", () -> events.contains("left 1 B QUIT") && events.contains("left 2 C CONNECTION_LOST"));
    }

    @Test
    void closeSendsServerCloseToEveryClientAndLeavesNoThreadBehind() throws IOException {
        TipServer server = start();
        int port = server.tcpPort();
        OriginalClient a = joined(server, "A");
        OriginalClient b = joined(server, "B");
        OriginalClient pendingHandshake = client(server);

        server.close();

        for (OriginalClient c : List.of(a, b, pendingHandshake)) {
            c.await(ControlMessage.ServerClose.class, m -> true);
            c.awaitClosedByServer();
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(n -> n.startsWith("tip-server-") && n.endsWith("-" + port));
        assertThat(events).contains("left 0 A SERVER_STOPPED", "left 1 B SERVER_STOPPED");
        assertThat(server.users()).isEmpty();
    }

    @Test
    void malformedJsonGetsDisconnectWithReasonAndNobodyElseNotices() throws IOException {
        TipServer server = start();
        OriginalClient bystander = joined(server, "Bystander");
        OriginalClient bad = joined(server, "Bad");
        bad.write("{\"KEY\": 4, oops}");
        assertThat(bad.await(ControlMessage.Disconnect.class, d -> true).reason())
                .startsWith("Protocol error");
        bad.awaitClosedByServer();
        bystander.awaitRoster(List.of("Bystander"));
        assertThat(bystander.closedByServer()).isFalse();
        assertThat(server.statistics().protocolErrors()).isEqualTo(1);
        await("left event", () -> events.contains("left 1 Bad PROTOCOL_ERROR"));
        assertRoomStillWorks(server);
    }

    @Test
    void anOversizedMessageClosesThatConnection() throws IOException {
        TipServer server = start(b -> b.maxControlMessageBytes(256));
        OriginalClient bystander = joined(server, "Bystander");
        OriginalClient big = client(server);
        big.write("{\"KEY\": 2, \"NAME\": \"" + "x".repeat(1000) + "\"}");
        assertThat(big.await(ControlMessage.Disconnect.class, d -> true).reason())
                .contains("too long");
        big.awaitClosedByServer();
        assertThat(bystander.closedByServer()).isFalse();
        assertRoomStillWorks(server);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abcdefghijklmnopqrst", "tab\\there", "bell\\" + "u0007"})
    void nicknamesTheOriginalClientWouldRejectGetDisconnectWithReason(String jsonName) throws IOException {
        TipServer server = start();
        OriginalClient bystander = joined(server, "Bystander");
        OriginalClient bad = client(server);
        bad.join(jsonName);
        assertThat(bad.await(ControlMessage.Disconnect.class, d -> true).reason())
                .startsWith("Nickname");
        bad.awaitClosedByServer();
        assertThat(bad.received).noneMatch(m -> m instanceof ControlMessage.Session);
        assertThat(bystander.lastRoster()).containsExactly("Bystander");
        assertRoomStillWorks(server);
    }

    @Test
    void duplicateNamesAreAllowedByDefaultAndRejectedByTheUniquePolicy() throws IOException {
        TipServer lenient = start();
        OriginalClient a1 = joined(lenient, "Ann");
        joined(lenient, "Ann");
        a1.awaitRoster(List.of("Ann", "Ann"));

        TipServer strict = start(b -> b.nicknamePolicy(NicknamePolicy.UNIQUE));
        joined(strict, "Ann");
        OriginalClient a2 = client(strict);
        a2.join("Ann");
        assertThat(a2.await(ControlMessage.Disconnect.class, d -> true).reason())
                .contains("already in use");
        a2.awaitClosedByServer();
    }

    @Test
    void aClientThatNeverSendsItsNicknameIsClosedAfterTheHandshakeTimeout() throws IOException {
        TipServer server = start(b -> b.handshakeTimeout(Duration.ofMillis(300)));
        OriginalClient silent = client(server);
        assertThat(silent.await(ControlMessage.Disconnect.class, d -> true).reason())
                .isEqualTo("Handshake timeout");
        silent.awaitClosedByServer();
        assertRoomStillWorks(server);
    }

    @Test
    void aClientThatStopsReadingKeepsOnlyTheLatestRosterQueuedAndIsDisconnectedAfterTheWriteTimeout()
            throws IOException {
        // a queued roster is replaced by the next, so the queue no longer grows: the write timeout ends it
        TipServer server = start(b -> b.outboundQueueBytes(4096)
                .controlSendBufferBytes(4096)
                .writeTimeout(java.time.Duration.ofMillis(500))
                .maxRenamesPerMinute(60_000));
        OriginalClient stuck = new OriginalClient(server.tcpPort(), false, 2048);
        toClose.add(stuck);
        stuck.join("Stuck");
        OriginalClient chatty = joined(server, "Chatty");
        // every rename broadcasts the roster to everyone, the stuck client included; the chatty
        // client waits to hear each batch back, so only the stuck client falls behind
        long deadline = System.nanoTime() + OriginalClient.TIMEOUT.toNanos();
        for (int batch = 0; server.users().stream().anyMatch(u -> u.name().equals("Stuck")); batch++) {
            assertThat(System.nanoTime()).as("stuck client still connected").isLessThan(deadline);
            StringBuilder renames = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                renames.append("{\"KEY\": 2, \"NAME\": \"Chatty-").append(i).append("-padding\"}");
            }
            String last = "Chatty-done-" + batch;
            renames.append("{\"KEY\": 2, \"NAME\": \"").append(last).append("\"}");
            chatty.write(renames.toString());
            chatty.await(ControlMessage.SendNewUsers.class, u -> u.users().contains(last));
        }
        await("left event", () -> events.contains("left 0 Stuck TIMEOUT"));
        assertThat(server.statistics().rostersReplaced()).isPositive();
        assertThat(chatty.closedByServer()).isFalse();
        assertRoomStillWorks(server);
    }

    @Test
    void connectionsBeyondTheUserLimitAreRefusedWithAReason() throws IOException {
        TipServer server = start(b -> b.maxUsers(3));
        joined(server, "One");
        OriginalClient two = joined(server, "Two");
        OriginalClient third = client(server);
        third.join("Three");
        third.awaitSession();
        OriginalClient fourth = client(server);
        fourth.join("Four");
        assertThat(fourth.await(ControlMessage.Disconnect.class, d -> true).reason())
                .isEqualTo("Server full");
        fourth.awaitClosedByServer();
        assertThat(server.statistics().connectionsRefused()).isEqualTo(1);
        third.quit();
        two.quit();
        await("room has space", () -> server.users().size() == 1);
        assertRoomStillWorks(server);
    }

    @Test
    void datagramsFromUnknownAddressesAreDroppedAndCounted() throws IOException {
        TipServer server = start();
        OriginalClient a = joined(server, "A");
        OriginalClient b = joined(server, "B");
        assertHears(a, b, 1);
        try (DatagramSocket spoof = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] payload = voice(66);
            for (int i = 0; i < 5; i++) {
                spoof.send(new DatagramPacket(
                        payload, payload.length, InetAddress.getLoopbackAddress(), server.udpPort()));
            }
            await("drops counted", () -> server.statistics().droppedUnknownSender() == 5);
        }
        // b hears a's next datagram, and never the spoofed ones
        assertHears(a, b, 2);
        assertRoomStillWorks(server);
    }

    @Test
    void kickSendsTheReasonAndTellsTheOthers() throws IOException {
        TipServer server = start();
        OriginalClient a = joined(server, "A");
        OriginalClient b = joined(server, "B");
        assertThat(server.kick(1, "Be nice")).isTrue();
        assertThat(server.kick(42, "nobody")).isFalse();
        assertThat(b.await(ControlMessage.Disconnect.class, d -> true).reason()).isEqualTo("Be nice");
        b.awaitClosedByServer();
        a.awaitRoster(List.of("A"));
        await("left event", () -> events.contains("left 1 B KICKED"));
        assertRoomStillWorks(server);
    }

    @Test
    void statisticsAreAlsoAJmxMBean() throws Exception {
        TipServer server = start();
        joined(server, "A");
        var mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        var name = new javax.management.ObjectName("dev.tip.server:type=TipServer,port=" + server.tcpPort());
        await("user counted", () -> server.users().size() == 1);
        assertThat(mbs.getAttribute(name, "Users")).isEqualTo(1);
        assertThat((String[]) mbs.getAttribute(name, "Roster")).containsExactly("0 A");
        server.close();
        assertThat(mbs.isRegistered(name)).isFalse();
    }

    @Test
    void theMBeanKeepsEveryAttributeNameReadsThemFromOneSnapshotAndKicks() throws Exception {
        TipServer server = start();
        OriginalClient a = joined(server, "A");
        var mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        var name = new javax.management.ObjectName("dev.tip.server:type=TipServer,port=" + server.tcpPort());
        String[] names = {
            "Port",
            "Roster",
            "Rooms",
            "Streams",
            "Users",
            "ConnectionsAccepted",
            "ConnectionsRefused",
            "DatagramsReceived",
            "BytesReceived",
            "DatagramsRelayed",
            "BytesRelayed",
            "DroppedUnknownSender",
            "DroppedProbe",
            "DroppedTooLong",
            "DroppedSendFailed",
            "DroppedMalformed",
            "DroppedBadToken",
            "DroppedWrongSession",
            "DroppedWrongAddress",
            "DroppedForged",
            "DroppedReplayed",
            "VoiceAddressesLearned",
            "HelloAcksSent",
            "ControlMessagesReceived",
            "ControlMessagesSent",
            "ProtocolErrors",
            "DroppedRateLimited",
            "VoiceSocketFailures",
            "PendingConnectionsEvicted",
            "RenamesUnchanged",
            "RenamesLimited",
            "RostersReplaced",
            "ClientPortChangesLimited",
            "ClientPortsRefused",
            "LogLinesSuppressed",
            "MixedFramesSent",
            "MixFramesDroppedLate",
            "MixFramesDroppedOverflow",
            "DroppedMuted",
            "RosterDeltasSent",
            "RostersCoalesced",
            "RelayAllocatedBytes",
            "TunnelledMembers",
            "TunnelDatagramsIn",
            "TunnelDatagramsOut",
            "TunnelDroppedOverflow",
            "TunnelDroppedInbound",
            "SessionsResumed",
            "ResumesRefused"
        };
        assertThat(Arrays.stream(mbs.getMBeanInfo(name).getAttributes()).map(i -> i.getName()))
                .containsExactlyInAnyOrder(names);
        await("user counted", () -> server.users().size() == 1);
        assertThat(mbs.getAttributes(name, names).asList()).hasSize(names.length);
        assertThat(mbs.getAttribute(name, "Port")).isEqualTo(server.tcpPort());
        assertThat(mbs.getAttribute(name, "ConnectionsAccepted")).isEqualTo(1L);
        assertThat(mbs.invoke(name, "kick", new Object[] {0, "Bye"}, new String[] {"int", String.class.getName()}))
                .isEqualTo(true);
        assertThat(a.await(ControlMessage.Disconnect.class, d -> true).reason()).isEqualTo("Bye");
    }

    @Test
    void theBuilderNamesTheBadParameter() {
        assertThatThrownBy(() -> TipServer.builder().port(70000)).hasMessageContaining("port");
        assertThatThrownBy(() -> TipServer.builder().maxUsers(0)).hasMessageContaining("maxUsers");
        assertThatThrownBy(() -> TipServer.builder().handshakeTimeout(Duration.ZERO))
                .hasMessageContaining("handshakeTimeout");
        assertThatThrownBy(() -> TipServer.builder().outboundQueueBytes(10)).hasMessageContaining("outboundQueueBytes");
        assertThatThrownBy(() -> TipServer.builder().maxPendingConnectionsPerAddress(0))
                .hasMessageContaining("maxPendingConnectionsPerAddress");
        assertThatThrownBy(() -> TipServer.builder().maxUsersPerAddress(0)).hasMessageContaining("maxUsersPerAddress");
        assertThatThrownBy(() -> TipServer.builder().maxRenamesPerMinute(0))
                .hasMessageContaining("maxRenamesPerMinute");
        assertThatThrownBy(() -> TipServer.builder().maxClientPortChangesPerMinute(60_001))
                .hasMessageContaining("maxClientPortChangesPerMinute");
        assertThatThrownBy(() -> TipServer.builder().maxVoiceDatagramsPerSecond(0))
                .hasMessageContaining("maxVoiceDatagramsPerSecond");
    }
}
