package dev.tip.server.internal;

import dev.tip.server.LeaveReason;
import dev.tip.server.User;
import java.net.InetSocketAddress;

/**
 * What the {@link Room} decided, for the control loop to carry out in order: bytes to queue,
 * relay registrations, listener events, a refused nickname. Immutable values.
 */
sealed interface RoomEffect {

    /** Queue {@code bytes} (one encoded control message) to member {@code id}. */
    record Send(int id, byte[] bytes) implements RoomEffect {}

    /**
     * The nickname is refused: DISCONNECT with {@code reason} to that client, then close it.
     *
     * @param reason the REASON
     * @param full true if the room is full (a refusal), false if the name broke the rules
     */
    record Refuse(String reason, boolean full) implements RoomEffect {}

    /** Relay voice for original member {@code id} from and to {@code address}. */
    record RegisterVoice(int id, InetSocketAddress address) implements RoomEffect {}

    /** Register TIP/2 member {@code id} with the relay; its HELLO with {@code token} shows its address. */
    record RegisterTip2(int id, long token) implements RoomEffect {}

    /** Stop relaying voice for member {@code id}. */
    record UnregisterVoice(int id) implements RoomEffect {}

    /** Tell the listener that {@code user} joined. */
    record Joined(User user) implements RoomEffect {}

    /** Tell the listener that {@code user} left. */
    record Left(User user, LeaveReason reason) implements RoomEffect {}

    /** Tell the listener that {@code user}'s voice address is {@code address}. */
    record VoiceRegistered(User user, InetSocketAddress address) implements RoomEffect {}
}
