package dev.tip.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.RoomProtocol;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Rooms and moderation on a real server over loopback: TIP/2 peers and original clients. */
class RoomsServerTest {

    private static final Duration SHORT = Duration.ofMillis(400);
    private static final String ROOMS = "\"FEATURES\": [\"rooms\"]";

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer start(Consumer<TipServer.Builder> config) {
        TipServer.Builder b = TipServer.builder().port(0).bindAddress(InetAddress.getLoopbackAddress());
        config.accept(b);
        TipServer server = b.build().start();
        toClose.add(server);
        return server;
    }

    private Tip2Peer tip2(TipServer server, String name, String room) throws IOException {
        Tip2Peer p =
                Tip2Peer.joined(server.tcpPort(), name, (room == null ? "" : "\"ROOM\": \"" + room + "\", ") + ROOMS);
        toClose.add(p);
        return p;
    }

    private OriginalClient original(TipServer server, String name) throws IOException {
        OriginalClient c = OriginalClient.joined(server.tcpPort(), name);
        toClose.add(c);
        return c;
    }

    private static byte[] frame(int value) {
        byte[] b = new byte[1024];
        for (int i = 0; i < b.length; i += 2) {
            b[i] = (byte) value;
            b[i + 1] = (byte) (value >> 8);
        }
        return b;
    }

    /** Sends frames from {@code from} until {@code to} receives one carrying {@code payload}. */
    private static void heard(Tip2Peer from, Tip2Peer to, byte[] payload) throws IOException {
        long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
        while (System.nanoTime() < deadline) {
            from.sendPcm(payload);
            byte[] got = to.receive(Duration.ofMillis(100));
            if (got != null && Arrays.equals(Tip2Peer.payload(got), payload)) {
                return;
            }
        }
        throw new AssertionError(to.id + " never heard " + from.id);
    }

    private static void hearsNothing(Tip2Peer p) throws IOException {
        byte[] got = p.receive(SHORT);
        assertThat(got).as("peer %d heard a datagram", p.id).isNull();
    }

    private static void send(Tip2Peer p, String json) throws IOException {
        p.control.write(json);
    }

    /** A sync point: LIST_ROOMS, answered after everything the server queued for {@code p} before. */
    private static ControlMessage.Extended roomsOf(Tip2Peer p) throws IOException {
        int before = count(p, RoomProtocol.KEY_ROOMS);
        send(p, "{\"KEY\": 22}");
        Await.until("ROOMS", () -> count(p, RoomProtocol.KEY_ROOMS) > before);
        return last(p, RoomProtocol.KEY_ROOMS);
    }

    private static int count(Tip2Peer p, int key) {
        int n = 0;
        for (ControlMessage m : p.control.received) {
            if (m instanceof ControlMessage.Extended x && x.key() == key) {
                n++;
            }
        }
        return n;
    }

    private static ControlMessage.Extended last(Tip2Peer p, int key) {
        ControlMessage.Extended found = null;
        for (ControlMessage m : p.control.received) {
            if (m instanceof ControlMessage.Extended x && x.key() == key) {
                found = x;
            }
        }
        return found;
    }

    private static int rosters(OriginalClient c) {
        int n = 0;
        for (ControlMessage m : c.received) {
            if (m instanceof ControlMessage.SendNewUsers) {
                n++;
            }
        }
        return n;
    }

    @Test
    void twoRoomsNeverHearEachOther() throws IOException {
        TipServer server = start(b -> b.rooms("a", "b"));
        Tip2Peer a1 = tip2(server, "a1", "a");
        Tip2Peer a2 = tip2(server, "a2", "a");
        Tip2Peer b1 = tip2(server, "b1", "b");
        Tip2Peer b2 = tip2(server, "b2", "b");
        assertThat(a1.session.extensions().getString("ROOM")).contains("a");
        assertThat(b1.session.extensions().getString("ROOM")).contains("b");

        heard(a1, a2, frame(100));
        hearsNothing(b1);
        hearsNothing(b2);
        heard(b1, b2, frame(200));
        hearsNothing(a1);
        hearsNothing(a2);

        assertThat(a2.control.lastRoster()).containsExactly("a1", "a2");
        Await.until("b's roster", () -> b2.control.lastRoster().equals(List.of("b1", "b2")));
        assertThat(server.users()).extracting(Participant::room).containsExactly("a", "a", "b", "b");
    }

