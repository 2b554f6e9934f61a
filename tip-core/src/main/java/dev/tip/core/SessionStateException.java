package dev.tip.core;

/**
 * An operation or an event that the session's current state does not allow, for example
 * {@link TipClient#connect()} on a client that is already connected or closed. Immutable.
 */
public final class SessionStateException extends TipException {
    private static final long serialVersionUID = 1L;

    private final SessionState state;

    /**
     * Creates an exception.
     *
     * @param state the state that rejected the event
     * @param event what was attempted, in words
     */
    public SessionStateException(SessionState state, String event) {
        super(event + " is not allowed in state " + state);
        this.state = state;
    }

    /**
     * Returns the state that rejected the event.
     *
     * @return the session state at the time
     */
    public SessionState state() {
        return state;
    }
}
