package dev.tip.core.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.Dialect;
import dev.tip.core.DialectPreference;
import dev.tip.core.User;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.KeyShare;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.voice.AudioFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's rules for server messages, without sockets, threads or waits. */
class ServerMessagesTest {
    private static final String TOKEN = "0123456789abcdef";
    private final ServerMessages auto = new ServerMessages(DialectPreference.AUTO, AudioFormat.ORIGINAL);
    private final ServerMessages original = new ServerMessages(DialectPreference.ORIGINAL, AudioFormat.ORIGINAL);

    private static ControlMessage.Session session(Extensions ext) {
        return new ControlMessage.Session(7, ext);
    }

    @Test
    void aSessionWithTheServersKeyShareGivesTheSessionKeysAndNeedsNoToken() {
        KeyExchange mine = KeyExchange.generate();
        KeyExchange server = KeyExchange.generate();
        ServerMessages keyed = new ServerMessages(DialectPreference.AUTO, AudioFormat.ORIGINAL, List.of(), mine);
        ServerMessages.Effect e = keyed.handle(session(Extensions.builder()
                .put("VERSION", 2)
                .put("KEY_SHARE", KeyShare.encode(server.publicKey()))
                .build()));
        assertThat(e).isInstanceOf(ServerMessages.Assigned.class);
        SessionKeys expected =
                SessionKeys.derive(server.sharedSecret(mine.publicKey()), mine.publicKey(), server.publicKey());
        assertThat(((ServerMessages.Assigned) e).voice().keys()).isEqualTo(expected);
        // a server that does not encrypt: plaintext TIP/2 with the token, no keys
        ServerMessages.Effect plain = keyed.handle(session(
                Extensions.builder().put("VERSION", 2).put("TOKEN", TOKEN).build()));
        assertThat(((ServerMessages.Assigned) plain).voice().keys()).isNull();
    }

