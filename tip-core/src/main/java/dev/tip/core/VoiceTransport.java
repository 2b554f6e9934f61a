package dev.tip.core;

/**
 * The path a TIP/2 session's voice takes now (docs/protocol.md, "Voice over the control
 * connection"). Immutable (an enum); thread-safe.
 */
public enum VoiceTransport {
    /** Datagrams over UDP, as every session starts. */
    UDP,
    /**
     * The same datagrams framed on the TCP control connection, because UDP does not get through
     * (no HELLO_ACK within about a second, or UDP went quiet); the client keeps probing UDP and goes
     * back to it once a probe is answered.
     */
    TCP
}
