package dev.tip.core.internal.client;

import dev.tip.core.Dialect;
import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionFailedException;
import dev.tip.core.SessionListener;
import dev.tip.core.SessionState;
import dev.tip.core.User;
import dev.tip.core.internal.ListenerEvents;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.internal.SessionStateMachine;
import dev.tip.core.internal.VoiceParameters;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's session: its state machine, what the server told it (roster, id, dialect, voice
 * parameters, voice binding), the listener events those cause, and the one way to wait for any of
 * them. Thread-safe.
 *
 * <p>Locking: one lock guards everything here, and it is the innermost lock of the client: no code
 * holding it calls out to sockets, threads, audio or the application. Listener calls are queued
 * under the lock and delivered on the listener executor after it is released ({@link
 * ListenerEvents}), so they see the events in the order they happened. Fields read without the
 * lock (the published roster and facts) are volatile and written under it.
 */
public final class ClientSession {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final String name;
    private final SessionListener listener;
    private final ListenerEvents events;
    /** Called, outside the lock, once when the session fails: releases the client's resources. */
    private final Consumer<String> onFailure;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final SessionStateMachine machine = new SessionStateMachine();
    private String endDetail;

    private volatile List<User> roster = List.of();
    private volatile int sessionId = -1;
    private volatile Dialect dialect;
    private volatile VoiceParameters voiceParameters;
    private volatile boolean voiceBound;

    /**
     * Creates a session in state DISCONNECTED.
     *
     * @param name the client's name, for logs
     * @param listener the application's listener
     * @param events the queue that delivers listener calls
     * @param onFailure what to do once the session has failed, given the detail: release resources
     */
    public ClientSession(String name, SessionListener listener, ListenerEvents events, Consumer<String> onFailure) {
        this.name = name;
        this.listener = listener;
        this.events = events;
        this.onFailure = onFailure;
    }

