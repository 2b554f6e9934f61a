package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.KeyShare;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.server.LeaveReason;
import dev.tip.server.NicknamePolicy;
import dev.tip.server.Participant;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The room's rules, without sockets or threads: events in, effects out. */
class RoomTest {

    private static final Extensions NONE = Extensions.builder().build();
    private static final Extensions TIP2 =
            Extensions.builder().put("VERSION", 2).build();
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);

    private final List<RoomEffect> out = new ArrayList<>();
    private long nextToken = 0x0123456789abcdefL;

    private Room room(int maxUsers, NicknamePolicy policy) {
        return new Room(maxUsers, policy, () -> nextToken++);
    }

    /** The effects so far in a readable form, then forgotten. */
    private List<String> effects() {
        List<String> s = new ArrayList<>();
        for (RoomEffect e : out) {
            if (e instanceof RoomEffect.Send send) {
                s.add("to " + send.id() + ": " + new String(send.bytes(), StandardCharsets.US_ASCII));
            } else if (e instanceof RoomEffect.Joined j) {
                s.add("joined " + j.user().id() + " " + j.user().name());
            } else if (e instanceof RoomEffect.Left l) {
                s.add("left " + l.user().id() + " " + l.reason());
            } else if (e instanceof RoomEffect.VoiceRegistered v) {
                s.add("voice event " + v.user().id() + " " + v.address().getPort());
            } else if (e instanceof RoomEffect.RegisterVoice r) {
                s.add("relay original " + r.id() + " " + r.address().getPort());
            } else if (e instanceof RoomEffect.RegisterTip2 r) {
                s.add("relay tip2 " + r.id() + " " + Long.toHexString(r.token())
                        + (r.codec().equals("pcm") ? "" : " " + r.codec()));
            } else if (e instanceof RoomEffect.UnregisterVoice u) {
                s.add("relay remove " + u.id());
            } else if (e instanceof RoomEffect.Refuse r) {
                s.add("refuse " + r.reason() + (r.full() ? " (full)" : ""));
            }
        }
        out.clear();
        return s;
    }

    @Test
    void aJoinBroadcastsTheRosterThenSendsSessionAndRegistersTheAnnouncedPort() {
        Room room = room(10, NicknamePolicy.ORIGINAL_CLIENT);
        assertThat(room.nickname(-1, "Ann", NONE, REMOTE, 0, out)).isZero();
        assertThat(effects())
                .containsExactly(
                        "joined 0 Ann",
                        "to 0: {\"KEY\": 3, \"USERS\": [\"Ann\"]}",
                        "to 0: {\"KEY\": 6, \"SESSION\": 0}");
        // CLIENT_PORT that came before the nickname is used once SESSION is out
        assertThat(room.nickname(-1, "Bob", NONE, REMOTE, 5253, out)).isEqualTo(1);
        assertThat(effects())
                .containsExactly(
                        "joined 1 Bob",
                        "to 0: {\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\"]}",
                        "to 1: {\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\"]}",
                        "to 1: {\"KEY\": 6, \"SESSION\": 1}",
                        "relay original 1 5253",
                        "voice event 1 5253");
        assertThat(room.users()).extracting(Participant::name).containsExactly("Ann", "Bob");
        assertThat(room.users().get(1).voiceAddress()).isEqualTo(new InetSocketAddress(REMOTE.getAddress(), 5253));
    }

    @Test
    void aTip2ClientSendsInTheServersFirstCodecItOffersAndInPcmOtherwise() {
        Room room = new Room(
                10,
                NicknamePolicy.ORIGINAL_CLIENT,
                () -> nextToken++,
                Room.Limits.NONE,
                () -> 0,
                new Tip2Negotiation.Voice(List.of("opus"), 24_000));
        Extensions offersOpus = Extensions.builder()
                .put("VERSION", 2)
                .put("CODECS", new JsonValue.Arr(List.of(JsonValue.of("OPUS"), JsonValue.of("pcm"))))
                .build();
        room.nickname(-1, "Ann", offersOpus, REMOTE, 0, out);
        assertThat(effects())
                .contains(
                        "relay tip2 0 123456789abcdef opus",
                        "to 0: {\"KEY\": 6, \"SESSION\": 0, \"VERSION\": 2, \"TOKEN\": \"0123456789abcdef\","
                                + " \"RATE\": 20000, \"FRAME\": 512, \"CODEC\": \"opus\", \"BITRATE\": 24000}");
        Extensions offersOther = Extensions.builder()
                .put("VERSION", 2)
                .put("CODECS", new JsonValue.Arr(List.of(JsonValue.of("speex"), JsonValue.of(7))))
                .build();
        room.nickname(-1, "Bob", offersOther, REMOTE, 0, out);
        room.nickname(-1, "Cy", TIP2, REMOTE, 0, out);
        assertThat(effects())
                .contains("relay tip2 1 123456789abcdf0", "relay tip2 2 123456789abcdf1")
                .noneMatch(e -> e.contains("CODEC"));
    }

    private Room encryptingRoom(boolean required) {
        return new Room(
                10,
                NicknamePolicy.ORIGINAL_CLIENT,
                () -> nextToken++,
                Room.Limits.NONE,
                () -> 0,
                new Tip2Negotiation.Voice(List.of(), 0, required, KeyExchange::generate));
    }

    @Test
    void aKeyShareGetsTheServersKeyShareInsteadOfTheTokenAndBothSidesDeriveTheSameKeys() {
        Room room = encryptingRoom(false);
        KeyExchange client = KeyExchange.generate();
        Extensions hello = Extensions.builder()
                .put("VERSION", 2)
                .put("KEY_SHARE", KeyShare.encode(client.publicKey()))
                .build();
        assertThat(room.nickname(-1, "Ann", hello, REMOTE, 0, out)).isZero();
        RoomEffect.RegisterTip2 reg = out.stream()
                .filter(e -> e instanceof RoomEffect.RegisterTip2)
                .map(e -> (RoomEffect.RegisterTip2) e)
                .findFirst()
                .orElseThrow();
        String session = effects().stream()
                .filter(e -> e.contains("\"KEY\": 6"))
                .findFirst()
                .orElseThrow();
        assertThat(session).doesNotContain("TOKEN").contains("\"VERSION\": 2, \"KEY_SHARE\": \"");
        int at = session.indexOf("\"KEY_SHARE\": \"") + 14;
        byte[] serverShare = KeyShare.decode(session.substring(at, at + KeyShare.TEXT_LENGTH));
        SessionKeys mine = SessionKeys.derive(client.sharedSecret(serverShare), client.publicKey(), serverShare);
        assertThat(reg.keys()).isNotNull().isEqualTo(mine);
    }

    @Test
    void withoutAKeyShareATip2ClientGetsTheTokenAsBeforeAndNoKeys() {
        Room room = encryptingRoom(false);
        room.nickname(-1, "Ann", TIP2, REMOTE, 0, out);
        assertThat(out).anyMatch(e -> e instanceof RoomEffect.RegisterTip2 r && r.keys() == null);
        assertThat(effects()).anyMatch(e -> e.contains("\"TOKEN\": \"0123456789abcdef\""));
    }

    @Test
    void aBadKeyShareIsRefusedWithAReason() {
        Room room = encryptingRoom(false);
        for (Extensions bad : List.of(
                Extensions.builder().put("VERSION", 2).put("KEY_SHARE", "short").build(),
                Extensions.builder().put("VERSION", 2).put("KEY_SHARE", 7).build(),
                // all zeros is a low-order point: the shared secret would be zero
                Extensions.builder()
                        .put("VERSION", 2)
                        .put("KEY_SHARE", KeyShare.encode(new byte[32]))
                        .build())) {
            assertThat(room.nickname(-1, "Ann", bad, REMOTE, 0, out)).isEqualTo(-1);
            assertThat(effects())
                    .singleElement()
                    .asString()
                    .startsWith("refuse ")
                    .doesNotContain("(full)");
        }
        assertThat(room.users()).isEmpty();
    }

    @Test
    void requireEncryptionRefusesOriginalAndPlaintextTip2ClientsWithAReason() {
        Room room = encryptingRoom(true);
        assertThat(room.nickname(-1, "Ann", NONE, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects()).containsExactly("refuse " + Tip2Negotiation.ENCRYPTION_REQUIRED + " (full)");
        assertThat(room.nickname(-1, "Bob", TIP2, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects()).containsExactly("refuse " + Tip2Negotiation.ENCRYPTION_REQUIRED + " (full)");
        Extensions keyed = Extensions.builder()
                .put("VERSION", 2)
                .put("KEY_SHARE", KeyShare.encode(KeyExchange.generate().publicKey()))
                .build();
        assertThat(room.nickname(-1, "Cy", keyed, REMOTE, 0, out)).isZero();
    }

    @Test
    void theSmallestFreeIdIsGivenAndAFreedIdIsReused() {
        Room room = room(10, NicknamePolicy.ORIGINAL_CLIENT);
        for (String name : List.of("A", "B", "C")) {
            room.nickname(-1, name, NONE, REMOTE, 0, out);
        }
        room.leave(1, LeaveReason.QUIT, true, out);
        out.clear();
        assertThat(room.nickname(-1, "D", NONE, REMOTE, 0, out)).isEqualTo(1);
        assertThat(room.users()).extracting(Participant::id).containsExactly(0, 2, 1);
    }

    @Test
    void aTip2JoinIsRegisteredWithTheRelayBeforeItsSessionWhichCarriesVersionTokenRateAndFrame() {
        Room room = room(10, NicknamePolicy.ORIGINAL_CLIENT);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        out.clear();
        assertThat(room.nickname(-1, "Bob", TIP2, REMOTE, 5253, out)).isEqualTo(1);
        assertThat(effects())
                .containsExactly(
                        "joined 1 Bob",
                        "to 0: {\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\"]}",
                        "to 1: {\"KEY\": 3, \"USERS\": [\"Ann\", \"Bob\"], \"IDS\": [0, 1]}",
                        "relay tip2 1 123456789abcdef",
                        "to 1: {\"KEY\": 6, \"SESSION\": 1, \"VERSION\": 2, \"TOKEN\": \"0123456789abcdef\","
                                + " \"RATE\": 20000, \"FRAME\": 512}");
        // CLIENT_PORT is recorded only: a TIP/2 address comes from its HELLO
        room.clientPort(1, 6000, out);
        assertThat(effects()).isEmpty();
        room.voiceLearned(1, 0x0123456789abcdefL, new InetSocketAddress(REMOTE.getAddress(), 7000), out);
        assertThat(effects()).containsExactly("voice event 1 7000");
    }

    @Test
    void aLearnedAddressWithAnotherTokenOrForAFreedIdIsIgnored() {
        Room room = room(10, NicknamePolicy.ORIGINAL_CLIENT);
        room.nickname(-1, "Ann", TIP2, REMOTE, 0, out);
        out.clear();
        room.voiceLearned(0, 42, REMOTE, out);
        room.voiceLearned(5, 0x0123456789abcdefL, REMOTE, out);
        assertThat(effects()).isEmpty();
        room.leave(0, LeaveReason.QUIT, true, out);
        assertThat(effects()).containsExactly("relay remove 0", "left 0 QUIT");
    }

    @Test
    void aFullRoomRefusesAndARejectedNameIsRefusedWithThePolicysReason() {
        Room room = room(1, NicknamePolicy.UNIQUE);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        out.clear();
        assertThat(room.nickname(-1, "", NONE, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects()).containsExactly("refuse Nickname must not be empty");
        assertThat(room.nickname(-1, "Ann", NONE, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects()).containsExactly("refuse Nickname already in use");
        assertThat(room.nickname(-1, "Bob", NONE, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects()).containsExactly("refuse Server full (full)");
    }

    @Test
    void aRenameBroadcastsTheRosterAndARejectedRenameLeavesBeforeTheRefusal() {
        Room room = room(10, NicknamePolicy.UNIQUE);
        room.nickname(-1, "Ann", NONE, REMOTE, 5000, out);
        room.nickname(-1, "Bob", NONE, REMOTE, 0, out);
        out.clear();
        assertThat(room.nickname(1, "Bea", NONE, REMOTE, 0, out)).isEqualTo(1);
        assertThat(effects())
                .as("the roster waits for the end of the loop turn")
                .isEmpty();
        room.flushRoster(out);
        assertThat(effects())
                .containsExactly(
                        "to 0: {\"KEY\": 3, \"USERS\": [\"Ann\", \"Bea\"]}",
                        "to 1: {\"KEY\": 3, \"USERS\": [\"Ann\", \"Bea\"]}");
        assertThat(room.nickname(0, "Bea", NONE, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects())
                .containsExactly(
                        "relay remove 0",
                        "left 0 PROTOCOL_ERROR",
                        "to 1: {\"KEY\": 3, \"USERS\": [\"Bea\"]}",
                        "refuse Nickname already in use");
        assertThat(room.isMember(0)).isFalse();
    }

    @Test
    void anOriginalMembersNewPortMovesItsVoiceAddressAndTheSamePortChangesNothing() {
        Room room = room(10, NicknamePolicy.ORIGINAL_CLIENT);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        out.clear();
        room.clientPort(0, 5000, out);
        room.clientPort(0, 5000, out);
        room.clientPort(0, 5001, out);
        assertThat(effects())
                .containsExactly(
                        "relay original 0 5000", "voice event 0 5000", "relay original 0 5001", "voice event 0 5001");
    }

    @Test
    void leavingWithoutBroadcastSendsNoRoster() {
        Room room = room(10, NicknamePolicy.ORIGINAL_CLIENT);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        room.nickname(-1, "Bob", NONE, REMOTE, 0, out);
        out.clear();
        room.leave(0, LeaveReason.SERVER_STOPPED, false, out);
        room.leave(0, LeaveReason.SERVER_STOPPED, false, out);
        assertThat(effects()).containsExactly("left 0 SERVER_STOPPED");
        assertThat(room.users()).extracting(Participant::name).containsExactly("Bob");
    }

    // ---- limits (issue 11) ----

    private long now;

    private Room limited(int renames, int ports, int perAddress) {
        return new Room(
                10,
                NicknamePolicy.UNIQUE,
                () -> nextToken++,
                new Room.Limits(renames, ports, perAddress, a -> a.getPort() == 9999),
                () -> now,
                Tip2Negotiation.Voice.PCM_ONLY);
    }

    private List<String> counted() {
        List<String> s = new ArrayList<>();
        for (RoomEffect e : out) {
            if (e instanceof RoomEffect.Counted k) {
                s.add(k.what().name());
            }
        }
        return s;
    }

    @Test
    void aRenameToTheCurrentNameChangesNothingAndTellsNobody() {
        Room room = limited(12, 12, 10);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        out.clear();
        for (int i = 0; i < 1000; i++) {
            assertThat(room.nickname(0, "Ann", NONE, REMOTE, 0, out)).isZero();
        }
        room.flushRoster(out);
        assertThat(counted()).hasSize(1000).containsOnly("RENAME_UNCHANGED");
        assertThat(effects()).isEmpty();
    }

    @Test
    void manyRenamesInOneTurnMakeOneRosterWithTheLatestName() {
        Room room = limited(12, 12, 10);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        room.nickname(-1, "Bob", NONE, REMOTE, 0, out);
        out.clear();
        room.nickname(1, "B1", NONE, REMOTE, 0, out);
        room.nickname(1, "B2", NONE, REMOTE, 0, out);
        room.nickname(1, "B3", NONE, REMOTE, 0, out);
        room.flushRoster(out);
        room.flushRoster(out);
        assertThat(effects())
                .containsExactly(
                        "to 0: {\"KEY\": 3, \"USERS\": [\"Ann\", \"B3\"]}",
                        "to 1: {\"KEY\": 3, \"USERS\": [\"Ann\", \"B3\"]}");
    }

    @Test
    void renamesBeyondTheLimitWaitAndTheLatestIsAppliedOnceATokenIsBack() {
        Room room = limited(2, 12, 10); // two at once, then one per 30 s
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        out.clear();
        room.nickname(0, "A1", NONE, REMOTE, 0, out);
        room.nickname(0, "A2", NONE, REMOTE, 0, out);
        room.nickname(0, "A3", NONE, REMOTE, 0, out);
        room.nickname(0, "A4", NONE, REMOTE, 0, out);
        assertThat(counted()).containsExactly("RENAME_LIMITED", "RENAME_LIMITED");
        out.clear();
        assertThat(room.users()).extracting(Participant::name).containsExactly("A2");
        now = 29_999;
        room.tick(out);
        assertThat(room.users()).extracting(Participant::name).containsExactly("A2");
        now = 30_000;
        room.tick(out);
        room.flushRoster(out);
        assertThat(room.users()).extracting(Participant::name).containsExactly("A4");
        assertThat(effects()).containsExactly("to 0: {\"KEY\": 3, \"USERS\": [\"A4\"]}");
        now = 120_000;
        room.tick(out);
        room.flushRoster(out);
        assertThat(effects()).as("nothing waits any more").isEmpty();
    }

    @Test
    void clientPortChangesBeyondTheLimitWaitAndTheLatestPortWins() {
        Room room = limited(12, 2, 10);
        room.nickname(-1, "Ann", NONE, REMOTE, 0, out);
        out.clear();
        for (int port = 5000; port < 5100; port++) {
            room.clientPort(0, port, out);
        }
        assertThat(counted()).hasSize(98).containsOnly("CLIENT_PORT_LIMITED");
        assertThat(effects())
                .containsExactly(
                        "relay original 0 5000", "voice event 0 5000", "relay original 0 5001", "voice event 0 5001");
        now = 30_000;
        room.tick(out);
        assertThat(effects()).containsExactly("relay original 0 5099", "voice event 0 5099");
        room.tick(out);
        assertThat(effects()).isEmpty();
    }

    @Test
    void aClientPortAnotherMemberHoldsOrTheServersOwnIsIgnoredAndCounted() {
        Room room = limited(12, 12, 10);
        room.nickname(-1, "Victim", NONE, REMOTE, 5000, out);
        room.nickname(-1, "Thief", NONE, REMOTE, 6000, out);
        out.clear();
        room.clientPort(1, 5000, out);
        room.clientPort(1, 9999, out);
        assertThat(counted()).containsExactly("CLIENT_PORT_REFUSED", "CLIENT_PORT_REFUSED");
        assertThat(effects()).isEmpty();
        room.clientPort(1, 6000, out);
        assertThat(effects()).as("back to its own port: nothing changed").isEmpty();
        assertThat(room.users()).extracting(u -> u.voiceAddress().getPort()).containsExactly(5000, 6000);
        // a port the same member had before the refused one is still its own
        room.nickname(-1, "Late", NONE, REMOTE, 5000, out);
        assertThat(counted()).containsExactly("CLIENT_PORT_REFUSED");
        out.clear();
    }

    @Test
    void oneAddressGetsNoMoreSeatsThanItsLimitAndAFreedSeatIsItsAgain() {
        Room room = limited(12, 12, 2);
        InetSocketAddress other = new InetSocketAddress("127.0.0.2", 40000);
        assertThat(room.nickname(-1, "A", NONE, REMOTE, 0, out)).isZero();
        assertThat(room.nickname(-1, "B", NONE, REMOTE, 0, out)).isEqualTo(1);
        out.clear();
        assertThat(room.nickname(-1, "C", NONE, REMOTE, 0, out)).isEqualTo(-1);
        assertThat(effects()).containsExactly("refuse " + Room.ADDRESS_FULL + " (full)");
        assertThat(room.nickname(-1, "D", NONE, other, 0, out)).isEqualTo(2);
        room.leave(0, LeaveReason.QUIT, true, out);
        out.clear();
        assertThat(room.nickname(-1, "C", NONE, REMOTE, 0, out)).isZero();
    }
}
