package dev.tip.core;

/**
 * The dialect a session speaks, as negotiated in the handshake. Immutable (an enum); thread-safe.
 */
public enum Dialect {
    /** The original protocol: raw PCM datagrams, no header. */
    ORIGINAL,
    /** TIP/2: the server answered SESSION with {@code "VERSION": 2} (see docs/protocol.md). */
    TIP2
}
