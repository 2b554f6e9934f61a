package dev.tip.core;

import java.util.Objects;

/**
 * One member of the room as the roster names it: a session id and a nickname. Immutable and
 * thread-safe.
 *
 * <p>A TIP/2 server sends the ids with the roster ({@code "IDS"}); an original server does not,
 * and then every id is {@link #NO_ID}.
 *
 * @param id the member's session id, or {@link #NO_ID} when the server did not send ids
 * @param name the member's nickname; empty for a speaker the roster does not (or no longer) name
 */
public record User(int id, String name) {

    /** The id of a member whose server sent no ids (original dialect). */
    public static final int NO_ID = -1;

    /** Rejects a null name and ids below {@link #NO_ID}. */
    public User {
        Objects.requireNonNull(name, "name");
        if (id < NO_ID) {
            throw new IllegalArgumentException("id must be -1 or more, was " + id);
        }
    }
}
