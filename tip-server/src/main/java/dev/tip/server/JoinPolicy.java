package dev.tip.server;

import java.net.InetSocketAddress;

/**
 * Lets the embedding application refuse a join or a move between rooms, with a reason the client
 * sees: a join is refused with DISCONNECT and that REASON, a move with the ROOM message's REASON
 * (docs/protocol.md, "Rooms"). Both methods default to letting everyone in.
 *
 * <p>Threading: called on the server's control thread, before the join or move happens; it must
 * return quickly and must not call back into the server's methods that wait. An exception counts
 * as a refusal with the reason "Refused by the server".
 */
public interface JoinPolicy {

    /** Lets everyone join and move. */
    JoinPolicy ALLOW_ALL = new JoinPolicy() {};

    /**
     * A client asks to join.
     *
     * @param nickname the nickname it sent
     * @param address its TCP address
     * @param room the room it asked for (the default room's name if it named none)
     * @return the reason to refuse it with, or null to let it join
     */
    default String refuseJoin(String nickname, InetSocketAddress address, String room) {
        return null;
    }

    /**
     * A member asks to move to another room (a TIP/2 client's JOIN_ROOM; an operator's move is
     * never asked about).
     *
     * @param user the member, as of now
     * @param room the room it asked for
     * @return the reason to refuse it with, or null to let it move
     */
    default String refuseMove(Participant user, String room) {
        return null;
    }
}
