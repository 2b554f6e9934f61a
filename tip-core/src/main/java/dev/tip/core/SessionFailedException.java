package dev.tip.core;

/**
 * {@link TipClient#connect()} could not bring the client into the room; {@link #reason()} says
 * why (refused, timed out, nickname rejected, server closed, ...). Immutable.
 */
public final class SessionFailedException extends TipException {
    private static final long serialVersionUID = 1L;

    private final DisconnectReason reason;

    /**
     * Creates an exception.
     *
     * @param reason why the session ended
     * @param message details a user can act on
     * @param cause the underlying failure, or null
     */
    public SessionFailedException(DisconnectReason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /**
     * Returns why the session could not start.
     *
     * @return the reason
     */
    public DisconnectReason reason() {
        return reason;
    }
}
