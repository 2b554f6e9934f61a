package dev.tip.server.internal;

import dev.tip.core.internal.crypto.ResumeProof;
import dev.tip.core.protocol.TunnelQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The TIP/2 sessions that may be resumed (docs/protocol.md, "Resuming a session"): for each member
 * that offered it, its resume secret and the highest attempt number taken; for a member whose
 * connection broke, since when it waits (detached: still in the room and in the relay, with no
 * connection). A member that does not resume within the window leaves, as if its connection had
 * just broken.
 *
 * <p>Threading: confined to the control thread. Secrets are never logged.
 */
final class Resumptions {

    /** One resumable member. */
    static final class Entry {
        final int id;
        final long token;
        private final byte[] secret;
        /** Its tunnel queue, handed to the connection that resumes. */
        TunnelQueue tunnel;

        long lastAttempt;
        /** When its connection broke, or -1 while it has one. */
        long detachedAt = -1;

        Entry(int id, long token, byte[] secret) {
            this.id = id;
            this.token = token;
            this.secret = secret.clone();
        }
    }

    private final long windowMillis;
    private final Entry[] byId;

    /**
     * Creates the table.
     *
     * @param maxUsers the session ids' bound
     * @param windowMillis how long a detached member waits for its client
     */
    Resumptions(int maxUsers, long windowMillis) {
        this.windowMillis = windowMillis;
        this.byId = new Entry[maxUsers];
    }

    /** Member {@code id} may resume with {@code secret}. */
    void add(int id, long token, byte[] secret, TunnelQueue tunnel) {
        Entry e = new Entry(id, token, secret);
        e.tunnel = tunnel;
        byId[id] = e;
    }

    /** Member {@code id} left for good. */
    void remove(int id) {
        if (id >= 0 && id < byId.length) {
            Entry e = byId[id];
            if (e != null) {
                Arrays.fill(e.secret, (byte) 0);
            }
            byId[id] = null;
        }
    }

    /**
     * Member {@code id}'s connection broke: it waits for its client, if it is resumable.
     *
     * @return true if it now waits (stays in the room), false if it should leave
     */
    boolean detach(int id, long now) {
        Entry e = id >= 0 && id < byId.length ? byId[id] : null;
        if (e == null || windowMillis <= 0) {
            return false;
        }
        e.detachedAt = now;
        return true;
    }

    /** True if member {@code id} waits for its client without a connection. */
    boolean isDetached(int id) {
        Entry e = id >= 0 && id < byId.length ? byId[id] : null;
        return e != null && e.detachedAt >= 0;
    }

    /**
     * Checks a resume request.
     *
     * @param id the RESUME_ID
     * @param proof the RESUME_PROOF
     * @param now the time
     * @return the entry to resume, with the attempt taken; or null, and {@code why[0]} says why
     */
    Entry resume(long id, String proof, long now, String[] why) {
        Entry e = id >= 0 && id < byId.length ? byId[(int) id] : null;
        if (e == null || (e.detachedAt >= 0 && now - e.detachedAt >= windowMillis)) {
            why[0] = "no session " + id + " to resume (it ended, or its resume window passed)";
            return null;
        }
        if (proof == null || !ResumeProof.verify(e.secret, e.id, proof)) {
            why[0] = "wrong resume proof for session " + id;
            return null;
        }
        long attempt = ResumeProof.attempt(proof);
        if (attempt <= e.lastAttempt) {
            why[0] = "resume proof for session " + id + " used before";
            return null;
        }
        e.lastAttempt = attempt;
        e.detachedAt = -1;
        return e;
    }

    /**
     * The detached members whose window has passed at {@code now}; they are forgotten here.
     *
     * @return their session ids
     */
    List<Integer> expired(long now) {
        List<Integer> out = null;
        for (Entry e : byId) {
            if (e != null && e.detachedAt >= 0 && now - e.detachedAt >= windowMillis) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(e.id);
            }
        }
        if (out == null) {
            return List.of();
        }
        for (int id : out) {
            remove(id);
        }
        return out;
    }
}
