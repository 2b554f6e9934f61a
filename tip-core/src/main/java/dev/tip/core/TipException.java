package dev.tip.core;

/**
 * The root of TIP's small unchecked exception family: a peer or the caller did something the
 * protocol or the session does not allow. Thread-safe (immutable).
 */
public class TipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, in words a user can act on
     */
    public TipException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, in words a user can act on
     * @param cause the underlying failure
     */
    public TipException(String message, Throwable cause) {
        super(message, cause);
    }
}
