package dev.tip.server.internal;

import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.server.LeaveReason;
import dev.tip.server.Participant;
import java.net.InetSocketAddress;

/**
 * What the {@link Room} decided, for the control loop to carry out in order: bytes to queue,
 * relay registrations, listener events, a refused nickname. Immutable values.
 */
sealed interface RoomEffect {

    /**
     * Queue {@code bytes} (one encoded control message) to member {@code id}.
     *
     * @param id the member
     * @param bytes the message
     * @param roster true for a roster, which replaces a roster still unsent at the queue's end
     */
    record Send(int id, byte[] bytes, boolean roster) implements RoomEffect {
        /** A message that is not a roster. */
        Send(int id, byte[] bytes) {
            this(id, bytes, false);
        }
    }

    /** Something a limit ignored or refused, to be counted (and perhaps logged). */
    enum Count {
        /** A rename to the name the member has. */
        RENAME_UNCHANGED,
        /** A rename that waits for (or lost) its turn under the rename limit. */
        RENAME_LIMITED,
        /** A CLIENT_PORT change that waits for its turn under the limit. */
        CLIENT_PORT_LIMITED,
        /** A CLIENT_PORT naming the server's own address or another member's voice address. */
        CLIENT_PORT_REFUSED,
        /** A ROSTER_DELTA sent. */
        ROSTER_DELTA,
        /** A full roster replaced, before it was sent, by a later one (coalesced). */
        ROSTER_COALESCED
    }

    /** Count {@code what}, {@code times} times. */
    record Counted(Count what, int times) implements RoomEffect {
        /** Once. */
        Counted(Count what) {
            this(what, 1);
        }
    }

    /**
     * The nickname is refused: DISCONNECT with {@code reason} to that client, then close it.
     *
     * @param reason the REASON
     * @param full true if the room is full (a refusal), false if the name broke the rules
     */
    record Refuse(String reason, boolean full) implements RoomEffect {}

    /**
     * Relay voice for original member {@code id} from and to {@code address}, in room {@code room}.
     *
     * @param id the session id
     * @param address the voice address
     * @param room the room id
     * @param muted whether the server mutes it
     */
    record RegisterVoice(int id, InetSocketAddress address, int room, boolean muted) implements RoomEffect {
        /** In the default room, not muted. */
        RegisterVoice(int id, InetSocketAddress address) {
            this(id, address, 0, false);
        }
    }

    /** Member {@code id}'s voice goes to room {@code room} from now on. */
    record MoveVoice(int id, int room) implements RoomEffect {}

    /** Member {@code id}'s voice is muted (relayed to nobody) or unmuted. */
    record MuteVoice(int id, boolean muted) implements RoomEffect {}

    /** Tell the listener that {@code user} moved from room {@code from} to its room now. */
    record Moved(Participant user, String from) implements RoomEffect {}

    /**
     * Register TIP/2 member {@code id} with the relay; its HELLO with {@code token} (plaintext) or
     * sealed with {@code keys} (encrypted) shows its address.
     *
     * @param id the session id
     * @param token the member's token (in SESSION only when it does not encrypt)
     * @param codec the codec it sends in
     * @param keys its session keys, or null for a member that does not encrypt
     * @param room the room id
     * @param muted whether the server mutes it
     */
    record RegisterTip2(int id, long token, String codec, SessionKeys keys, int room, boolean muted)
            implements RoomEffect {
        /** A member that does not encrypt, in the default room. */
        RegisterTip2(int id, long token, String codec) {
            this(id, token, codec, null);
        }

        /** A member in the default room, not muted. */
        RegisterTip2(int id, long token, String codec, SessionKeys keys) {
            this(id, token, codec, keys, 0, false);
        }
    }

    /** Stop relaying voice for member {@code id}. */
    record UnregisterVoice(int id) implements RoomEffect {}

    /**
     * TIP/2 member {@code id} may resume its session with {@code secret} if its connection breaks
     * (docs/protocol.md, "Resuming a session"); {@code token} tells its registration apart.
     */
    record Resumable(int id, long token, byte[] secret) implements RoomEffect {}

    /** Tell the listener that {@code user} joined. */
    record Joined(Participant user) implements RoomEffect {}

    /** Tell the listener that {@code user} left. */
    record Left(Participant user, LeaveReason reason) implements RoomEffect {}

    /** Tell the listener that {@code user}'s voice address is {@code address}. */
    record VoiceRegistered(Participant user, InetSocketAddress address) implements RoomEffect {}
}
