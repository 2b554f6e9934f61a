package dev.tip.server.internal;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Changes to relay members that keep their registration (socket, keys, sequence state): a move to
 * another room and a server mute. The control thread {@linkplain #move queues} them; the relay
 * thread {@linkplain #applyTo applies} them after the registrations of the same turn, so that a
 * change queued after a registration finds its member. A change for an id that is not (or no
 * longer) a member, or for an earlier registration of its id, is dropped: a registration carries
 * the room and mute state itself.
 *
 * <p>Threading: {@link #move} and {@link #mute} are thread-safe; {@link #applyTo} runs on the
 * relay thread.
 */
final class MemberChanges {

    private record Change(int id, int generation, int room, int mute) {}

    private static final int UNCHANGED = -1;

    private final ConcurrentLinkedQueue<Change> queue = new ConcurrentLinkedQueue<>();

    /** Member {@code id} of registration {@code generation} is in room {@code room} from now on. */
    void move(int id, int generation, int room) {
        queue.add(new Change(id, generation, room, UNCHANGED));
    }

    /** Member {@code id}'s (of registration {@code generation}) voice is (or is no longer) muted. */
    void mute(int id, int generation, boolean muted) {
        queue.add(new Change(id, generation, UNCHANGED, muted ? 1 : 0));
    }

    /** True if nothing waits. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Applies what waits, in order. Relay thread. */
    void applyTo(MemberTable table) {
        Change c;
        while ((c = queue.poll()) != null) {
            Member m = table.byId(c.id());
            if (m == null || m.generation != c.generation()) {
                // left, or registered anew since (with its room and mute state)
                continue;
            }
            if (c.room() != UNCHANGED) {
                table.move(m, c.room());
            }
            if (c.mute() != UNCHANGED) {
                m.muted = c.mute() == 1;
            }
        }
    }
}
