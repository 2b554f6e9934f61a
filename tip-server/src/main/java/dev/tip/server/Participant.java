package dev.tip.server;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A user connected to the server: session id, nickname, addresses, room and server mute, as of
 * one moment. Immutable and thread-safe.
 *
 * @param id the session id (the smallest id that was free when the user joined)
 * @param name the nickname
 * @param controlAddress the TCP peer address
 * @param voiceAddress the registered UDP address (for an original client the TCP peer address
 *     and the announced CLIENT_PORT; for a TIP/2 client the address its last valid HELLO or
 *     KEEPALIVE came from), or null until known
 * @param room the name of the room the user is in
 * @param muted whether the server mutes the user (its voice is relayed to nobody)
 */
public record Participant(
        int id,
        String name,
        InetSocketAddress controlAddress,
        InetSocketAddress voiceAddress,
        String room,
        boolean muted) {

    /** The name of the room a server without configured rooms has, where original clients land. */
    public static final String DEFAULT_ROOM = "lobby";

    /** Rejects a negative id and null names, addresses or rooms. */
    public Participant {
        if (id < 0) {
            throw new IllegalArgumentException("id must not be negative, was " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(controlAddress, "controlAddress");
        Objects.requireNonNull(room, "room");
    }

    /**
     * A user in the {@link #DEFAULT_ROOM}, not muted.
     *
     * @param id the session id
     * @param name the nickname
     * @param controlAddress the TCP peer address
     * @param voiceAddress the voice address, or null
     */
    public Participant(int id, String name, InetSocketAddress controlAddress, InetSocketAddress voiceAddress) {
        this(id, name, controlAddress, voiceAddress, DEFAULT_ROOM, false);
    }
}
