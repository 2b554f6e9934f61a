package dev.tip.core;

import java.util.Objects;

/**
 * A room on a TIP/2 server, as its ROOMS message listed it. Immutable and thread-safe.
 *
 * @param name the room's name
 * @param members how many users were in it
 * @param maxUsers its user limit, 0 for none
 * @param passwordProtected whether joining it takes a password
 */
public record RoomListing(String name, int members, int maxUsers, boolean passwordProtected) {
    /** Rejects a null name. */
    public RoomListing {
        Objects.requireNonNull(name, "name");
    }
}
