package dev.tip.core;

/**
 * Why a session ended or could not start. Immutable (an enum); thread-safe.
 */
public enum DisconnectReason {
    /** The application called {@link TipClient#close()}; the client sent DISCONNECT "Quit". */
    QUIT,
    /** The TCP connection could not be opened (nothing listening, unknown host, unreachable). */
    REFUSED,
    /**
     * The TCP connection or the handshake (SESSION) did not complete within its timeout, or, in
     * TIP/2, the server never acknowledged the client's voice address (no HELLO_ACK within
     * 5 s).
     */
    TIMED_OUT,
    /** The server answered the nickname with DISCONNECT during the handshake. */
    NICKNAME_REJECTED,
    /** The server sent SERVER_CLOSE: it is shutting down. */
    SERVER_CLOSED,
    /** The server sent DISCONNECT while the client was in the room. */
    DISCONNECTED_BY_SERVER,
    /** The TCP connection broke or the server closed it without a word. */
    CONNECTION_LOST,
    /** The server sent bytes that break the control protocol beyond recovery. */
    PROTOCOL_ERROR,
    /**
     * The server refused the join because it has no room for another user (all session ids
     * taken, or too many users from this client's address): try later or elsewhere.
     */
    SERVER_FULL,
    /**
     * TIP/2: the control connection broke and the server refused to resume the session (its
     * resume window had passed, or it no longer knew the session); the detail gives its reason.
     */
    RESUME_REFUSED
}
