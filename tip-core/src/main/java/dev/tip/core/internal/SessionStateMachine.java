package dev.tip.core.internal;

import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionState;
import dev.tip.core.SessionStateException;
import java.util.Objects;

/**
 * The client session's state machine, with no I/O: a table that defines, for every state and
 * every {@link SessionEvent}, either the next state, "stay" (an event that can arrive late, after
 * the session has moved on, and is ignored), or "illegal" (rejected with
 * {@link SessionStateException}). Not thread-safe: the client guards it with its lock.
 *
 * <p>Late events: the I/O threads race with close() and with each other, so in CLOSING, CLOSED
 * and FAILED every I/O event (connected, refused, timed out, messages, connection lost) is
 * ignored. Illegal events are those no correct caller can produce: connect() twice, a message
 * before the TCP connection exists, CLOSE_DONE outside CLOSING, a timeout in the room.
 */
public final class SessionStateMachine {

    /**
     * The result of one event.
     *
     * @param from the state before
     * @param to the state after (equal to {@code from} when the event was ignored)
     * @param reason why the session ended, when {@code to} is terminal and changed; else null
     */
    public record Transition(SessionState from, SessionState to, DisconnectReason reason) {
        /**
         * Tells whether the state changed.
         *
         * @return true if {@code from != to}
         */
        public boolean changed() {
            return from != to;
        }
    }

    private SessionState state = SessionState.DISCONNECTED;
    private DisconnectReason endReason;

    /**
     * Returns the current state.
     *
     * @return the state
     */
    public SessionState state() {
        return state;
    }

    /**
     * Returns why the session ended, once it is CLOSED or FAILED.
     *
     * @return the reason, or null while the session has not ended
     */
    public DisconnectReason endReason() {
        return endReason;
    }

    /**
     * Applies an event.
     *
     * @param event what happened
     * @return the transition (possibly unchanged)
     * @throws SessionStateException if the event is illegal in the current state
     */
    public Transition fire(SessionEvent event) {
        Objects.requireNonNull(event, "event");
        SessionState from = state;
        SessionState to = next(from, event);
        if (to == null) {
            throw new SessionStateException(from, describe(event));
        }
        DisconnectReason reason = null;
        if (to != from) {
            state = to;
            if (to.isTerminal()) {
                reason = to == SessionState.CLOSED ? DisconnectReason.QUIT : failureReason(from, event);
                endReason = reason;
            }
        }
        return new Transition(from, to, reason);
    }

    /**
     * The transition table: the state after {@code event} in {@code state}; {@code state} itself
     * when the event is ignored; null when it is illegal.
     *
     * @param state the current state
     * @param event the event
     * @return the next state, or null if illegal
     */
    public static SessionState next(SessionState state, SessionEvent event) {
        switch (state) {
            case DISCONNECTED:
                return switch (event) {
                    case CONNECT -> SessionState.CONNECTING;
                    case CLOSE -> SessionState.CLOSED;
                    default -> null;
                };
            case CONNECTING:
                return switch (event) {
                    case CONNECTED -> SessionState.JOINING;
                    case CLOSE -> SessionState.CLOSING;
                    case CONNECT_REFUSED, TIMED_OUT -> SessionState.FAILED;
                    default -> null;
                };
            case JOINING:
                return switch (event) {
                    case SESSION_RECEIVED -> SessionState.IN_ROOM;
                    case CLOSE -> SessionState.CLOSING;
                    case TIMED_OUT, SERVER_DISCONNECT, SERVER_CLOSE, CONNECTION_LOST, PROTOCOL_VIOLATION, SERVER_FULL ->
                        SessionState.FAILED;
                    default -> null;
                };
            case IN_ROOM:
                return switch (event) {
                    // a repeated SESSION (no known server sends one) changes nothing
                    case SESSION_RECEIVED -> SessionState.IN_ROOM;
                    case CLOSE -> SessionState.CLOSING;
                    // TIMED_OUT here: a TIP/2 voice address never acknowledged (HELLO_ACK)
                    case TIMED_OUT, SERVER_DISCONNECT, SERVER_CLOSE, CONNECTION_LOST, PROTOCOL_VIOLATION, SERVER_FULL ->
                        SessionState.FAILED;
                    case INTERRUPTED -> SessionState.RECONNECTING;
                    default -> null;
                };
            case RECONNECTING:
                return switch (event) {
                    case SESSION_RECEIVED, INTERRUPTED, CONNECT_REFUSED -> SessionState.RECONNECTING;
                    case RESUMED -> SessionState.IN_ROOM;
                    case CLOSE -> SessionState.CLOSING;
                    case TIMED_OUT,
                            SERVER_DISCONNECT,
                            SERVER_CLOSE,
                            CONNECTION_LOST,
                            PROTOCOL_VIOLATION,
                            SERVER_FULL,
                            RESUME_REFUSED -> SessionState.FAILED;
                    default -> null;
                };
            case CLOSING:
                return switch (event) {
                    case CLOSE_DONE -> SessionState.CLOSED;
                    case CONNECT -> null;
                    default -> SessionState.CLOSING;
                };
            case CLOSED:
            case FAILED:
                return switch (event) {
                    case CONNECT, CLOSE_DONE -> null;
                    default -> state;
                };
            default:
                throw new IllegalStateException("unknown state " + state);
        }
    }

    private static DisconnectReason failureReason(SessionState from, SessionEvent event) {
        return switch (event) {
            case CONNECT_REFUSED -> DisconnectReason.REFUSED;
            case TIMED_OUT -> DisconnectReason.TIMED_OUT;
            case SERVER_DISCONNECT ->
                from == SessionState.JOINING
                        ? DisconnectReason.NICKNAME_REJECTED
                        : DisconnectReason.DISCONNECTED_BY_SERVER;
            case SERVER_CLOSE -> DisconnectReason.SERVER_CLOSED;
            case CONNECTION_LOST -> DisconnectReason.CONNECTION_LOST;
            case PROTOCOL_VIOLATION -> DisconnectReason.PROTOCOL_ERROR;
            case RESUME_REFUSED -> DisconnectReason.RESUME_REFUSED;
            case SERVER_FULL ->
                from == SessionState.JOINING ? DisconnectReason.SERVER_FULL : DisconnectReason.DISCONNECTED_BY_SERVER;
            default -> throw new IllegalStateException(event + " does not fail a session");
        };
    }

    private static String describe(SessionEvent event) {
        return switch (event) {
            case CONNECT -> "connect()";
            case CLOSE -> "close()";
            default -> "event " + event;
        };
    }

    @Override
    public String toString() {
        return "SessionStateMachine[" + state + (endReason == null ? "" : ", " + endReason) + "]";
    }
}
