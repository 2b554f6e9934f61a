package dev.tip.server;

import java.net.InetSocketAddress;

/**
 * Tells the embedding application who comes and goes. Every method has a no-op default.
 *
 * <p>Threading: callbacks run on the server's listener executor (by default one thread named
 * {@code tip-server-events-PORT}), one at a time and in the order the events happened, never on
 * an I/O thread. Callbacks should return quickly, must not throw (what they throw is caught and
 * logged) and may call back into {@link TipServer} (its operations never block on the listener).
 */
public interface ServerListener {

    /**
     * A client sent a valid nickname and got its session id.
     *
     * @param user the new user (its voice address may still be null)
     */
    default void userJoined(Participant user) {}

    /**
     * A user left; the others have been sent the new roster.
     *
     * @param user the user as last known
     * @param reason why
     */
    default void userLeft(Participant user, LeaveReason reason) {}

    /**
     * A user's voice address is known: voice from {@code voiceAddress} is now relayed to the
     * others, and theirs to it. For an original client, when it announced its UDP port; for a
     * TIP/2 client, when a HELLO proved its address, and again each time a HELLO or KEEPALIVE
     * moves it (NAT rebinding).
     *
     * @param user the user, with its voice address
     * @param voiceAddress (TCP peer address, CLIENT_PORT), or the address a TIP/2 HELLO came from
     */
    default void voiceAddressRegistered(Participant user, InetSocketAddress voiceAddress) {}

    /**
     * A user moved to another room (its own JOIN_ROOM, or an operator's move).
     *
     * @param user the user, as of after the move ({@link Participant#room()} is the new room)
     * @param fromRoom the room it left
     */
    default void userMoved(Participant user, String fromRoom) {}
}
