package dev.tip.server;

/** Why a user left the server. Immutable (an enum), so thread-safe. */
public enum LeaveReason {
    /** The client sent DISCONNECT. */
    QUIT,
    /** The TCP connection broke or was closed by the peer without DISCONNECT. */
    CONNECTION_LOST,
    /** The peer let its queued control messages sit unread longer than the write timeout. */
    TIMEOUT,
    /** The peer stopped reading and its outbound queue reached its bound. */
    SLOW_CONSUMER,
    /** The embedding application kicked the user. */
    KICKED,
    /** The peer broke the protocol (malformed or oversized message, invalid nickname). */
    PROTOCOL_ERROR,
    /** The server stopped; the user got SERVER_CLOSE. */
    SERVER_STOPPED
}
