package dev.tip.server.internal;

import dev.tip.server.JoinPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The rooms and moderation part of a server's configuration. Immutable.
 *
 * @param rooms the permanent rooms, the default room first; empty for one room named
 *     {@link dev.tip.server.Participant#DEFAULT_ROOM}
 * @param open whether TIP/2 clients may create rooms by naming them
 * @param banFile where bans are kept across restarts, or null for memory only
 * @param joinPolicy the application's say on joins and moves
 * @param rosterCoalesceMillis the most often a full roster goes to one member that needs full
 *     rosters (original members; TIP/2 members without deltas), milliseconds; 0 sends each at once
 */
public record RoomsConfig(
        List<RoomsConfig.Room> rooms, boolean open, Path banFile, JoinPolicy joinPolicy, long rosterCoalesceMillis) {

    /** One room, no ban file, everyone let in, rosters coalesced over 100 ms. */
    public static final RoomsConfig DEFAULT = new RoomsConfig(List.of(), false, null, JoinPolicy.ALLOW_ALL, 100);

    /** Copies the list; rejects nulls. */
    public RoomsConfig {
        rooms = List.copyOf(rooms);
        Objects.requireNonNull(joinPolicy, "joinPolicy");
    }

    /**
     * A room as configured.
     *
     * @param name its name (1..32 characters, no control characters)
     * @param password its password, or null for none
     * @param maxUsers its user limit, 0 for none
     */
    public record Room(String name, String password, int maxUsers) {
        /** Checks the name and the limit. */
        public Room {
            String problem = dev.tip.core.protocol.RoomProtocol.roomNameProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + name);
            }
            if (maxUsers < 0) {
                throw new IllegalArgumentException("maxUsers must not be negative, was " + maxUsers);
            }
            if (password != null && password.isEmpty()) {
                password = null;
            }
        }
    }
}
