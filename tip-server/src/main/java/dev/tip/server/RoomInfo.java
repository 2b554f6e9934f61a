package dev.tip.server;

import java.util.Objects;

/**
 * A room on the server, as of one moment. Immutable and thread-safe.
 *
 * @param name the room's name
 * @param members how many users are in it
 * @param maxUsers its user limit, 0 for none (the server's own limit still applies)
 * @param passwordProtected whether joining it takes a password
 * @param permanent true for a room the server was configured with (it stays when empty); false
 *     for one a client created (it disappears when its last member leaves)
 */
public record RoomInfo(String name, int members, int maxUsers, boolean passwordProtected, boolean permanent) {
    /** Rejects a null name and negative counts. */
    public RoomInfo {
        Objects.requireNonNull(name, "name");
        if (members < 0 || maxUsers < 0) {
            throw new IllegalArgumentException("members and maxUsers must not be negative");
        }
    }
}
