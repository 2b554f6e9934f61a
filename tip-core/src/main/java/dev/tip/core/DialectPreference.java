package dev.tip.core;

/**
 * Which dialect a client offers in its handshake. Immutable (an enum); thread-safe.
 */
public enum DialectPreference {
    /** Speak the original protocol only: SEND_NICKNAME carries no VERSION. */
    ORIGINAL,
    /**
     * Offer TIP/2 ({@code "VERSION": 2} in SEND_NICKNAME) and fall back to the original dialect
     * when SESSION carries no VERSION; {@link TipClient#dialect()} reports the negotiated
     * dialect. The default.
     */
    AUTO
}
