package dev.tip.core;

/**
 * Where a {@link TipClient}'s session is in its life. Immutable (an enum); thread-safe.
 *
 * <pre>
 * DISCONNECTED --connect()--&gt; CONNECTING --TCP up, nickname and port sent--&gt; JOINING
 * JOINING --SESSION received--&gt; IN_ROOM
 * IN_ROOM --TIP/2 control connection broke--&gt; RECONNECTING --session resumed--&gt; IN_ROOM
 * CONNECTING, JOINING, IN_ROOM, RECONNECTING --close()--&gt; CLOSING --resources released--&gt; CLOSED
 * DISCONNECTED --close()--&gt; CLOSED
 * CONNECTING, JOINING, IN_ROOM, RECONNECTING --refused, timeout, rejected, server closed, lost, bad bytes--&gt; FAILED
 * </pre>
 *
 * <p>CLOSED and FAILED are final: a client is used for one session. FAILED carries a
 * {@link DisconnectReason} ({@link TipClient#failureReason()}).
 */
public enum SessionState {
    /** Built, {@link TipClient#connect()} not called yet. */
    DISCONNECTED,
    /** Opening the TCP connection to the server. */
    CONNECTING,
    /** Connected; nickname and voice port sent; waiting for SESSION. */
    JOINING,
    /** SESSION received: the client is in the room, voice flows. */
    IN_ROOM,
    /**
     * TIP/2: the control connection broke; the client reconnects by itself and resumes its session
     * (same id, same place in the roster) within the server's resume window, then is IN_ROOM
     * again, or FAILED if it could not. Voice over UDP goes on meanwhile.
     */
    RECONNECTING,
    /** {@link TipClient#close()} is leaving the room and releasing resources. */
    CLOSING,
    /** Closed by the application; everything released. Final. */
    CLOSED,
    /** Ended by anything but the application; see {@link TipClient#failureReason()}. Final. */
    FAILED;

    /**
     * Tells whether this state is final (CLOSED or FAILED).
     *
     * @return true for a state a session never leaves
     */
    public boolean isTerminal() {
        return this == CLOSED || this == FAILED;
    }
}
