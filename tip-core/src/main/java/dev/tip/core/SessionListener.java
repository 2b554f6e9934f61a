package dev.tip.core;

import java.util.List;

/**
 * What happens to a {@link TipClient}'s session, told to the application. Every method has a
 * no-op default; override the ones you need.
 *
 * <p>Threading contract: every callback runs on the client's listener executor (by default one
 * daemon thread named {@code tip-client-N-events}; see
 * {@link TipClient.Builder#listenerExecutor}), one callback at a time, in the order the events
 * happened; never on an I/O thread and never with a client lock held. Callbacks must be fast and
 * take no lock that TIP's own threads could wait for; they should not throw: TIP catches and logs
 * whatever they throw and carries on. They may call the client's getters, {@code setMuted} and
 * {@code close()}.
 *
 * <pre>{@code
 * SessionListener listener = new SessionListener() {
 *     public void rosterChanged(List<User> roster) {
 *         System.out.println("in the room: " + roster);
 *     }
 * };
 * }</pre>
 */
public interface SessionListener {

    /**
     * The session moved from one state to another. Called on the listener executor.
     *
     * @param oldState the state left
     * @param newState the state entered
     */
    default void stateChanged(SessionState oldState, SessionState newState) {}

    /**
     * The server sent the room's roster (SEND_NEW_USERS), with session ids when the server speaks
     * TIP/2 ({@link User#NO_ID} otherwise). Called on the listener executor.
     *
     * @param roster the members in join order, this client included, unmodifiable
     */
    default void rosterChanged(List<User> roster) {}

    /**
     * A member of the room started or stopped speaking: their voice started playing (the first
     * frame of a talk spurt), or nothing of theirs has played for
     * 300 ms, or they left the room (then this comes before the roster
     * events of the roster without them). Only in TIP/2 sessions, where each datagram names its
     * sender. Called on the listener executor.
     *
     * @param user who; the name is empty if the roster does not name the id
     * @param speaking true when they started
     */
    default void speakingChanged(User user, boolean speaking) {}

    /**
     * The server assigned this client its session id (SESSION). Called on the listener executor,
     * before the change to {@link SessionState#IN_ROOM}.
     *
     * @param sessionId the id, 0..999 on an original server
     */
    default void sessionAssigned(int sessionId) {}

    /**
     * The server announced it is shutting down (SERVER_CLOSE). Called on the listener executor,
     * before the change to {@link SessionState#FAILED} and {@link #disconnected}.
     */
    default void serverClosed() {}

    /**
     * The session ended, for whatever reason (the last event a listener receives, unless the
     * client was never connected). Called on the listener executor.
     *
     * @param reason why
     * @param detail what happened, in words (for a server's DISCONNECT, the REASON it sent)
     */
    default void disconnected(DisconnectReason reason, String detail) {}

    /**
     * TIP/2: the voice moved to another path: to {@link VoiceTransport#TCP} when UDP does not get
     * through to the server (voice then goes through the control connection), back to
     * {@link VoiceTransport#UDP} once a UDP probe is answered. Only with a server that offers the
     * tunnel. Called on the listener executor.
     *
     * @param transport the path voice takes from now on
     */
    default void voiceTransportChanged(VoiceTransport transport) {}

    /**
     * TIP/2: the control connection had broken (the state went to {@link
     * SessionState#RECONNECTING}) and the client got its session back on a new connection: same
     * session id, same place in the roster, the others saw no leave and no join. Called on the
     * listener executor, after the change back to {@link SessionState#IN_ROOM}. If the session
     * cannot be resumed, the state goes to FAILED instead ({@link #disconnected}, with
     * {@link DisconnectReason#RESUME_REFUSED} or {@link DisconnectReason#CONNECTION_LOST}).
     *
     * @param sessionId the session id, unchanged
     */
    default void sessionResumed(int sessionId) {}

    /**
     * The client is in another room now: its own {@link TipClient#join(String, String)}
     * succeeded, or the server moved it. The roster of the new room follows.
     *
     * @param room the room's name
     */
    default void roomChanged(String room) {}

    /**
     * The server refused a move to another room; the client stays where it was.
     *
     * @param room the room asked for
     * @param reason the server's reason
     */
    default void roomRefused(String room, String reason) {}
}