    @Test
    void anOriginalPeerLandsInTheDefaultRoomAndSeesOnlyIt() throws IOException {
        TipServer server = start(b -> b.rooms("lobby", "music"));
        Tip2Peer m1 = tip2(server, "m1", "music");
        OriginalClient o = original(server, "orig");
        Tip2Peer l1 = tip2(server, "l1", null);
        // the original bytes: no TIP/2 field in SESSION or the roster
        ControlMessage.Session session = o.await(ControlMessage.Session.class, s -> true);
        assertThat(session.extensions().isEmpty()).isTrue();
        o.awaitRoster(List.of("orig", "l1"));
        for (ControlMessage m : o.received) {
            if (m instanceof ControlMessage.SendNewUsers u) {
                assertThat(u.extensions().isEmpty()).isTrue();
                assertThat(u.users()).doesNotContain("m1");
            }
            assertThat(m).isNotInstanceOf(ControlMessage.Extended.class);
        }
        assertThat(l1.session.extensions().getString("ROOM")).contains("lobby");

        // the lobby's voice reaches the original peer; music's does not
        byte[] music = frame(300);
        for (int i = 0; i < 20; i++) {
            m1.sendPcm(music);
        }
        byte[] lobby = frame(400);
        long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
        boolean heardLobby = false;
        while (!heardLobby && System.nanoTime() < deadline) {
            l1.sendPcm(lobby);
            byte[] got = o.receiveVoice(Duration.ofMillis(100));
            if (got != null) {
                assertThat(got).as("the original peer heard the other room").isNotEqualTo(music);
                heardLobby = Arrays.equals(got, lobby);
            }
        }
        assertThat(heardLobby).isTrue();
    }

    @Test
    void aMoveUpdatesBothRostersOnceAndMovesTheVoice() throws IOException {
        // every roster at once (no coalescing), so that LIST_ROOMS's answer comes after all of them
        TipServer server = start(b -> b.rooms("a", "b").rosterCoalesceInterval(Duration.ZERO));
        Tip2Peer p = tip2(server, "p", "a");
        Tip2Peer q = tip2(server, "q", "a");
        Tip2Peer r = tip2(server, "r", "b");
        OriginalClient o = original(server, "o");
        o.awaitRoster(List.of("p", "q", "o"));
        roomsOf(q);
        roomsOf(r);
        int qBefore = rosters(q.control);
        int rBefore = rosters(r.control);
        int oBefore = rosters(o);

        send(p, "{\"KEY\": 20, \"ROOM\": \"b\"}");
        Await.until("p in b", () -> {
            ControlMessage.Extended room = last(p, RoomProtocol.KEY_ROOM);
            return room != null
                    && room.extensions().getString("ROOM").orElse("").equals("b");
        });
        // everything the move caused reaches each peer before the answer to a later LIST_ROOMS
        ControlMessage.Extended rooms = roomsOf(q);
        roomsOf(r);
        Await.until("o's roster", () -> o.lastRoster().equals(List.of("q", "o")));
        assertThat(rosters(q.control) - qBefore).isEqualTo(1);
        assertThat(rosters(r.control) - rBefore).isEqualTo(1);
        assertThat(q.control.lastRoster()).containsExactly("q", "o");
        assertThat(r.control.lastRoster()).containsExactly("r", "p");
        assertThat(RoomProtocol.strings(rooms.extensions(), "ROOMS")).containsExactly("a", "b");
        assertThat(RoomProtocol.integers(rooms.extensions(), "COUNTS")).containsExactly(2, 2);
        Await.until("o's one roster", () -> rosters(o) - oBefore >= 1);
        assertThat(rosters(o) - oBefore).isEqualTo(1);

        heard(p, r, frame(500));
        hearsNothing(q);
    }