    /**
     * Applies an event and tells the listener what changed.
     *
     * @param event the event
     * @param detail why, for a terminal state; may be null
     * @return the transition, unchanged if the event did not apply
     */
    public SessionStateMachine.Transition fire(SessionEvent event, String detail) {
        lock.lock();
        try {
            return apply(event, detail);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Applies a failure event; if it ends the session, runs the failure action (once).
     *
     * @param event a failure event
     * @param detail why, in words
     */
    public void fail(SessionEvent event, String detail) {
        afterFailure(fire(event, detail), detail);
    }

    private void afterFailure(SessionStateMachine.Transition t, String detail) {
        if (t.changed() && t.to() == SessionState.FAILED) {
            log.info("{}: session failed: {}: {}", name, t.reason(), detail);
            onFailure.accept(detail);
        }
    }

    /** Must hold the lock. Fires the event and queues the listener calls it causes. */
    private SessionStateMachine.Transition apply(SessionEvent event, String detail) {
        SessionStateMachine.Transition t = machine.fire(event);
        if (!t.changed()) {
            return t;
        }
        SessionState from = t.from();
        SessionState to = t.to();
        if (event == SessionEvent.SERVER_CLOSE) {
            events.add(listener::serverClosed);
        }
        events.add(() -> listener.stateChanged(from, to));
        if (to.isTerminal()) {
            endDetail = to == SessionState.CLOSED ? "closed by the application" : detail;
            if (from != SessionState.DISCONNECTED) {
                DisconnectReason reason = t.reason();
                String d = endDetail;
                events.add(() -> listener.disconnected(reason, d));
            }
        }
        changed.signalAll();
        return t;
    }

    private void unlockAndFlush() {
        lock.unlock();
        events.flush();
    }

    private boolean joiningOrInRoom() {
        SessionState s = machine.state();
        return s == SessionState.JOINING || s == SessionState.IN_ROOM || s == SessionState.RECONNECTING;
    }

    /**
     * Publishes a roster, unless the session has ended.
     *
     * @param r the roster
     */
    public void roster(ServerMessages.Roster r) {
        lock.lock();
        try {
            if (joiningOrInRoom()) {
                roster = r.members();
                events.add(() -> listener.rosterChanged(r.members()));
            }
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Tells the listener something, in order with the session's other events, unless the
     * session has ended.
     *
     * @param call what to call on the listener
     */
    public void notify(Consumer<SessionListener> call) {
        lock.lock();
        try {
            if (joiningOrInRoom()) {
                events.add(() -> call.accept(listener));
            }
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Records SESSION: the id, the dialect and TIP/2's voice parameters; the session is then in
     * the room.
     *
     * @param a what SESSION said
     */
    public void assigned(ServerMessages.Assigned a) {
        lock.lock();
        try {
            if (joiningOrInRoom()) {
                sessionId = a.sessionId();
                dialect = a.dialect();
                voiceParameters = a.voice();
                events.add(() -> listener.sessionAssigned(a.sessionId()));
            }
            apply(SessionEvent.SESSION_RECEIVED, null);
        } finally {
            unlockAndFlush();
        }
    }

    /** TIP/2: the server acknowledged the voice address (HELLO_ACK). */
    public void voiceBound() {
        lock.lock();
        try {
            voiceBound = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * TIP/2: the server gave the session back to a new connection: IN_ROOM again.
     *
     * @param id the session id, the same as before
     */
    public void resumed(int id) {
        lock.lock();
        try {
            if (apply(SessionEvent.RESUMED, null).changed()) {
                events.add(() -> listener.sessionResumed(id));
            }
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Tells the listener that voice moved to another path (TIP/2's tunnel).
     *
     * @param transport the path from now on
     */
    public void transportChanged(dev.tip.core.VoiceTransport transport) {
        events.add(() -> listener.voiceTransportChanged(transport));
        events.flush();
    }

    /**
     * Tells the listener who started or stopped speaking, named from the current roster.
     *
     * @param id the speaker's session id
     * @param speaking whether the speaker speaks now
     */
    public void speakingChanged(int id, boolean speaking) {
        User who = new User(id, "");
        for (User u : roster) {
            if (u.id() == id) {
                who = u;
                break;
            }
        }
        User user = who;
        events.add(() -> listener.speakingChanged(user, speaking));
        events.flush();
    }

    /**
     * Waits until a condition holds, while the session stays in one state; the one wait of the
     * client's joining steps. If the time runs out with the session still in that state, the
     * session fails with TIMED_OUT and the given detail, decided under the lock (so that what was
     * awaited cannot slip in between the check and the timeout).
     *
     * @param reached the condition, evaluated under the lock
     * @param waitingIn the state in which waiting goes on
     * @param timeoutNanos how long to wait at most
     * @param timeoutDetail the failure's detail if the time runs out
     * @return true if the condition holds; false if the session left the state or timed out
     * @throws InterruptedException if the calling thread was interrupted while waiting
     */
    public boolean awaitUntil(BooleanSupplier reached, SessionState waitingIn, long timeoutNanos, String timeoutDetail)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        SessionStateMachine.Transition timeout = null;
        lock.lock();
        try {
            while (!reached.getAsBoolean() && machine.state() == waitingIn) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            if (reached.getAsBoolean()) {
                return true;
            }
            if (machine.state() == waitingIn) {
                timeout = apply(SessionEvent.TIMED_OUT, timeoutDetail);
            }
        } finally {
            unlockAndFlush();
        }
        if (timeout != null) {
            afterFailure(timeout, timeoutDetail);
        }
        return false;
    }

    /**
     * The exception {@code connect()} throws once the session has left the way to the room.
     *
     * @param cause the cause to attach, may be null
     * @return the exception: the failure's reason and detail, or QUIT if the client was closed
     */
    public SessionFailedException endedWhileConnecting(Throwable cause) {
        lock.lock();
        try {
            DisconnectReason reason = machine.endReason();
            if (machine.state() == SessionState.FAILED && reason != null) {
                return new SessionFailedException(reason, endDetail, cause);
            }
            return new SessionFailedException(DisconnectReason.QUIT, "the client was closed while connecting", cause);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The state now.
     *
     * @return the state
     */
    public SessionState state() {
        lock.lock();
        try {
            return machine.state();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why the session ended.
     *
     * @return the reason, or null while it has not ended
     */
    public DisconnectReason endReason() {
        lock.lock();
        try {
            return machine.endReason();
        } finally {
            lock.unlock();
        }
    }

    /** @return the members of the last roster */
    public List<User> members() {
        return roster;
    }

    /** @return the session id, or -1 before SESSION */
    public int sessionId() {
        return sessionId;
    }

    /** @return the dialect, or null before SESSION */
    public Dialect dialect() {
        return dialect;
    }

    /** @return TIP/2's voice parameters, or null */
    public VoiceParameters voiceParameters() {
        return voiceParameters;
    }

    /** @return whether the server acknowledged the voice address (TIP/2) */
    public boolean isVoiceBound() {
        return voiceBound;
    }
}
