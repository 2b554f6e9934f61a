package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.DialectPreference;
import dev.tip.core.DisconnectReason;
import dev.tip.core.RoomListing;
import dev.tip.core.RoomRefusedException;
import dev.tip.core.SessionFailedException;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.User;
import dev.tip.server.Participant;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rooms and roster deltas between a real TipServer and real TipClients on loopback. */
class RoomsEndToEndTest {

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server(Consumer<TipServer.Builder> config) {
        TipServer.Builder b = TipServer.builder().port(0).bindAddress(InetAddress.getLoopbackAddress());
        config.accept(b);
        return toClose.add(b.build().start());
    }

    private TipClient client(TipServer server, String name, Consumer<TipClient.Builder> config) {
        TipClient.Builder b =
                TipClient.builder().server("127.0.0.1", server.tcpPort()).nickname(name);
        config.accept(b);
        TipClient c = toClose.add(b.build());
        c.connect();
        return c;
    }

    /** The room's members as the server holds them (in join order, not the room's order). */
    private static Set<User> serverRoster(TipServer server, String room) {
        return server.users().stream()
                .filter(p -> p.room().equals(room))
                .map(p -> new User(p.id(), p.name()))
                .collect(Collectors.toSet());
    }

    private static boolean same(List<User> roster, Set<User> members) {
        return roster.size() == members.size() && members.containsAll(roster);
    }

    @Test
    void aClientNamesItsRoomListsTheRoomsAndMovesWithoutReconnecting() {
        TipServer server = server(b -> b.rooms("a", "b").room("vip", "secret", 0));
        List<String> events = new CopyOnWriteArrayList<>();
        SessionListener listener = new SessionListener() {
            @Override
            public void roomChanged(String room) {
                events.add("in " + room);
            }

            @Override
            public void roomRefused(String room, String reason) {
                events.add("refused " + room + ": " + reason);
            }
        };
        TipClient ann = client(server, "ann", b -> b.room("a").listener(listener));
        TipClient bob = client(server, "bob", b -> b.room("b"));
        TipClient cy = client(server, "cy", b -> {});
        assertThat(ann.room()).contains("a");
        assertThat(bob.room()).contains("b");
        assertThat(cy.room()).contains("a");
        Await.until("ann sees a", () -> ann.roster().size() == 2);
        assertThat(ann.roster()).extracting(User::name).containsExactly("ann", "cy");

        List<RoomListing> rooms = ann.rooms();
        assertThat(rooms).extracting(RoomListing::name).containsExactly("a", "b", "vip");
        assertThat(rooms).extracting(RoomListing::members).containsExactly(2, 1, 0);
        assertThat(rooms.get(2).passwordProtected()).isTrue();

        int id = ann.sessionId().orElseThrow();
        ann.join("b");
        assertThat(ann.room()).contains("b");
        assertThat(ann.sessionId()).hasValue(id);
        Await.until("ann sees b", () -> same(ann.roster(), serverRoster(server, "b")));
        assertThat(ann.roster()).extracting(User::name).containsExactly("bob", "ann");
        Await.until("cy sees a without ann", () -> same(cy.roster(), serverRoster(server, "a")));
        Await.until("bob sees ann", () -> bob.roster().size() == 2);
        Await.until("the move event", () -> events.contains("in b"));

        assertThatThrownBy(() -> ann.join("vip", "wrong"))
                .isInstanceOf(RoomRefusedException.class)
                .hasMessageStartingWith("Wrong room password");
        assertThat(ann.room()).contains("b");
        Await.until("the refusal event", () -> events.stream().anyMatch(e -> e.startsWith("refused vip")));
        ann.join("vip", "secret");
        assertThat(ann.room()).contains("vip");
    }

    @Test
    void aJoinTheServerRefusesFailsConnectWithTheServersReason() {
        TipServer server = server(b -> b.rooms("a").joinPolicy(new dev.tip.server.JoinPolicy() {
            @Override
            public String refuseJoin(String nickname, java.net.InetSocketAddress address, String room) {
                return nickname.equals("mallory") ? "Not today, mallory" : null;
            }
        }));
        TipClient m = toClose.add(TipClient.builder()
                .server("127.0.0.1", server.tcpPort())
                .nickname("mallory")
                .build());
        assertThatThrownBy(m::connect)
                .isInstanceOf(SessionFailedException.class)
                .hasMessageContaining("Not today, mallory")
                .satisfies(e -> assertThat(((SessionFailedException) e).reason())
                        .isIn(
                                DisconnectReason.REFUSED,
                                DisconnectReason.DISCONNECTED_BY_SERVER,
                                DisconnectReason.NICKNAME_REJECTED));
        TipClient unknownRoom = toClose.add(TipClient.builder()
                .server("127.0.0.1", server.tcpPort())
                .nickname("ann")
                .room("nowhere")
                .build());
        assertThatThrownBy(unknownRoom::connect).hasMessageContaining("No such room: nowhere");
    }

    @Test
    void rosterDeltasAppliedByTheClientReproduceTheServersRoster() {
        TipServer server = server(b -> b.rooms("main", "side"));
        TipClient watcher = client(server, "watcher", b -> b.room("main"));
        List<TipClient> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            others.add(client(server, "u" + i, b -> {
                if (n % 3 == 0) {
                    b.dialectPreference(DialectPreference.ORIGINAL);
                } else {
                    b.room(n % 2 == 0 ? "main" : "side");
                }
            }));
        }
        Await.until("watcher's roster", () -> same(watcher.roster(), serverRoster(server, "main")));
        // leaves, moves and mutes, each seen by the watcher as deltas
        others.get(1).close();
        others.get(4).close();
        for (Participant p : server.users()) {
            if (p.name().equals("u2")) {
                server.move(p.id(), "side");
            }
            if (p.name().equals("u5")) {
                server.move(p.id(), "main");
                server.mute(p.id());
            }
            if (p.name().equals("u3")) {
                server.mute(p.id());
            }
        }
        Await.until(
                "moved and muted",
                () -> server.users().stream().filter(Participant::muted).count() == 2);
        Await.until("watcher's roster after the changes", () -> same(watcher.roster(), serverRoster(server, "main")));
        Set<Integer> mutedInMain = server.users().stream()
                .filter(p -> p.muted() && p.room().equals("main"))
                .map(Participant::id)
                .collect(Collectors.toSet());
        Await.until("watcher's mutes", () -> watcher.serverMuted().equals(mutedInMain));
        // a late joiner gets the room's full roster: the watcher's, built from deltas, is the same list
        TipClient late = client(server, "late", b -> b.room("main"));
        Await.until("the late joiner's roster", () -> same(late.roster(), serverRoster(server, "main")));
        Await.until("the watcher's roster equals the full roster", () -> watcher.roster()
                .equals(late.roster()));
        assertThat(watcher.roster()).extracting(User::name).contains("watcher", "u0", "u3", "u5", "late");
        assertThat(server.statistics().rosterDeltasSent()).isPositive();
    }
}