    @Test
    void anUnaskedForOrInvalidServerKeyShareIsAProtocolViolation() {
        Extensions unasked = Extensions.builder()
                .put("VERSION", 2)
                .put("KEY_SHARE", KeyShare.encode(KeyExchange.generate().publicKey()))
                .build();
        ServerMessages.Effect e = auto.handle(session(unasked));
        assertThat(e).isInstanceOf(ServerMessages.End.class);
        assertThat(((ServerMessages.End) e).detail()).contains("KEY_SHARE", "sent none");
        ServerMessages keyed =
                new ServerMessages(DialectPreference.AUTO, AudioFormat.ORIGINAL, List.of(), KeyExchange.generate());
        for (Extensions bad : List.of(
                Extensions.builder().put("VERSION", 2).put("KEY_SHARE", "nope").build(),
                Extensions.builder()
                        .put("VERSION", 2)
                        .put("KEY_SHARE", KeyShare.encode(new byte[32]))
                        .build())) {
            ServerMessages.Effect end = keyed.handle(session(bad));
            assertThat(end).isInstanceOf(ServerMessages.End.class);
            assertThat(((ServerMessages.End) end).event()).isEqualTo(SessionEvent.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void aSessionWithoutVersionIsTheOriginalDialect() {
        assertThat(auto.handle(session(Extensions.NONE)))
                .isEqualTo(new ServerMessages.Assigned(7, Dialect.ORIGINAL, null));
    }

    @Test
    void aSessionWithVersion2IsTip2OnlyIfTheClientOfferedIt() {
        Extensions ext =
                Extensions.builder().put("VERSION", 2).put("TOKEN", TOKEN).build();
        ServerMessages.Effect e = auto.handle(session(ext));
        assertThat(e).isInstanceOf(ServerMessages.Assigned.class);
        ServerMessages.Assigned a = (ServerMessages.Assigned) e;
        assertThat(a.dialect()).isEqualTo(Dialect.TIP2);
        assertThat(a.voice().token()).isEqualTo(0x0123456789abcdefL);
        assertThat(a.voice().format()).isEqualTo(AudioFormat.ORIGINAL);
        assertThat(original.handle(session(ext))).isEqualTo(new ServerMessages.Assigned(7, Dialect.ORIGINAL, null));
    }

    @Test
    void aTip2SessionWithoutTokenOrInAnotherFormatEndsTheSessionAsAProtocolViolation() {
        ServerMessages.Effect noToken =
                auto.handle(session(Extensions.builder().put("VERSION", 2).build()));
        assertThat(noToken).isInstanceOf(ServerMessages.End.class);
        assertThat(((ServerMessages.End) noToken).event()).isEqualTo(SessionEvent.PROTOCOL_VIOLATION);
        assertThat(((ServerMessages.End) noToken).detail()).contains("TOKEN");

        ServerMessages.Effect otherRate = auto.handle(session(Extensions.builder()
                .put("VERSION", 2)
                .put("TOKEN", TOKEN)
                .put("RATE", 48_000)
                .put("FRAME", 960)
                .build()));
        assertThat(otherRate).isInstanceOf(ServerMessages.End.class);
        assertThat(((ServerMessages.End) otherRate).detail()).contains("RATE 48000", "FRAME 960", "not supported");
    }

    @Test
    void aRosterWithMatchingIdsNamesEachMemberAndOneWithoutOrWithBadIdsHasNone() {
        JsonValue ids = new JsonValue.Arr(List.of(JsonValue.of(3), JsonValue.of(9)));
        ServerMessages.Roster r = (ServerMessages.Roster) auto.handle(new ControlMessage.SendNewUsers(
                List.of("ann", "bob"), Extensions.builder().put("IDS", ids).build()));
        assertThat(r.names()).containsExactly("ann", "bob");
        assertThat(r.members()).containsExactly(new User(3, "ann"), new User(9, "bob"));
        assertThat(r.ids()).containsExactly(3, 9);

        ServerMessages.Roster plain =
                (ServerMessages.Roster) auto.handle(new ControlMessage.SendNewUsers(List.of("ann")));
        assertThat(plain.ids()).isNull();
        assertThat(plain.members()).containsExactly(new User(User.NO_ID, "ann"));

        for (JsonValue bad : List.of(
                new JsonValue.Arr(List.of(JsonValue.of(3))), // shorter than USERS
                new JsonValue.Arr(List.of(JsonValue.of(3), JsonValue.of("9"))), // not a number
                new JsonValue.Arr(List.of(JsonValue.of(3), JsonValue.of(70_000))), // not 16 bits
                new JsonValue.Arr(List.of(JsonValue.of(-1), JsonValue.of(2))),
                JsonValue.of("3,9"))) {
            ServerMessages.Roster r2 = (ServerMessages.Roster) auto.handle(new ControlMessage.SendNewUsers(
                    List.of("ann", "bob"), Extensions.builder().put("IDS", bad).build()));
            assertThat(r2.ids()).as("IDS %s", bad).isNull();
            assertThat(r2.members()).extracting(User::id).containsOnly(User.NO_ID);
        }
    }

    @Test
    void disconnectAndServerCloseEndTheSessionWithTheServersWords() {
        assertThat(auto.handle(new ControlMessage.Disconnect("Kicked")))
                .isEqualTo(new ServerMessages.End(SessionEvent.SERVER_DISCONNECT, "Kicked"));
        assertThat(auto.handle(new ControlMessage.Disconnect("Server full")))
                .isEqualTo(new ServerMessages.End(SessionEvent.SERVER_FULL, "Server full"));
        assertThat(auto.handle(new ControlMessage.Disconnect("Server full: too many users from your address")))
                .extracting(e -> ((ServerMessages.End) e).event())
                .isEqualTo(SessionEvent.SERVER_FULL);
        assertThat(auto.handle(new ControlMessage.Disconnect(null)))
                .isEqualTo(new ServerMessages.End(
                        SessionEvent.SERVER_DISCONNECT, "the server sent DISCONNECT without a reason"));
        assertThat(auto.handle(new ControlMessage.ServerClose()))
                .isEqualTo(new ServerMessages.End(
                        SessionEvent.SERVER_CLOSE, "the server is shutting down (SERVER_CLOSE)"));
    }

    @Test
    void messagesNotMeantForClientsAreIgnored() {
        assertThat(auto.handle(new ControlMessage.ClientPort(5000))).isInstanceOf(ServerMessages.Ignore.class);
    }
}