    @Test
    void refusedJoinsAndMovesSayWhy() throws IOException {
        TipServer server = start(b -> b.rooms("open")
                .room("secret", "pw", 0)
                .room("tiny", null, 1)
                .joinPolicy(new JoinPolicy() {
                    @Override
                    public String refuseJoin(String nickname, java.net.InetSocketAddress address, String room) {
                        return nickname.startsWith("bot") ? "No bots here" : null;
                    }

                    @Override
                    public String refuseMove(Participant user, String room) {
                        return room.equals("tiny") && user.name().equals("x") ? "Not you" : null;
                    }
                }));
        // a join: DISCONNECT with the reason
        assertThat(refusedJoin(server, "bot1", "\"ROOM\": \"open\"")).isEqualTo("No bots here");
        assertThat(refusedJoin(server, "u1", "\"ROOM\": \"secret\"")).startsWith("Wrong room password");
        assertThat(refusedJoin(server, "u2", "\"ROOM\": \"nowhere\"")).startsWith("No such room");
        tip2(server, "in-tiny", "tiny");
        assertThat(refusedJoin(server, "u3", "\"ROOM\": \"tiny\"")).startsWith("Room full");
        Tip2Peer ok = Tip2Peer.joined(server.tcpPort(), "ok", "\"ROOM\": \"secret\", \"PASSWORD\": \"pw\", " + ROOMS);
        toClose.add(ok);
        assertThat(ok.session.extensions().getString("ROOM")).contains("secret");

        // a move: ROOM with the room it stays in and the reason
        Tip2Peer x = tip2(server, "x", "open");
        send(x, "{\"KEY\": 20, \"ROOM\": \"tiny\"}");
        Await.until("refusal", () -> last(x, RoomProtocol.KEY_ROOM) != null);
        ControlMessage.Extended room = last(x, RoomProtocol.KEY_ROOM);
        assertThat(room.extensions().getString("ROOM")).contains("open");
        assertThat(room.extensions().getString("REASON")).contains("Not you");
        send(x, "{\"KEY\": 20, \"ROOM\": \"secret\", \"PASSWORD\": \"nope\"}");
        Await.until("second refusal", () -> count(x, RoomProtocol.KEY_ROOM) == 2);
        assertThat(last(x, RoomProtocol.KEY_ROOM).extensions().getString("REASON"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Wrong room password"));
        assertThat(server.users())
                .filteredOn(u -> u.name().equals("x"))
                .extracting(Participant::room)
                .containsExactly("open");
    }

    private String refusedJoin(TipServer server, String name, String fields) throws IOException {
        OriginalClient c = new OriginalClient(server.tcpPort(), true);
        toClose.add(c);
        c.write("{\"KEY\": 2, \"NAME\": \"" + name + "\", \"VERSION\": 2, " + fields + "}");
        return c.await(ControlMessage.Disconnect.class, d -> true).reason();
    }

    @Test
    void openRoomsAreCreatedByNamingThemAndVanishWhenEmpty() throws IOException {
        TipServer server = start(b -> b.openRooms(true));
        Tip2Peer a = tip2(server, "a", "new-room");
        assertThat(a.session.extensions().getString("ROOM")).contains("new-room");
        Await.until("two rooms", () -> server.rooms().size() == 2);
        assertThat(server.rooms()).extracting(RoomInfo::name).containsExactly("lobby", "new-room");
        assertThat(server.rooms().get(1).permanent()).isFalse();
        send(a, "{\"KEY\": 20, \"ROOM\": \"lobby\"}");
        Await.until("the created room is gone", () -> server.rooms().size() == 1);
        assertThat(server.rooms().get(0).members()).isEqualTo(1);
    }

    @Test
    void muteStopsAMembersVoiceAndShowsInTheRoster() throws IOException {
        TipServer server = start(b -> {});
        Tip2Peer a = tip2(server, "a", null);
        Tip2Peer b = tip2(server, "b", null);
        heard(a, b, frame(1));
        assertThat(server.mute(a.id)).isTrue();
        Await.until("MUTED in b's roster", () -> {
            for (ControlMessage m : b.control.received) {
                if (m instanceof ControlMessage.SendNewUsers u
                        && RoomProtocol.integers(u.extensions(), "MUTED").contains(a.id)) {
                    return true;
                }
            }
            return false;
        });
        Await.until("muted", () -> server.users().get(0).muted());
        while (b.receive(Duration.ofMillis(100)) != null) {
            // drain what was relayed before the mute
        }
        for (int i = 0; i < 10; i++) {
            a.sendPcm(frame(2));
        }
        hearsNothing(b);
        assertThat(server.statistics().droppedMuted()).isPositive();
        assertThat(server.unmute(a.id)).isTrue();
        heard(a, b, frame(3));
    }

    @Test
    void kickMoveAndBanFromTheApi() throws IOException {
        TipServer server = start(b -> b.rooms("a", "b"));
        Tip2Peer a = tip2(server, "a", "a");
        Tip2Peer b = tip2(server, "b", "b");
        assertThat(server.move(a.id, "b")).isTrue();
        Await.until("moved", () -> server.users().get(0).room().equals("b"));
        heard(a, b, frame(9));
        Await.until("b's roster", () -> b.control.lastRoster().equals(List.of("b", "a")));

        server.ban("a", Duration.ofHours(1), "spam");
        a.control.awaitClosedByServer();
        assertThat(a.control.await(ControlMessage.Disconnect.class, d -> true).reason())
                .isEqualTo("Banned: spam");
        assertThat(refusedJoin(server, "a", "\"ROOM\": \"a\"")).isEqualTo("Banned: spam");
        server.unban(Ban.Kind.NICKNAME, "a");
        Await.until("unbanned", () -> server.bans().isEmpty());
        tip2(server, "a", "a");

        server.banAddress(InetAddress.getLoopbackAddress(), null, null);
        b.control.awaitClosedByServer();
        assertThat(b.control.await(ControlMessage.Disconnect.class, d -> true).reason())
                .isEqualTo("Banned");
    }

    @Test
    void aBanPersistsAcrossARestart(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bans.txt");
        TipServer first = start(b -> b.banFile(file));
        first.ban("troll", Duration.ofDays(1), "trolling");
        first.ban("gone", Duration.ofMillis(1), null);
        Await.until("the ban in force", () -> first.bans().size() == 1);
        first.close();
        assertThat(Files.readString(file)).contains("troll");
        // the file keeps wall-clock expiry (the server's own clock is monotonic and means nothing
        // after a restart): a day from now in epoch milliseconds
        long until = Files.readAllLines(file).stream()
                .filter(l -> l.contains("troll"))
                .mapToLong(l -> Long.parseLong(l.split("\t")[2]))
                .findFirst()
                .orElseThrow();
        long day = Duration.ofDays(1).toMillis();
        assertThat(until - System.currentTimeMillis()).isBetween(day - 60_000, day + 1_000);
        assertThat(second(file).bans()).extracting(Ban::until).allSatisfy(u -> assertThat(u)
                .isAfter(java.time.Instant.now().plus(Duration.ofHours(23))));

        TipServer second = second(file);
        assertThat(second.bans()).extracting(Ban::value).containsExactly("troll");
        assertThat(refusedJoin(second, "troll", "\"ROOM\": \"lobby\"")).isEqualTo("Banned: trolling");
        OriginalClient ok = original(second, "fine");
        assertThat(ok.lastRoster()).containsExactly("fine");
    }

    private TipServer restarted;

    /** The server started again on the same ban file (once per test). */
    private TipServer second(Path file) {
        if (restarted == null) {
            restarted = start(b -> b.banFile(file));
        }
        return restarted;
    }

    @Test
    void moderationFromJmx() throws Exception {
        TipServer server = start(b -> b.rooms("a", "b").jmx(true));
        Tip2Peer a = tip2(server, "a", "a");
        Tip2Peer b = tip2(server, "b", "b");
        var mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        var name = new javax.management.ObjectName("dev.tip.server:type=TipServer,port=" + server.tcpPort());
        assertThat((String[]) mbs.getAttribute(name, "Rooms")).containsExactly("a 1", "b 1");
        assertThat(mbs.invoke(name, "move", new Object[] {a.id, "b"}, new String[] {"int", String.class.getName()}))
                .isEqualTo(true);
        Await.until("moved", () -> server.users().get(0).room().equals("b"));
        assertThat(mbs.invoke(name, "mute", new Object[] {a.id}, new String[] {"int"}))
                .isEqualTo(true);
        Await.until("muted", () -> server.users().get(0).muted());
        assertThat(mbs.invoke(name, "unmute", new Object[] {a.id}, new String[] {"int"}))
                .isEqualTo(true);
        Await.until("unmuted", () -> !server.users().get(0).muted());
        heard(a, b, frame(7));
        mbs.invoke(name, "banNickname", new Object[] {"b", 10L, "bye"}, new String[] {
            String.class.getName(), "long", String.class.getName()
        });
        b.control.awaitClosedByServer();
        assertThat(b.control.await(ControlMessage.Disconnect.class, d -> true).reason())
                .isEqualTo("Banned: bye");
        mbs.invoke(name, "unban", new Object[] {"b"}, new String[] {String.class.getName()});
        Await.until("unbanned", () -> server.bans().isEmpty());
    }
}
