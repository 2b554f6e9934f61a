package dev.tip.core.internal;

/**
 * What can happen to a client session: the inputs of {@link SessionStateMachine}. Immutable.
 */
public enum SessionEvent {
    /** The application called connect(). */
    CONNECT,
    /** The TCP connection is open (the handshake is about to be sent). */
    CONNECTED,
    /** The server sent SESSION. */
    SESSION_RECEIVED,
    /** The application called close(). */
    CLOSE,
    /** close() has released everything. */
    CLOSE_DONE,
    /** The TCP connection could not be opened. */
    CONNECT_REFUSED,
    /** The TCP connect or the handshake did not finish in time. */
    TIMED_OUT,
    /** The server sent DISCONNECT. */
    SERVER_DISCONNECT,
    /** The server sent SERVER_CLOSE. */
    SERVER_CLOSE,
    /** The TCP connection broke or reached its end. */
    CONNECTION_LOST,
    /** The server sent bytes the decoder cannot recover from. */
    PROTOCOL_VIOLATION,
    /** The server refused the join because it is full (its DISCONNECT says "Server full"). */
    SERVER_FULL,
    /** TIP/2: the control connection broke in the room, and the client tries to resume. */
    INTERRUPTED,
    /** TIP/2: the server gave the session back to a new connection (SESSION with RESUMED). */
    RESUMED,
    /** TIP/2: the server refused to resume the session. */
    RESUME_REFUSED
}
