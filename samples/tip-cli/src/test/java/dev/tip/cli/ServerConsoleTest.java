package dev.tip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.server.Participant;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code tip server} console's rooms and moderation commands against a real server. */
class ServerConsoleTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String said() {
        String s = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        return s;
    }

    @Test
    void roomsListMoveMuteKickAndBanFromTheConsole() throws Exception {
        try (TipServer server = TipServer.builder()
                        .port(0)
                        .bindAddress(InetAddress.getLoopbackAddress())
                        .rooms("lobby", "music")
                        .jmx(false)
                        .build()
                        .start();
                RawPeer ann = RawPeer.joined(server.tcpPort(), "ann");
                RawPeer bob = RawPeer.joined(server.tcpPort(), "bob")) {
            ServerConsole console = new ServerConsole(server, out);
            Await.until("two users", () -> server.users().size() == 2);
            int annId = server.users().get(0).id();
            int bobId = server.users().get(1).id();

            assertThat(console.handle("ROOMS")).isTrue();
            assertThat(said()).contains("ROOM=lobby USERS=2").contains("ROOM=music USERS=0");

            console.handle("MOVE " + annId + " music");
            assertThat(said()).contains("moving " + annId + " to music");
            Await.until("moved", () -> server.users().get(0).room().equals("music"));
            console.handle("LIST");
            assertThat(said())
                    .contains("NAME=ann STATUS=True")
                    .contains("ROOM=music")
                    .contains("ROOM=lobby");

            console.handle("mute " + bobId);
            assertThat(said()).contains("muted " + bobId);
            Await.until("muted", () -> server.users().stream().anyMatch(Participant::muted));
            console.handle("LIST");
            assertThat(said()).contains("NAME=bob STATUS=True").contains("MUTED");
            console.handle("UNMUTE " + bobId);
            Await.until("unmuted", () -> server.users().stream().noneMatch(Participant::muted));

            console.handle("STATS");
            assertThat(said()).contains("rooms=2").contains("room music: 1 user(s)");

            console.handle("BAN bob 10 flooding");
            assertThat(said()).contains("banned nickname bob for 10 min");
            Await.until("bob kicked", bob::closedByServer);
            assertThat(bob.controlText()).contains("Banned: flooding");
            console.handle("BANS");
            assertThat(said()).contains("NICKNAME bob").contains("REASON=flooding");
            console.handle("UNBAN bob");
            Await.until("no bans", () -> server.bans().isEmpty());

            console.handle("KICK " + annId + " bye now");
            assertThat(said()).contains("kicked " + annId);
            Await.until("ann kicked", ann::closedByServer);
            assertThat(ann.controlText()).contains("bye now");

            console.handle("MOVE x");
            assertThat(said()).contains("usage: MOVE <id> <room>");
            assertThat(console.handle("STOP")).isFalse();
        }
    }
}
