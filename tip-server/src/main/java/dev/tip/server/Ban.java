package dev.tip.server;

import java.time.Instant;
import java.util.Objects;

/**
 * A ban: clients with this nickname, or from this IP address, are refused until it expires.
 * Immutable and thread-safe.
 *
 * @param kind what is banned
 * @param value the nickname (exact) or the IP address (its textual form, {@code 192.0.2.7})
 * @param until when it expires, or null for never
 * @param reason the reason shown to the refused client (after "Banned"), or null
 */
public record Ban(Kind kind, String value, Instant until, String reason) {

    /** What a ban matches. */
    public enum Kind {
        /** A nickname, exactly. */
        NICKNAME,
        /** An IP address. */
        ADDRESS
    }

    /** Rejects nulls where a value is required. */
    public Ban {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Whether the ban still holds at {@code now}.
     *
     * @param now the time
     * @return true until it expires
     */
    public boolean activeAt(Instant now) {
        return until == null || now.isBefore(until);
    }
}
